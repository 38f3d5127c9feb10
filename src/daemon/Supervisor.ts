import { Clock, Data, Effect, Option } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { loadChecked } from "./ConfigChecks.js"
import { Database } from "../layers/Database.js"
import { Logging } from "../layers/Logging.js"
import type { RestartLimit } from "../domain/DaemonConfig.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import * as CrashLog from "./CrashLog.js"
import { daemonPaths, type DaemonPaths, shutdownLimitMs } from "./DaemonPaths.js"
import { followRotatedStdio, followStdioIfRotated, stdioIsLogFile } from "./LogRotation.js"
import * as PidFile from "./PidFile.js"
import { stillRunning } from "../domain/ProcessIdentity.js"

/**
 * The supervisor's PID file, next to the daemon's: `gateway.pid` -> `gateway.supervisor.pid`, same format
 * (PID, start time, boot id). The daemon's PID file always names the daemon itself, so `reload`, `status`
 * and systemd-less tools find it as before; `status` and `stop` find the supervisor here.
 */
export const supervisorPidFile = (paths: DaemonPaths): string => `${paths.pidFile.replace(/\.pid$/, "")}.supervisor.pid`

// ---- the restart policy (pure) ---------------------------------------------------------------------

/**
 * Backoff of the supervisor: the first restart after `daemon.restartDelay` (100 ms, as systemd's
 * RestartSec: a crashed daemon answers again within 2 s), then 1 s doubling to 60 s; back to the first
 * once the daemon stayed up 10 minutes.
 */
export const BACKOFF = { initialMs: 1_000, maxMs: 60_000, resetAfterMs: 600_000 } as const

/** What the supervisor remembers between crashes. */
export interface RestartState {
  /** Crashes since the daemon last stayed up `resetAfterMs`: which delay comes next. */
  readonly consecutive: number
  /** When the recent crashes happened (epoch ms), for `daemon.restartLimit`. */
  readonly crashes: ReadonlyArray<number>
}

export const initialRestartState: RestartState = { consecutive: 0, crashes: [] }

/** What to do after a crash. */
export type RestartDecision =
  | { readonly _tag: "Restart"; readonly delayMs: number; readonly state: RestartState }
  | { readonly _tag: "GiveUp"; readonly crashesInWindow: number }

/**
 * After a crash at `now` of a daemon that had been up `uptimeMs`: restart after the backoff delay, or give
 * up when restarting would exceed `limit.burst` restarts within `limit.interval`.
 */
export const afterCrash = (
  state: RestartState,
  crash: { readonly now: number; readonly uptimeMs: number },
  policy: { readonly firstDelayMs: number; readonly limit: RestartLimit }
): RestartDecision => {
  const { limit } = policy
  const consecutive = (crash.uptimeMs >= BACKOFF.resetAfterMs ? 0 : state.consecutive) + 1
  const crashes = [...state.crashes.filter((at) => at > crash.now - limit.interval), crash.now]
  if (crashes.length > limit.burst) return { _tag: "GiveUp", crashesInWindow: crashes.length }
  const delayMs = consecutive === 1 ? policy.firstDelayMs : Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** (consecutive - 2))
  return { _tag: "Restart", delayMs, state: { consecutive, crashes } }
}

// ---- the supervisor process ------------------------------------------------------------------------

/** The supervisor stopped supervising: the daemon cannot be (re)started. Its code is the process's exit code. */
export class SupervisorError extends Data.TaggedError("SupervisorError")<{ readonly message: string; readonly code: number }> {}

/** How one daemon process ended. */
interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

const describeEnd = (ended: Ended): string =>
  ended.signal !== null ? `killed by ${ended.signal}` : `exited with code ${ended.code}`

/** The exit code of the config error the daemon reports (EX_CONFIG): restarting cannot help. */
const EX_CONFIG = 78

interface Daemon {
  readonly child: ChildProcess
  readonly ended: Promise<Ended>
}

/**
 * One daemon process (`daemon start --foreground`, output on the supervisor's stdout/stderr) for the
 * scope. Closing the scope while it runs stops it gracefully: SIGTERM, then SIGKILL past the shutdown limit.
 */
