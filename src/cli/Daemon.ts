import { Command, Options } from "@effect/cli"
import { Console, Effect, Either, Option } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { runDaemon } from "../daemon/DaemonMain.js"
import { type DaemonStatus, daemonStatus } from "../daemon/DaemonStatus.js"
import * as DaemonControl from "../daemon/DaemonControl.js"
import { daemonPaths, shutdownLimitMs } from "../daemon/DaemonPaths.js"
import * as PidFile from "../daemon/PidFile.js"
import { LAUNCHD_LABEL, launchdPlist } from "../daemon/LaunchdPlist.js"
import * as Supervisor from "../daemon/Supervisor.js"
import { privateTmpProblem, SYSTEM_HOME, SYSTEM_USER, systemdUnit } from "../daemon/SystemdUnit.js"
import { parseDurationMs } from "../domain/DurationMs.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import { CliError, ExitCode } from "./CliError.js"
import { loadChecked, loadValidated, printWarnings } from "../daemon/ConfigChecks.js"
import { findDaemon } from "../daemon/DaemonLocator.js"
import { table } from "./Heartbeat.js"
import { printJson } from "./JsonOutput.js"
import { printScheduleSummary } from "./ScheduleSummary.js"
import { logsCommand } from "./DaemonLogs.js"
import { configOption, jsonOption } from "./Options.js"
import { zonedAndUtc } from "./TextTime.js"

/** The built CLI entry point (dist/cli.js), which the detached daemon and the unit run. */
const here = fileURLToPath(import.meta.url)
// Built, the CLI is one bundled file (this code lives inside dist/cli.js); compiled file by file, it is ../cli.js.
const cliPath = (): string => path.basename(here) === "cli.js" ? here : path.resolve(path.dirname(here), "../cli.js")

const timeoutOption = Options.text("timeout").pipe(
  Options.withPseudoName("DURATION"),
  Options.withDescription("how long to wait for the daemon to exit before SIGKILL (e.g. 10s)"),
  Options.withDefault("10s")
)

const parseTimeout = (text: string) =>
  Either.match(parseDurationMs(text), {
    onLeft: (message) => Effect.fail(CliError.usage(`--timeout: ${message}`)),
    onRight: Effect.succeed
  })

const failure = (message: string, code: number = ExitCode.failure) => new CliError({ message, code })

type PidErrors = PidFile.PidFileError | PidFile.AlreadyRunningError

const pidFileErrors = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, PidErrors> | CliError, R> =>
  Effect.mapError(effect, (error) =>
    error instanceof PidFile.PidFileError || error instanceof PidFile.AlreadyRunningError
      ? failure(error.message)
      : error as Exclude<E, PidErrors>)

const startDetached = (config: Option.Option<string>) =>
  Effect.gen(function*() {
    const { loaded, warnings } = yield* loadValidated(config)
    yield* printWarnings(warnings)
    const paths = daemonPaths(loaded)
    const state = yield* pidFileErrors(PidFile.inspect(paths.pidFile))
    if (state._tag === "Running") return yield* Effect.fail(failure(`already running (PID ${state.record.pid})`))
    const pid = yield* DaemonControl.startDetached({
      paths,
      cli: cliPath(),
      args: Option.match(config, { onNone: () => [], onSome: (file) => ["--config", path.resolve(file)] }),
      readyTimeoutMs: 15_000
    }).pipe(Effect.catchTag("StartFailedError", (error) =>
      Effect.fail(failure(
        `${error.message}${error.logTail === "" ? "" : `\n--- ${paths.logFile} ---\n${error.logTail}`}`,
        error.exitCode === ExitCode.config ? ExitCode.config : ExitCode.failure
      ))))
    yield* Console.log(String(pid))
  })

const start = Command.make("start", {
  foreground: Options.boolean("foreground").pipe(Options.withDescription("run in this process, logging to stderr")),
  config: configOption
}, ({ config, foreground }) =>
  foreground ? Effect.zipRight(printScheduleSummary(config), pidFileErrors(runDaemon(config))) : startDetached(config)).pipe(
  Command.withDescription("start the daemon (detached unless --foreground); prints its PID once it is ready")
)

