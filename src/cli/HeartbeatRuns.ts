import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, DateTime, Effect, Either, Layer, Option } from "effect"
import { parseDurationMs } from "../domain/DurationMs.js"
import * as CronSchedule from "../domain/CronSchedule.js"
import { nextSlots } from "../heartbeat/NextSlots.js"
import { pauseJson } from "../heartbeat/Pauses.js"
import { Database } from "../layers/Database.js"
import { DatabaseReadOnly } from "../layers/DatabaseReadOnly.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import { StateStoreSqlite } from "../layers/StateStoreSqlite.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import { RUN_OUTCOMES, type RunRecord, StateStore } from "../services/StateStore.js"
import { CliError } from "./CliError.js"
import { loadChecked } from "../daemon/ConfigChecks.js"
import type { LedgerRunJson } from "./JsonOutput.js"
import { table } from "./Table.js"
import { configOption, jsonOption } from "./Options.js"
import { runDeliveries } from "./RunDeliveries.js"

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

/** The state store on `$AGENC_HOME/agenc.db`, for commands that only read the ledger (no daemon needed). */
export const ledgerLayer = (loaded: LoadedConfig) =>
  StateStoreSqlite({ ledgerSize: loaded.config.heartbeat.ledgerSize }).pipe(Layer.provideMerge(Database(loaded.home)))

/** The state store opened read-only, for commands that only read: creates nothing, works on a read-only home. */
export const readLedgerLayer = (loaded: LoadedConfig) =>
  StateStoreSqlite({ ledgerSize: loaded.config.heartbeat.ledgerSize }).pipe(Layer.provideMerge(DatabaseReadOnly(loaded.home)))

/** `--since 2h` or `--since 2026-12-01T00:00Z`: epoch ms. */
const parseSince = (input: string, now: number): Either.Either<number, string> => {
  const duration = parseDurationMs(input)
  if (Either.isRight(duration)) return Either.right(now - duration.right)
  const at = Date.parse(input)
  return Number.isNaN(at) ? Either.left(`--since: "${input}" is neither a duration (30m, 2h, 1d) nor an ISO-8601 instant`) : Either.right(at)
}

/** One ledger record as `heartbeat runs --json` prints it. */
export const runJson = (run: RunRecord, linked: Pick<LedgerRunJson, "messageId" | "deliveries">): LedgerRunJson => {
  const ran = run.outcome !== "skipped" && run.outcome !== "missed"
  return {
    id: run.id ?? null,
    action: run.action,
    scheduledAt: iso(run.scheduledAt)!,
    trigger: run.trigger ?? "schedule",
    startedAt: ran ? iso(run.startedAt) : null,
    endedAt: ran && run.outcome !== "running" ? iso(run.endedAt) : null,
    outcome: run.outcome,
    reason: run.reason ?? null,
    error: run.error ?? null,
    message: run.message ?? null,
    messageId: linked.messageId,
    deliveries: linked.deliveries,
    count: run.count ?? 1,
    lastScheduledAt: iso(run.lastSlot ?? run.scheduledAt)!,
    plannedAt: iso(run.plannedAt)
  }
}

const detail = (run: RunRecord): string => {
  if (run.count !== undefined) return `${run.reason ?? ""}: ${run.count} slots to ${iso(run.lastSlot)}`
  return [run.reason, run.error].filter((part) => part !== undefined).join(": ")
}

/** An action name given on the command line must be configured or have records. */
const checkAction = (loaded: LoadedConfig, action: Option.Option<string>, known: (name: string) => Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    if (Option.isNone(action)) return undefined
    const configured = loaded.config.heartbeat.actions.map((entry) => entry.name)
    if (configured.includes(action.value) || (yield* known(action.value))) return action.value
    return yield* Effect.fail(CliError.usage(`no action named "${action.value}" (configured: ${configured.join(", ") || "none"})`))
  })

const actionArg = Args.text({ name: "action" }).pipe(Args.withDescription("only this action"), Args.optional)

