import { Cause, Clock, Effect, Exit, Fiber, Layer, Option } from "effect"
import * as fs from "node:fs"
import { loadValidated, printWarnings } from "./ConfigChecks.js"
import { MainLayer } from "../layers/MainLayer.js"
import { MetricsServer } from "../layers/MetricsServer.js"
import { wantsJson } from "../layers/Logging.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import { type Registration, Scheduler } from "../services/Scheduler.js"
import { ControlCommands } from "./ControlCommands.js"
import { serveControl } from "./ControlServer.js"
import * as CrashLog from "./CrashLog.js"
import { checkSocketPath, daemonPaths, shutdownLimitMs } from "./DaemonPaths.js"
import * as PidFile from "./PidFile.js"
import { monotonicUsec, SdNotify, SdNotifyLive, watchdog } from "./SdNotify.js"
import { type DaemonSignals, installSignals } from "./Signals.js"
import { describeFailure } from "../domain/DescribeError.js"
import { toJson } from "../domain/Json.js"
import * as Retention from "../layers/Retention.js"
import { rotateOwnStdio } from "./LogRotation.js"

/** Runs a shutdown step as a scope finalizer, naming it for the hard deadline. */
const shutdownStep = <R>(signals: DaemonSignals, name: string, step: Effect.Effect<unknown, never, R>) =>
  Effect.addFinalizer(() =>
    Effect.sync(() => (signals.state.step = name)).pipe(
      Effect.zipRight(Effect.logDebug(`shutdown: ${name}`)),
      Effect.zipRight(step)
    )
  )