const supervise = Command.make("supervise", { config: configOption }, ({ config }) =>
  Supervisor.runSupervisor({ configFile: Option.map(config, (file) => path.resolve(file)), cli: cliPath() }).pipe(
    pidFileErrors,
    Effect.catchTag("SupervisorError", (error) => Effect.fail(failure(error.message, error.code)))
  )).pipe(Command.withDescription("run the daemon under a supervisor in this process, restarting it when it crashes (what a detached start runs)"))

const stopDaemon = (config: Option.Option<string>, timeout: string) =>
  Effect.gen(function*() {
    const timeoutMs = yield* parseTimeout(timeout)
    // Found from what the running daemon recorded: a broken gateway.json on disk cannot hide it.
    const found = yield* pidFileErrors(findDaemon(config))
    // The supervisor first (it stops its daemon gracefully); then whatever daemon still runs, e.g. one
    // whose supervisor was SIGKILLed.
    const before = found.state
    const supervisor = yield* pidFileErrors(Supervisor.stopSupervisor(found.paths, timeoutMs))
    if (supervisor._tag === "Stopped") yield* Console.log(`stopped the supervisor (PID ${supervisor.pid})`)
    if (supervisor._tag === "Killed") yield* Console.error(`the supervisor (PID ${supervisor.pid}) did not exit within ${timeout}: killed with SIGKILL`)
    const state = supervisor._tag === "NotRunning" ? found.state : yield* pidFileErrors(findDaemon(config)).pipe(Effect.map((again) => again.state))
    const outcome = yield* pidFileErrors(DaemonControl.stop({ paths: found.paths, state }, timeoutMs))
    switch (outcome._tag) {
      case "NotRunning":
        return yield* Console.log(
          supervisor._tag !== "NotRunning"
            ? before._tag === "Running" ? `stopped (PID ${before.record.pid})` : "stopped"
            : outcome.removedStale === undefined ? "not running" : `not running (removed a stale PID file: ${outcome.removedStale})`
        )
      case "Stopped":
        return yield* Console.log(`stopped (PID ${outcome.pid})`)
      case "Killed":
        return yield* Effect.fail(failure(`PID ${outcome.pid} did not exit within ${timeout}: killed with SIGKILL`))
    }
  })

const stop = Command.make("stop", { timeout: timeoutOption, config: configOption }, ({ config, timeout }) => stopDaemon(config, timeout)).pipe(
  Command.withDescription("stop the daemon: SIGTERM, wait, SIGKILL after --timeout (exit 1 then); exit 0 if it was not running")
)

const restart = Command.make("restart", { timeout: timeoutOption, config: configOption }, ({ config, timeout }) =>
  // The new file first: an invalid one leaves the running daemon untouched (exit 78).
  loadValidated(config).pipe(
    Effect.zipRight(parseTimeout(timeout)),
    Effect.zipRight(stopDaemon(config, timeout)),
    Effect.zipRight(startDetached(config))
  )).pipe(
  Command.withDescription("validate gateway.json, then stop the daemon if it runs and start it detached; an invalid file changes nothing (exit 78)")
)

const reload = Command.make("reload", { config: configOption }, ({ config }) =>
  Effect.gen(function*() {
    // The daemon would reject an invalid file and keep running; say so here, before asking it.
    const { warnings } = yield* loadValidated(config)
    yield* printWarnings(warnings)
    const { state } = yield* pidFileErrors(findDaemon(config))
    if (state._tag !== "Running" || !DaemonControl.signalVerified(state.record, "SIGHUP", true)) {
      return yield* Effect.fail(failure("not running", ExitCode.notRunning))
    }
    yield* Console.log(`reload requested (PID ${state.record.pid})`)
  })).pipe(Command.withDescription("validate gateway.json, then ask the daemon to re-read it (SIGHUP); an invalid file changes nothing (exit 78)"))

