import { Schema } from "effect"
import { ByteSize, KeepCount } from "./ByteSize.js"
import { DurationMs, DurationMsBetween, MAX_TIMER_MS, TimerDurationMs } from "./DurationMs.js"

/** `daemon.restartLimit`: how many restarts within how long before a crash loop is given up. */
export class RestartLimit extends Schema.Class<RestartLimit>("RestartLimit")({
  burst: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 5 }),
  interval: Schema.optionalWith(DurationMs, { default: () => 300_000 })
}) {}

/** The detached daemon's log file, rotated by size: `name` → `name.1` → … → `name.<keep>`, then deleted. */
export class LogFileConfig extends Schema.Class<LogFileConfig>("LogFileConfig")({
  path: Schema.optionalWith(Schema.NonEmptyString, { default: () => "logs/gateway.log" }),
  maxSize: Schema.optionalWith(ByteSize, { default: () => 10 * 1024 ** 2 }),
  keep: Schema.optionalWith(KeepCount, { default: () => 5 })
}) {}

/** `daemon.logFile`: a path (rotated with the defaults), or `{ "path", "maxSize", "keep" }`. */
const LogFile = Schema.transform(Schema.Union(LogFileConfig, Schema.NonEmptyString), Schema.typeSchema(LogFileConfig), {
  strict: true,
  decode: (value) => typeof value === "string" ? new LogFileConfig({ path: value }) : value,
  encode: (value) => value
})

/** `daemon.retention`: what the daemon prunes from agenc.db, by age and by count, every `interval`. */
export class RetentionConfig extends Schema.Class<RetentionConfig>("RetentionConfig")({
  interval: Schema.optionalWith(DurationMs.pipe(Schema.filter((ms) => ms >= 1_000 || "must be at least 1s")), { default: () => 600_000 }),
  sessions: Schema.optionalWith(DurationMs, { default: () => 7 * 86_400_000 }).annotations({
    description: "sessions of actions no longer configured are deleted once untouched this long"
  }),
  delivered: Schema.optionalWith(DurationMs, { default: () => 86_400_000 }).annotations({ description: "delivered outbox rows kept this long" }),
  deliveredKeep: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 10_000 }).annotations({
    description: "and at most this many per channel"
  }),
  deadLetters: Schema.optionalWith(DurationMs, { default: () => 30 * 86_400_000 }),
  deadLettersKeep: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1_000 }),
  crashes: Schema.optionalWith(DurationMs, { default: () => 90 * 86_400_000 }),
  crashesKeep: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 100 })
}) {}

/** The `daemon` section of `gateway.json`. Paths are relative to `$AGENC_HOME` unless absolute. */
export class DaemonConfig extends Schema.Class<DaemonConfig>("DaemonConfig")({
  pidFile: Schema.optionalWith(Schema.NonEmptyString, { default: () => "gateway.pid" }),
  socket: Schema.optionalWith(Schema.NonEmptyString, { default: () => "gateway.sock" }).annotations({
    description: "control socket (mode 0600) used by `agenc heartbeat trigger` and `agenc daemon status`"
  }),
  logFile: Schema.optionalWith(LogFile, { default: () => new LogFileConfig({}) }).annotations({
    description: "the detached daemon's log: a path, or { path, maxSize (\"10MB\"), keep (5) }"
  }),
  watchdogInterval: Schema.optionalWith(TimerDurationMs(1_000), { default: () => 60_000 }).annotations({
    description: "systemd WatchdogSec of the generated unit"
  }),
  // The hard shutdown deadline is a timer of grace + 1.5 s.
  shutdownGrace: Schema.optionalWith(DurationMsBetween(0, MAX_TIMER_MS - 60_000), { default: () => 3_000 }).annotations({
    description: "how long in-flight actions may finish on shutdown before they are interrupted"
  }),
  restartDelay: Schema.optionalWith(DurationMs, { default: () => 100 }).annotations({
    description: "the first delay before a crashed daemon is restarted: the unit's RestartSec, the supervisor's first backoff (the seed used 10s)"
  }),
  restartLimit: Schema.optionalWith(RestartLimit, { default: () => Schema.decodeUnknownSync(RestartLimit)({}) }).annotations({
    description: "at most `burst` restarts within `interval`: the unit's start limits, and when the supervisor gives up"
  }),
  retention: Schema.optionalWith(RetentionConfig, { default: () => new RetentionConfig({}) })
}) {}
