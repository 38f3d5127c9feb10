import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, Effect } from "effect"
import * as CronSchedule from "../domain/CronSchedule.js"
import { MainLayer } from "../layers/MainLayer.js"
import { Scheduler } from "../services/Scheduler.js"
import { StateStore } from "../services/StateStore.js"
import { CliError, ExitCode } from "./CliError.js"
import { loadChecked } from "../daemon/ConfigChecks.js"
import { formatJson } from "./JsonOutput.js"
import { dryRun } from "./HeartbeatDryRun.js"
import { printRunReport } from "./RunReportOutput.js"
import { resultsOnlyOnStdout } from "./Streams.js"
import { zonedAndUtc } from "./TextTime.js"
import { pauseJson } from "../heartbeat/Pauses.js"
import { heartbeatPauseCommands } from "./HeartbeatPause.js"
import { heartbeatLedgerCommands, readLedgerLayer } from "./HeartbeatRuns.js"
import { heartbeatTrigger } from "./HeartbeatTrigger.js"
import { listedActions } from "./ListedActions.js"
import { configOption, jsonOption } from "./Options.js"

import { table } from "./Table.js"

export { table }

const list = Command.make("list", { config: configOption, json: jsonOption }, ({ config, json }) =>
  Effect.gen(function*() {
    const checked = yield* loadChecked(config)
    const { loaded } = checked
    const listed = yield* listedActions(loaded, checked.registrations)
    const registrations = listed.map(({ registration }) => registration)
    const now = yield* Clock.currentTimeMillis
    // The ledger's view of each action: its last outcome, and what did not run in the last 24 h.
    const ledger = yield* Effect.gen(function*() {
      const store = yield* StateStore
      const pauses = yield* store.pauses(now)
      return yield* Effect.forEach(registrations, (registration) =>
        Effect.gen(function*() {
          const [last] = yield* store.runs({ action: registration.name, limit: 1 })
          const counts = yield* store.outcomeCounts(registration.name, now - 86_400_000)
          const paused = pauseJson(pauses.find((pause) => pause.action === registration.name))
          return { lastOutcome: last?.outcome ?? null, missed24h: counts.missed ?? 0, skipped24h: counts.skipped ?? 0, paused }
        }))
    }).pipe(Effect.provide(readLedgerLayer(loaded)))
    const rows = registrations.map((registration, index) => ({
      name: registration.name,
      description: registration.action.description,
      enabled: listed[index]!.enabled,
      schedule: registration.schedule.expression,
      timezone: CronSchedule.timezoneOf(registration.schedule),
      nextRunAt: listed[index]!.enabled ? new Date(CronSchedule.next(registration.schedule, now)).toISOString() : null,
      ...ledger[index]!
    }))
    yield* Console.log(
      json
        ? formatJson(rows)
        : rows.length === 0
        ? "no actions configured"
        : table(
          ["NAME", "SCHEDULE", "TIMEZONE", "NEXT RUN", "LAST OUTCOME", "MISSED 24H", "SKIPPED 24H", "PAUSED"],
          rows.map((row) => [
            row.name, row.schedule, row.timezone, row.nextRunAt === null ? "disabled" : zonedAndUtc(Date.parse(row.nextRunAt), row.timezone), row.lastOutcome ?? "-", String(row.missed24h), String(row.skipped24h),
            row.paused === null ? "-" : `by ${row.paused.by}${row.paused.until === null ? "" : ` until ${row.paused.until}`}`
          ])
        )
    )
  })
).pipe(Command.withDescription("list the configured actions (disabled ones too), their schedules, time zones and next runs"))

const run = Command.make("run", {
  action: Args.text({ name: "action" }).pipe(Args.withDescription("name of the action in gateway.json")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("run it and say what it would send, but write nothing: no delivery, no session update, no ledger record")),
  json: Options.boolean("json").pipe(Options.withDescription("print the result as JSON")),
  config: configOption
}, (args) =>
  Effect.gen(function*() {
    const { loaded, registrations } = yield* loadChecked(args.config)
    if (!registrations.some((registration) => registration.name === args.action)) {
      return yield* Effect.fail(CliError.usage(`no action named "${args.action}" (configured: ${registrations.map((r) => r.name).join(", ") || "none"})`))
    }
    const registration = registrations.find((registration) => registration.name === args.action)!
    const dry = args.dryRun ? yield* resultsOnlyOnStdout(dryRun(loaded, registration)) : undefined
    const report = dry?.report ?? (yield* resultsOnlyOnStdout(Effect.gen(function*() {
      const scheduler = yield* Scheduler
      yield* scheduler.reconcile(registrations)
      return yield* scheduler.runNow(args.action)
    }).pipe(
      Effect.provide(MainLayer(loaded)),
      // Another run of the action is in progress (the daemon's, or another `heartbeat run`): refused, not raced.
      Effect.catchTag("ActionBusyError", (error) => Effect.fail(new CliError({ message: error.message, code: ExitCode.failure })))
    )))
    yield* printRunReport(loaded, report, { json: args.json, dryRun: dry })
    if (report.outcome === "failed" || report.outcome === "timed-out") {
      return yield* Effect.fail(new CliError({ message: `${args.action} ${report.outcome}: ${report.error ?? ""}`, code: 1 }))
    }
  })
).pipe(Command.withDescription("run one action once now, with its real session and data source, and deliver the result unless --dry-run"))

/** `agenc heartbeat`. */
export const heartbeatCommand = Command.make("heartbeat").pipe(
  Command.withDescription("inspect and run heartbeat actions"),
  Command.withSubcommands([list, run, heartbeatTrigger, ...heartbeatLedgerCommands, ...heartbeatPauseCommands])
)