const daemonProcess = (options: { readonly cli: string; readonly args: ReadonlyArray<string>; readonly stopLimitMs: number }) =>
  Effect.acquireRelease(
    Effect.sync((): Daemon => {
      const child = spawn(process.execPath, [options.cli, "daemon", "start", "--foreground", ...options.args], {
        stdio: ["ignore", "inherit", "inherit"],
        env: process.env
      })
      const ended = new Promise<Ended>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })))
      return { child, ended }
    }),
    ({ child, ended }) =>
      child.exitCode !== null || child.signalCode !== null
        ? Effect.void
        : Effect.sync(() => child.kill("SIGTERM")).pipe(
          Effect.zipRight(Effect.promise(() => ended).pipe(Effect.timeout(options.stopLimitMs))),
          Effect.catchTag("TimeoutException", () => Effect.sync(() => child.kill("SIGKILL")).pipe(Effect.zipRight(Effect.promise(() => ended)))),
          Effect.zipRight(Effect.logInfo(`supervisor: daemon PID ${child.pid} stopped`))
        )
  )

/** Records a crash (or the give-up) where `daemon status` reads it, in the state store. */
const record = (home: string, crash: CrashLog.CrashRecord) =>
  CrashLog.recordCrash(crash).pipe(
    Effect.provide(Database(home)),
    Effect.catchAllCause((cause) => Effect.logWarning("supervisor: could not record the crash", cause))
  )

/**
 * `agenc daemon supervise` (what a detached `daemon start` runs): holds the supervisor PID file, runs the
 * daemon as its child and restarts it when it dies by a signal or a non-zero exit (not 78, a bad config),
 * after the backoff; gives up past `daemon.restartLimit`, with a crash record saying so. A daemon that exits
 * 0 was stopped on purpose: the supervisor ends too. SIGTERM/SIGINT (the runtime interrupts this fiber)
 * stop the daemon gracefully, then the supervisor; SIGHUP is passed on to the daemon (reload).
 */
export const runSupervisor = (options: { readonly configFile: Option.Option<string>; readonly cli: string }) =>
  Effect.flatMap(loadChecked(options.configFile), ({ loaded }) =>
    supervise(loaded, options).pipe(
      Effect.scoped,
      Effect.onInterrupt(() => Effect.logInfo("supervisor stopped")),
      Effect.provide(Logging(loaded.config.log))
    ))

const supervise = (loaded: LoadedConfig, options: { readonly configFile: Option.Option<string>; readonly cli: string }) =>
  Effect.gen(function*() {
    const paths = daemonPaths(loaded)
    const daemonConfig = loaded.config.daemon
    yield* PidFile.acquire(supervisorPidFile(paths))
    // The daemon rotates the log it shares with us; our lines and the next daemon's follow to the new file.
    const sharesLog = stdioIsLogFile(paths.logFile)
    yield* followRotatedStdio(paths.logFile)
    const args = Option.match(options.configFile, { onNone: () => [], onSome: (file) => ["--config", file] })
    const stopLimitMs = shutdownLimitMs(daemonConfig.shutdownGrace) + 2_000
    const current: { daemon: Daemon | undefined } = { daemon: undefined }
    const onHup = () => current.daemon?.child.kill("SIGHUP")
    yield* Effect.acquireRelease(Effect.sync(() => process.on("SIGHUP", onHup)), () => Effect.sync(() => process.off("SIGHUP", onHup)))
    yield* Effect.logInfo(`supervisor started (PID ${process.pid})`)

    let state = initialRestartState
    for (let restart = 0;; restart++) {
      const other = yield* PidFile.inspect(paths.pidFile)
      if (other._tag === "Running") {
        return yield* Effect.fail(new SupervisorError({ message: `another daemon runs (PID ${other.record.pid}): not starting one`, code: 1 }))
      }
      // The new daemon inherits our stdout/stderr: the live log file, not one rotated since.
      if (sharesLog) yield* Effect.ignore(Effect.try(() => followStdioIfRotated(paths.logFile)))
      const outcome = yield* Effect.scoped(Effect.gen(function*() {
        const daemon = yield* daemonProcess({ cli: options.cli, args, stopLimitMs })
        current.daemon = daemon
        const startedAt = yield* Clock.currentTimeMillis
        yield* Effect.logInfo(`supervisor: daemon started (PID ${daemon.child.pid}${restart > 0 ? `, restart ${restart}` : ""})`)
        const ended = yield* Effect.promise(() => daemon.ended)
        current.daemon = undefined
        return { ended, pid: daemon.child.pid!, uptimeMs: (yield* Clock.currentTimeMillis) - startedAt }
      }))
      const { ended, pid } = outcome
      const now = yield* Clock.currentTimeMillis
      if (ended.code === 0) {
        yield* Effect.logInfo(`supervisor: the daemon (PID ${pid}) exited cleanly; supervisor ends`)
        return
      }
      if (ended.code === EX_CONFIG) {
        // The config became invalid since the supervisor read it: restarting cannot help (systemd: RestartPreventExitStatus=78).
        yield* record(loaded.home, { at: now, pid, reason: `${describeEnd(ended)} (invalid configuration): not restarted` })
        return yield* Effect.fail(new SupervisorError({ message: `the daemon ${describeEnd(ended)} (invalid configuration): not restarted`, code: EX_CONFIG }))
      }
      const decision = afterCrash(state, { now, uptimeMs: outcome.uptimeMs }, { firstDelayMs: daemonConfig.restartDelay, limit: daemonConfig.restartLimit })
      if (decision._tag === "GiveUp") {
        const reason = `${describeEnd(ended)}; gave up: ${decision.crashesInWindow} crashes within ${daemonConfig.restartLimit.interval / 1000} s (daemon.restartLimit allows ${daemonConfig.restartLimit.burst} restarts)`
        yield* record(loaded.home, { at: now, pid, reason })
        yield* Effect.logError(`supervisor: daemon PID ${pid} ${reason}`)
        return yield* Effect.fail(new SupervisorError({ message: `the daemon ${reason}`, code: 1 }))
      }
      state = decision.state
      const reason = `${describeEnd(ended)}; restarted by the supervisor after ${decision.delayMs / 1000} s`
      yield* Effect.logWarning(`supervisor: daemon PID ${pid} ${reason}`)
      // Recorded before the next daemon starts (it would otherwise record the crash itself, vaguer), during the delay.
      yield* Effect.all([record(loaded.home, { at: now, pid, reason }), Effect.sleep(decision.delayMs)], { concurrency: 2 })
    }
  })