/** SIGHUP: re-reads the config; a valid one reschedules what changed, an invalid one is logged and ignored. */
const reload = (configFile: Option.Option<string>, current: { loaded: LoadedConfig }) =>
  Effect.gen(function*() {
    const notify = yield* SdNotify
    const scheduler = yield* Scheduler
    yield* notify.notify(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec()}\nSTATUS=reloading configuration`)
    const next = yield* Effect.either(loadValidated(configFile))
    if (next._tag === "Left") {
      yield* Effect.logError(`reload rejected, keeping the running configuration: ${next.left.line}`)
      yield* notify.notify("READY=1\nSTATUS=reload rejected: invalid configuration")
      return
    }
    const { added, changed, removed } = yield* scheduler.reconcile(next.right.registrations)
    const { heartbeat: _before, ...restBefore } = current.loaded.config
    const { heartbeat: _after, ...restAfter } = next.right.loaded.config
    // Advisory only: secrets print as "<redacted>", so a change of a secret alone goes unmentioned.
    if (toJson(restBefore) !== toJson(restAfter)) {
      yield* Effect.logWarning("reload: only heartbeat actions are applied live; restart for channels, runtime, daemon and log changes")
    }
    current.loaded = next.right.loaded
    yield* Effect.logInfo(`reloaded: ${added.length} added, ${changed.length} changed, ${removed.length} removed`).pipe(
      Effect.annotateLogs({ added, changed, removed })
    )
    yield* notify.notify(`READY=1\nSTATUS=running ${next.right.registrations.length} actions (reloaded)`)
  }).pipe(Effect.withLogSpan("reload"), Effect.annotateLogs({ signal: "SIGHUP" }))

/** The daemon once its services are up: schedule, serve, ready, then wait for a signal. */
const serve = (options: {
  readonly signals: DaemonSignals
  readonly configFile: Option.Option<string>
  readonly loaded: LoadedConfig
  readonly registrations: ReadonlyArray<Registration>
  readonly stale: Option.Option<PidFile.StalePid>
  readonly startedAt: number
}) =>
  Effect.gen(function*() {
    const { signals, loaded } = options
    const paths = daemonPaths(loaded)
    const scheduler = yield* Scheduler
    const notify = yield* SdNotify
    // Runs after every step below: the services' own finalizers (gateway, database) come next.
    yield* shutdownStep(signals, "closing the gateway and the database", Effect.void)
    yield* CrashLog.markStarted(process.pid, Option.getOrUndefined(Option.map(options.stale, (stale) => ({ pid: stale.record?.pid, reason: stale.reason }))))
    yield* scheduler.reconcile(options.registrations)
    yield* scheduler.start
    yield* shutdownStep(
      signals,
      "draining in-flight actions",
      scheduler.inFlight.pipe(
        Effect.tap((n) => n > 0 ? Effect.logInfo(`waiting up to ${loaded.config.daemon.shutdownGrace} ms for ${n} running action(s)`) : Effect.void),
        // Finalizers run uninterruptibly, and the main fiber is already interrupted: drain in a fresh
        // fiber whose grace timeout can interrupt what it waits on.
        Effect.zipRight(
          Effect.interruptible(scheduler.drain(loaded.config.daemon.shutdownGrace)).pipe(Effect.forkDaemon, Effect.flatMap(Fiber.join))
        )
      )
    )
    // The socket opens last: `daemon start` takes an answer on it as "ready".
    yield* serveControl(paths.socket, ControlCommands({ startedAt: options.startedAt }))
    yield* shutdownStep(signals, "closing the control socket", Effect.void)
    yield* shutdownStep(signals, "notifying systemd", notify.notify("STOPPING=1\nSTATUS=shutting down"))
    yield* watchdog(Effect.map(scheduler.health, (health) => health.lastTickAt), loaded.config.heartbeat.wakeInterval + 1_000)
    const current = { loaded }
    yield* rotateOwnStdio(paths.logFile, paths.logRotation)
    yield* Retention.runPeriodically(
      loaded.config.daemon.retention,
      Effect.sync(() => current.loaded.config.heartbeat.actions.map((action) => action.name))
    )
    yield* Effect.forkScoped(
      signals.reloads.take.pipe(
        Effect.zipRight(reload(options.configFile, current)),
        // A reload that breaks must not end reloading: log it and keep the running configuration.
        Effect.catchAllCause((cause) => Effect.logError("reload failed", cause)),
        Effect.forever
      )
    )
    yield* notify.notify(`READY=1\nSTATUS=running ${options.registrations.length} actions`)
    yield* Effect.logInfo(`daemon ready (PID ${process.pid}, ${options.registrations.length} actions)`).pipe(
      Effect.annotateLogs({ pid: process.pid, pidFile: paths.pidFile, socket: paths.socket })
    )
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.onExit((exit) =>
      Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)
        ? Clock.currentTimeMillis.pipe(
          Effect.flatMap((at) => CrashLog.recordCrash({ at, pid: process.pid, reason: describeFailure(exit.cause) })),
          Effect.zipRight(Effect.logError("daemon crashed", exit.cause)),
          Effect.ignore
        )
        : CrashLog.markStopped.pipe(Effect.zipRight(Effect.logInfo("daemon stopped")), Effect.ignore)
    )
  )

/**
 * `agenc daemon start --foreground`: load config, take the PID file, build the services, start the
 * scheduler and control socket, tell systemd READY=1, and run until SIGTERM/SIGINT interrupts the main
 * fiber; the scope's finalizers are the shutdown sequence.
 */
export const runDaemon = (configFile: Option.Option<string>) =>
  Effect.gen(function*() {
    const { loaded, registrations, warnings } = yield* loadValidated(configFile)
    yield* printWarnings(warnings)
    const paths = daemonPaths(loaded)
    const startedAt = yield* Clock.currentTimeMillis
    const signals = yield* installSignals({
      limitMs: shutdownLimitMs(loaded.config.daemon.shutdownGrace),
      json: wantsJson(loaded.config.log.format),
      cleanup: () => {
        PidFile.removeIfOursSync(PidFile.locatorFile(paths.home))
        PidFile.removeIfOursSync(paths.pidFile)
        // Only a socket: never a file agenc did not create.
        if (fs.lstatSync(paths.socket, { throwIfNoEntry: false })?.isSocket() === true) fs.rmSync(paths.socket, { force: true })
      }
    })
    const stale = yield* PidFile.acquire(paths.pidFile, {
      home: paths.home,
      pidFile: paths.pidFile,
      socket: paths.socket,
      logFile: paths.logFile,
      config: loaded.file
    })
    // Holding the PID file, a socket left there is a dead daemon's; anything else there is not ours to remove.
    const socketProblem = checkSocketPath(paths.socket, { create: true })
    if (socketProblem !== undefined) return yield* socketProblem
    yield* Effect.addFinalizer(() => Effect.sync(() => (signals.state.step = "removing the PID file")))
    yield* serve({ signals, configFile, loaded, registrations, stale, startedAt }).pipe(
      Effect.provide(Layer.merge(MetricsServer.pipe(Layer.provideMerge(MainLayer(loaded))), SdNotifyLive))
    )
  }).pipe(Effect.scoped)
