import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, Effect, Either, Option } from "effect"
import { parseDurationMs } from "../domain/DurationMs.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import { type Pause, StateStore } from "../services/StateStore.js"
import { CliError } from "./CliError.js"
import { ledgerLayer } from "./HeartbeatRuns.js"
import { configOption } from "./Options.js"

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

const describePause = (pause: Pause) =>
  `paused since ${iso(pause.since)} by ${pause.by}${pause.reason === undefined ? "" : ` (${pause.reason})`}${pause.until === undefined ? "" : `, until ${iso(pause.until)}`}`

const configuredAction = (loaded: LoadedConfig, action: string) => {
  const configured = loaded.config.heartbeat.actions.map((entry) => entry.name)
  return configured.includes(action)
    ? Effect.succeed(action)
    : Effect.fail(CliError.usage(`no action named "${action}" (configured: ${configured.join(", ") || "none"})`))
}

const actionArg = Args.text({ name: "action" }).pipe(Args.withDescription("name of the action in gateway.json"))

const pause = Command.make("pause", {
  action: actionArg,
  reason: Options.text("reason").pipe(Options.withDescription("why (shown by list, next and status)"), Options.optional),
  for: Options.text("for").pipe(Options.withDescription("resume by itself after DURATION (30m, 2h, 1d)"), Options.optional),
  config: configOption
}, (args) =>
  Effect.gen(function*() {
    const loaded = yield* loadConfig({ file: Option.getOrUndefined(args.config) })
    const action = yield* configuredAction(loaded, args.action)
    const forMs = Option.isNone(args.for) ? undefined : yield* Either.match(parseDurationMs(args.for.value), {
      onLeft: (message) => Effect.fail(CliError.usage(`--for: ${message}`)),
      onRight: (ms) => ms > 0 ? Effect.succeed(ms) : Effect.fail(CliError.usage("--for must be longer than 0"))
    })
    const now = yield* Clock.currentTimeMillis
    const result = yield* Effect.flatMap(StateStore, (store) =>
      store.pause({ action, since: now, reason: Option.getOrUndefined(args.reason), until: forMs === undefined ? undefined : now + forMs, by: "operator" })
    ).pipe(Effect.provide(ledgerLayer(loaded)))
    // The scheduler reads the pause at every slot's claim: a running daemon applies it from its next slot.
    yield* Console.log(result.created ? `${action} ${describePause(result.pause)}` : `${action} is already ${describePause(result.pause)}; nothing changed`)
  })
).pipe(Command.withDescription("pause an action: its slots are recorded as skipped (paused) until resumed or --for has passed; works with or without a running daemon"))

const resume = Command.make("resume", { action: actionArg, config: configOption }, (args) =>
  Effect.gen(function*() {
    const loaded = yield* loadConfig({ file: Option.getOrUndefined(args.config) })
    const action = yield* configuredAction(loaded, args.action)
    const now = yield* Clock.currentTimeMillis
    const resumed = yield* Effect.flatMap(StateStore, (store) => store.resume(action)).pipe(Effect.provide(ledgerLayer(loaded)))
    const active = Option.filter(resumed, (pause) => pause.until === undefined || pause.until > now)
    yield* Console.log(Option.isSome(active) ? `${action} resumed (was ${describePause(active.value)})` : `${action} is not paused; nothing changed`)
  })
).pipe(Command.withDescription("resume a paused action from its next slot"))

/** `agenc heartbeat pause` and `agenc heartbeat resume`. */
export const heartbeatPauseCommands = [pause, resume] as const
