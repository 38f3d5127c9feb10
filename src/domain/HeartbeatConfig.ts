import { Either, Schema } from "effect"
import * as ActiveHours from "./ActiveHours.js"
import * as CronSchedule from "./CronSchedule.js"
import { DurationMs, MAX_TIMER_MS, TimerDurationMs } from "./DurationMs.js"

/** A schedule string: cron (5 or 6 fields), a nickname such as `@daily`, or `@every 30s`. */
export const ScheduleExpression = Schema.String.pipe(
  Schema.filter((expression) => Either.match(CronSchedule.parse(expression), { onLeft: (reason) => reason, onRight: () => true }))
).annotations({
  identifier: "ScheduleExpression",
  description: "cron expression (5 fields, or 6 with leading seconds), a nickname (@hourly, @daily, @weekly, @monthly, @yearly) or @every DURATION",
  jsonSchema: { type: "string" }
})

/** An IANA time zone name such as `Europe/Berlin`, or `UTC`. */
export const TimeZoneName = Schema.String.pipe(
  Schema.filter((name) => Either.match(CronSchedule.validateTimezone(name), { onLeft: (reason) => reason, onRight: () => true }))
).annotations({ identifier: "TimeZoneName", description: "IANA time zone, e.g. Europe/Berlin", jsonSchema: { type: "string" } })

/** What to do with a slot that comes while the previous run of the same action is still going. */
export const OverlapPolicy = Schema.Literal("skip", "allow").annotations({
  description: "skip (default): a slot that comes while the previous run is still going is skipped and recorded; allow: run concurrently"
})

/** What to do on start with slots missed while the daemon was down. */
export const CatchUpPolicy = Schema.Literal("none", "latest", "all").annotations({
  description: "none (default): missed slots are recorded, not run; latest: the most recent missed slot runs once on start, if within catchUpWindow; all: every missed slot within catchUpWindow runs, up to catchUpMax, in slot order"
})

/**
 * What to do when runs keep failing (`failed` or `timed-out`), per action or heartbeat-wide (the action's
 * keys win, key by key). Absent: failures are only recorded.
 */
export class FailurePolicyConfig extends Schema.Class<FailurePolicyConfig>("FailurePolicyConfig")({
  alertAfter: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))).annotations({
    description: "after this many consecutive failed runs, send one alert (default 3)"
  }),
  alertChannels: Schema.optional(Schema.Array(Schema.NonEmptyString)).annotations({
    description: "channels the alerts go to (default: the action's channels)"
  }),
  cooldown: Schema.optional(DurationMs).annotations({ description: "no second alert within this time (default 1h)" }),
  pauseAfter: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))).annotations({
    description: "after this many consecutive failed runs, pause the action (by failure-policy); default: never"
  }),
  backoff: Schema.optional(Schema.Boolean).annotations({
    description: "after consecutive failures skip 1, 2, 4, ... slots (reason backoff), at most one hour's worth (default false)"
  })
}) {}

// The description sits on the string itself: `agenc config schema` prints the encoded side, without refinements.
const checked = (description: string, check: (text: string) => Either.Either<unknown, string>) =>
  Schema.String.annotations({ description }).pipe(Schema.filter((text) => Either.match(check(text), { onLeft: (reason) => reason, onRight: () => true })))

/** When an action's slots run: a daily wall-clock span on some weekdays, in a time zone. */
export class ActiveHoursConfig extends Schema.Class<ActiveHoursConfig>("ActiveHoursConfig")({
  start: Schema.optionalWith(checked("HH:MM the window opens each listed day, inclusive (default 00:00)", ActiveHours.parseTimeOfDay), { default: () => "00:00" }),
  end: Schema.optionalWith(
    checked("HH:MM the window closes, exclusive; earlier than start: overnight, closing the next day (default 24:00)", ActiveHours.parseTimeOfDay),
    { default: () => "24:00" }
  ),
  days: Schema.optionalWith(checked("weekdays the window opens on, in cron syntax: mon-fri, sat,sun, 1-5, * (default *)", ActiveHours.parseDays), { default: () => "*" }),
  timezone: Schema.optional(TimeZoneName).annotations({ description: "zone of start and end (default: the action's timezone)" })
}, { description: "run slots only inside this daily window; slots outside it are not runs (not woken for, not recorded)" }) {}