const runs = Command.make("runs", {
  action: actionArg,
  since: Options.text("since").pipe(Options.withDescription("only slots since DURATION ago (30m, 2h, 1d) or since an ISO-8601 instant"), Options.optional),
  outcome: Options.choice("outcome", RUN_OUTCOMES).pipe(Options.withDescription("only records with this outcome"), Options.optional),
  limit: Options.integer("limit").pipe(Options.withDefault(50), Options.withDescription("at most this many records")),
  json: jsonOption,
  config: configOption
}, (args) =>
  Effect.gen(function*() {
    if (args.limit < 1) return yield* Effect.fail(CliError.usage("--limit must be at least 1"))
    const loaded = yield* loadConfig({ file: Option.getOrUndefined(args.config) })
    const now = yield* Clock.currentTimeMillis
    const since = Option.isNone(args.since) ? undefined : yield* Either.match(parseSince(args.since.value, now), {
      onLeft: (message) => Effect.fail(CliError.usage(message)),
      onRight: Effect.succeed
    })
    const records = yield* Effect.gen(function*() {
      const store = yield* StateStore
      const action = yield* checkAction(loaded, args.action, (name) =>
        store.runs({ action: name, limit: 1 }).pipe(Effect.map((rows) => rows.length > 0), Effect.orElseSucceed(() => false)))
      const found = yield* store.runs({ action, since, outcome: Option.getOrUndefined(args.outcome), limit: args.limit })
      return yield* Effect.forEach(found, (run) => Effect.map(runDeliveries(run), (now) => ({ run, ...now })))
    }).pipe(Effect.provide(readLedgerLayer(loaded)))
    if (args.json) {
      return yield* Console.log(JSON.stringify(records.map(({ run, ...linked }) => runJson(run, linked)), null, 2))
    }
    yield* Console.log(records.length === 0 ? "no records" : table(
      ["SLOT", "ACTION", "TRIGGER", "OUTCOME", "DETAIL"],
      records.map(({ deliveries, run }) => [
        iso(run.scheduledAt)!,
        run.action,
        run.trigger ?? "schedule",
        run.outcome,
        deliveries.length > 0 ? deliveries.map((delivery) => `${delivery.channel} ${delivery.status}`).join(", ") : detail(run)
      ])
    ))
  })
).pipe(Command.withDescription("the run ledger, newest slot first: every slot's outcome (ran, skipped or missed, with the reason) and manual runs"))

/** A slot as `heartbeat next` prints it: UTC and the action's local time with its offset. */
export const slotJson = (at: number, timezone: string) => {
  const zone = Option.getOrElse(CronSchedule.zoneFor(timezone), () => DateTime.zoneMakeOffset(0))
  return { at: new Date(at).toISOString(), local: DateTime.formatIsoOffset(DateTime.unsafeMakeZoned(at, { timeZone: zone })) }
}

const next = Command.make("next", {
  action: actionArg,
  count: Options.integer("count").pipe(Options.withDefault(5), Options.withDescription("how many slots of each action")),
  json: jsonOption,
  config: configOption
}, (args) =>
  Effect.gen(function*() {
    if (args.count < 1) return yield* Effect.fail(CliError.usage("--count must be at least 1"))
    const { loaded, registrations } = yield* loadChecked(args.config)
    yield* checkAction(loaded, args.action, () => Effect.succeed(false))
    const now = yield* Clock.currentTimeMillis
    const chosen = registrations.filter((registration) => Option.isNone(args.action) || registration.name === args.action.value)
    const pauses = yield* Effect.flatMap(StateStore, (store) => store.pauses(now)).pipe(Effect.provide(readLedgerLayer(loaded)))
    const plans = chosen.map((registration) => {
      const timezone = CronSchedule.timezoneOf(registration.schedule)
      const pause = pauses.find((pause) => pause.action === registration.name)
      const slots = nextSlots(registration, now, args.count, pause).map((at) => slotJson(at, timezone))
      return { action: registration.name, timezone, slots, paused: pauseJson(pause) }
    })
    if (args.json) return yield* Console.log(JSON.stringify(plans.map(({ action, paused, slots }) => ({ action, slots, paused })), null, 2))
    yield* Console.log(plans.length === 0 ? "no enabled actions" : table(
      ["ACTION", "SLOT (UTC)", "LOCAL", "ZONE"],
      plans.flatMap((plan) =>
        plan.slots.length === 0
          ? [[plan.action, `paused by ${plan.paused?.by ?? "operator"} until resumed`, "-", plan.timezone]]
          : plan.slots.map((slot) => [plan.action, slot.at, slot.local, plan.timezone]))
    ))
  })
).pipe(Command.withDescription("the next slots of each enabled action, in UTC and in the action's time zone"))

/** `agenc heartbeat runs` and `agenc heartbeat next`. */
export const heartbeatLedgerCommands = [runs, next] as const