// ---- status and stop -------------------------------------------------------------------------------

/** The supervisor part of `agenc daemon status`. */
export interface SupervisorStatus {
  readonly state: "running" | "stale" | "stopped"
  readonly pid: number | null
}

/** Whether a supervisor runs for these paths (read from its PID file, identity checked). */
export const supervisorStatus = (paths: DaemonPaths) =>
  PidFile.inspect(supervisorPidFile(paths)).pipe(Effect.map((state): SupervisorStatus =>
    state._tag === "Running"
      ? { state: "running", pid: state.record.pid }
      : state._tag === "Stale"
      ? { state: "stale", pid: state.stale.record?.pid ?? null }
      : { state: "stopped", pid: null }
  ))

/** How stopping the supervisor ended. */
export type SupervisorStop =
  | { readonly _tag: "NotRunning" }
  | { readonly _tag: "Stopped"; readonly pid: number }
  | { readonly _tag: "Killed"; readonly pid: number }

/**
 * Stops a running supervisor (SIGTERM: it stops the daemon gracefully, then exits), SIGKILL after
 * `timeoutMs`; the daemon itself is then the caller's to stop through its own PID file. A supervisor PID
 * file whose process is gone (the supervisor was SIGKILLed) is removed.
 */
export const stopSupervisor = (paths: DaemonPaths, timeoutMs: number) =>
  Effect.gen(function*() {
    const file = supervisorPidFile(paths)
    const state = yield* PidFile.inspect(file)
    if (state._tag === "Stale") yield* Effect.sync(() => fs.rmSync(file, { force: true }))
    if (state._tag !== "Running") return { _tag: "NotRunning" } satisfies SupervisorStop
    const record = state.record
    yield* Effect.sync(() => process.kill(record.pid, "SIGTERM"))
    const deadline = (yield* Clock.currentTimeMillis) + timeoutMs
    while ((yield* Clock.currentTimeMillis) < deadline) {
      if (!stillRunning(record).running) return { _tag: "Stopped", pid: record.pid } satisfies SupervisorStop
      yield* Effect.sleep(50)
    }
    yield* Effect.sync(() => {
      try {
        process.kill(record.pid, "SIGKILL")
      } catch {
        // It ended between the last check and now.
      }
    })
    return { _tag: "Killed", pid: record.pid } satisfies SupervisorStop
  })

/** The parent PID of `pid` (field 4 of `/proc/PID/stat`), or undefined without `/proc`. */
export const parentOf = (pid: number): number | undefined => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
  } catch {
    return undefined
  }
}
