import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import * as ControlClient from "../daemon/ControlClient.js"
import { findDaemon } from "../daemon/DaemonLocator.js"
import { decodeRunReport } from "../daemon/ControlProtocol.js"
import { CliError, ExitCode } from "./CliError.js"
import { printJson, runJson } from "./JsonOutput.js"
import { configOption, jsonOption } from "./Options.js"
import { printRunLines } from "./RunReportOutput.js"

/** `agenc heartbeat trigger ACTION`: asks the running daemon, over its control socket, to run the action now. */
export const heartbeatTrigger = Command.make("trigger", {
  action: Args.text({ name: "action" }).pipe(Args.withDescription("name of the action in gateway.json")),
  // The trigger has always waited for its run; `--wait` says so explicitly for scripts (exit 0 notified/quiet, 1 failed/timed-out).
  wait: Options.boolean("wait").pipe(Options.withDescription("wait for the run to end: exit 0 for notified or quiet, 1 for failed or timed-out")),
  json: jsonOption,
  config: configOption
}, (args) =>
  Effect.gen(function*() {
    // Found from what the running daemon recorded: a broken gateway.json on disk cannot hide it.
    const { paths, state } = yield* findDaemon(args.config).pipe(Effect.mapError((error) => new CliError({ message: error.message, code: ExitCode.failure })))
    if (state._tag !== "Running") {
      return yield* Effect.fail(new CliError({ message: "the daemon is not running (use `agenc heartbeat run` to run an action in this process)", code: ExitCode.notRunning }))
    }
    // The run may take as long as the action's timeout: wait for it, not for a fixed socket timeout.
    const response = yield* ControlClient.requestResult(paths.socket, { op: "trigger", action: args.action }, decodeRunReport, { timeoutMs: 24 * 3_600_000 }).pipe(
      Effect.mapError((error) => new CliError({ message: error.message, code: ExitCode.failure }))
    )
    if (!response.ok) {
      return yield* Effect.fail(new CliError({ message: response.error, code: response.code === "unknown-action" ? ExitCode.usage : ExitCode.failure }))
    }
    const report = response.result
    if (args.json) {
      yield* printJson(runJson(report))
    } else {
      // The daemon's console channel printed on the daemon's stdout, not here: always show the message.
      yield* printRunLines(report, { showMessage: true })
    }
    if (report.outcome === "failed" || report.outcome === "timed-out") {
      return yield* Effect.fail(new CliError({ message: `${args.action} ${report.outcome}: ${report.error ?? ""}`, code: ExitCode.failure }))
    }
  })
).pipe(Command.withDescription("ask the running daemon to run one action now, and print the result"))