/** One entry of `heartbeat.actions`. */
export class ActionConfig extends Schema.Class<ActionConfig>("ActionConfig")({
  name: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: () => "an action name is letters, digits, '.', '_' and '-'"
  })),
  schedule: ScheduleExpression,
  description: Schema.optional(Schema.String),
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  timezone: Schema.optional(TimeZoneName),
  module: Schema.optional(Schema.NonEmptyString).annotations({
    description: "path of a module whose default export is a custom action (relative to gateway.json)"
  }),
  channels: Schema.optional(Schema.Array(Schema.NonEmptyString)).annotations({
    description: "deliver only to these channels (by name); default: all"
  }),
  timeout: Schema.optionalWith(TimerDurationMs(10), { default: () => 300_000 }),
  overlap: Schema.optionalWith(OverlapPolicy, { default: () => "skip" as const }),
  catchUp: Schema.optionalWith(CatchUpPolicy, { default: () => "none" as const }),
  catchUpWindow: Schema.optionalWith(DurationMs, { default: () => 86_400_000 }),
  catchUpMax: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1_000)), { default: () => 10 }).annotations({
    description: "with catchUp \"all\": at most this many missed slots run (the latest ones), in slot order"
  }),
  onFailure: Schema.optional(FailurePolicyConfig),
  jitter: Schema.optional(DurationMs).annotations({
    description: "start each slot's run later by a stable offset in [0, jitter) derived from the action's name, never past the next slot (default: the heartbeat-wide jitter, else none)"
  }),
  activeHours: Schema.optional(Schema.NullOr(ActiveHoursConfig)).annotations({
    description: "run slots only inside this window; replaces the heartbeat-wide activeHours; null: at all hours (default: the heartbeat-wide window, else always)"
  }),
  missedAlert: Schema.optionalWith(Schema.Boolean, { default: () => false }).annotations({
    description: "after a start that found missed slots, send one message saying how many and what ran"
  }),
  config: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { default: () => ({}) })
}) {}

/** The default actions: the three built-ins on the seed's schedules. */
export const defaultActions = (): ReadonlyArray<typeof ActionConfig.Encoded> => [
  { name: "task-scan", schedule: "*/5 * * * *" },
  { name: "daily-summary", schedule: "0 9 * * *" },
  { name: "portfolio-monitor", schedule: "0 * * * *" }
]

/** The `heartbeat` section of `gateway.json`. */
export class HeartbeatConfig extends Schema.Class<HeartbeatConfig>("HeartbeatConfig")({
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  timezone: Schema.optionalWith(TimeZoneName, { default: () => "UTC" }),
  wakeInterval: Schema.optionalWith(DurationMs.pipe(Schema.filter((ms) => (ms >= 10 && ms <= MAX_TIMER_MS) || `must be between 10ms and 24.8d (10..${MAX_TIMER_MS} ms)`)), {
    default: () => 1_000
  }).annotations({
    description: "longest single sleep of the scheduler before it re-reads the wall clock (suspend, clock steps)"
  }),
  onFailure: Schema.optional(FailurePolicyConfig).annotations({ description: "failure policy defaults for every action" }),
  jitter: Schema.optional(DurationMs).annotations({ description: "jitter for every action that sets none (default none)" }),
  activeHours: Schema.optional(ActiveHoursConfig).annotations({ description: "active hours for every action that sets none (default: always)" }),
  ledgerSize: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 10_000 }).annotations({
    description: "how many runs the run ledger keeps"
  }),
  actions: Schema.optionalWith(
    Schema.Array(ActionConfig).pipe(Schema.filter((actions) => {
      const seen = new Set<string>()
      for (const [index, action] of actions.entries()) {
        if (seen.has(action.name)) {
          return { path: [index, "name"], message: `duplicate action name "${action.name}"` }
        }
        seen.add(action.name)
      }
      return true
    })),
    { default: () => Schema.decodeUnknownSync(Schema.Array(ActionConfig))(defaultActions()) }
  )
}) {}