const status = Command.make("status", { json: jsonOption, config: configOption }, ({ config, json }) =>
  Effect.gen(function*() {
    const found = yield* pidFileErrors(findDaemon(config))
    // A broken file on disk does not change what the daemon is doing: report it beside the live view.
    const checked = yield* Effect.either(loadChecked(config))
    const registrations = Either.isRight(checked) ? checked.right.registrations : []
    const configError = Option.orElse(found.configError, () => Either.getLeft(checked))
    // SQLite errors fall through to the CLI's general failure (exit 1) with their message.
    const report = yield* pidFileErrors(daemonStatus({ ...found, configError }, registrations))
    if (report.configError !== null) yield* printWarnings([`gateway.json is invalid, showing the running daemon's view: ${report.configError}`])
    if (json) {
      const supervisor = yield* pidFileErrors(Supervisor.supervisorStatus(found.paths))
      yield* printJson({ ...report, supervisor })
    } else {
      const uptime = report.uptimeMs === null ? "" : `, up ${Math.round(report.uptimeMs / 1000)}s`
      yield* Console.log(
        report.state === "running"
          ? `running (PID ${report.pid}${uptime})`
          : report.state === "unresponsive"
          ? `unresponsive (PID ${report.pid}${uptime}): no answer on ${found.paths.socket} within 3s`
          : report.state === "stale"
          ? `not running: stale PID file (${report.staleReason})`
          : "not running"
      )
      const supervisor = yield* pidFileErrors(Supervisor.supervisorStatus(found.paths))
      yield* Console.log(
        supervisor.state === "running"
          ? `supervisor: running (PID ${supervisor.pid})${report.state === "running" ? "" : ", restarting the daemon"}`
          : supervisor.state === "stale"
          ? `supervisor: not running (PID ${supervisor.pid} is gone)${report.state === "running" ? "; the daemon runs unsupervised" : ""}`
          : "supervisor: none"
      )
      yield* Console.log(`restarts: ${report.restarts}`)
      for (const line of loopWarnings(report)) yield* Console.log(line)
      if (report.lastCrash !== null) {
        yield* Console.log(`last crash: ${report.lastCrash.at} PID ${report.lastCrash.pid}: ${report.lastCrash.reason}`)
      }
      if (report.actions.length > 0) {
        yield* Console.log(table(
          ["NAME", "SCHEDULE", "TIMEZONE", "NEXT RUN", "LAST RUN", "OUTCOME", "MISSED 24H", "SKIPPED 24H"],
          report.actions.map((a) => [a.name, a.schedule, a.timezone, zonedOrDash(a.nextRunAt, a.timezone), zonedOrDash(a.lastRunAt, a.timezone), a.running ? "running" : a.lastOutcome ?? "-", String(a.missed24h), String(a.skipped24h)])
        ))
      }
    }
    if (report.state === "unresponsive") return yield* Effect.fail(failure(`PID ${report.pid} does not answer on its control socket`, ExitCode.unresponsive))
    if (report.state === "stale") return yield* Effect.fail(failure("stale PID file", ExitCode.failure))
    if (report.state === "stopped") return yield* Effect.fail(failure("not running", ExitCode.notRunning))
  })).pipe(Command.withDescription("show whether the daemon runs (exit 0), left a stale PID file (1), is stopped (3) or does not answer (4)"))

/** An ISO time of the report in the action's zone next to UTC, or `-` for none. */
const zonedOrDash = (at: string | null, timezone: string) => (at === null ? "-" : zonedAndUtc(Date.parse(at), timezone))

/** Lines about loops that were restarted or are down, and dead letters; nothing when all is well. */
const loopWarnings = (report: DaemonStatus): ReadonlyArray<string> => {
  const lines: Array<string> = []
  const loops = report.loops
  if (loops !== null) {
    const all = [["scheduler", loops.scheduler] as const, ...Object.entries(loops.channels).map(([name, loop]) => [`channel ${name}`, loop] as const)]
    for (const [name, loop] of all) {
      if (!loop.alive || loop.restarts > 0) lines.push(`loop ${name}: ${loop.alive ? "alive" : "down"}, restarted ${loop.restarts} times after a defect`)
    }
  }
  for (const [channel, n] of Object.entries(report.deadLetters ?? {})) {
    if (n > 0) lines.push(`channel ${channel}: ${n} dead letter(s) (unreadable outbox rows, kept with their reason)`)
  }
  return lines
}

const unit = Command.make("systemd-unit", {
  user: Options.boolean("user").pipe(Options.withDescription("a user unit (systemctl --user), wanted by default.target")),
  runAs: Options.text("run-as").pipe(
    Options.withDescription(`system unit: the account (and group) the daemon runs as (default ${SYSTEM_USER})`),
    Options.optional
  ),
  home: Options.text("home").pipe(
    Options.withDescription(`system unit: AGENC_HOME of the service (default ${SYSTEM_HOME}, created by systemd as its StateDirectory)`),
    Options.optional
  ),
  config: configOption
}, ({ config, home, runAs, user }) =>
  Effect.gen(function*() {
    if (user && Option.isSome(runAs)) return yield* Effect.fail(CliError.usage("--run-as: only for the system unit (a user unit runs as you)"))
    if (user && Option.isSome(home)) return yield* Effect.fail(CliError.usage("--home: only for the system unit (a user unit uses AGENC_HOME)"))
    const account = Option.getOrElse(runAs, () => SYSTEM_USER)
    if (!/^[a-z_][a-z0-9_-]*[$]?$/i.test(account) || account.length > 32) {
      return yield* Effect.fail(CliError.usage(`--run-as: "${account}" is not a user name`))
    }
    const serviceHome = user ? undefined : path.resolve(Option.getOrElse(home, () => SYSTEM_HOME))
    const configFile = Option.getOrUndefined(Option.map(config, (file) => path.resolve(file)))
    if (!user) {
      const problem = privateTmpProblem("--home", serviceHome!) ?? (configFile === undefined ? undefined : privateTmpProblem("--config", configFile))
      if (problem !== undefined) return yield* Effect.fail(CliError.usage(problem))
    }
    const loaded = yield* loadConfig({ file: configFile, home: serviceHome })
    const daemon = loaded.config.daemon
    yield* Console.log(systemdUnit({
      user,
      node: process.execPath,
      cli: cliPath(),
      home: loaded.home,
      configFile,
      watchdogSec: Math.max(1, Math.round(daemon.watchdogInterval / 1000)),
      stopTimeoutSec: Math.ceil(shutdownLimitMs(daemon.shutdownGrace) / 1000) + 5,
      runAs: user ? undefined : account,
      restartDelayMs: daemon.restartDelay,
      startLimitBurst: daemon.restartLimit.burst,
      startLimitIntervalSec: Math.max(1, Math.ceil(daemon.restartLimit.interval / 1000))
    }).trimEnd())
  })).pipe(Command.withDescription("print a systemd unit for the daemon (Type=notify, watchdog, restart on failure; the system unit runs as --run-as)"))

const plist = Command.make("launchd-plist", {
  label: Options.text("label").pipe(Options.withDescription(`the job's Label (default ${LAUNCHD_LABEL})`), Options.withDefault(LAUNCHD_LABEL)),
  config: configOption
}, ({ config, label }) =>
  Effect.gen(function*() {
    if (!/^[A-Za-z0-9._-]+$/.test(label)) return yield* Effect.fail(CliError.usage(`--label: "${label}" is not a launchd label (letters, digits, . _ -)`))
    const configFile = Option.getOrUndefined(Option.map(config, (file) => path.resolve(file)))
    const loaded = yield* loadConfig({ file: configFile })
    const daemon = loaded.config.daemon
    yield* Console.log(launchdPlist({
      label,
      node: process.execPath,
      cli: cliPath(),
      home: loaded.home,
      configFile,
      logFile: daemonPaths(loaded).logFile,
      throttleIntervalSec: Math.max(1, Math.ceil(daemon.restartDelay / 1000)),
      exitTimeoutSec: Math.ceil(shutdownLimitMs(daemon.shutdownGrace) / 1000) + 5
    }).trimEnd())
  })).pipe(Command.withDescription("print a macOS LaunchAgent plist for the daemon (RunAtLoad, KeepAlive on crash)"))

/** `agenc daemon`: lifecycle of the background gateway. */
export const daemonCommand = Command.make("daemon").pipe(
  Command.withDescription("start, stop, restart, reload and inspect the daemon"),
  Command.withSubcommands([start, stop, restart, reload, status, unit, supervise, logsCommand, plist])
)
