import { Clock, Data, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { spawn } from "node:child_process"
import * as ControlClient from "./ControlClient.js"
import type { DaemonPaths } from "./DaemonPaths.js"
import * as PidFile from "./PidFile.js"
import { stillRunning } from "./ProcessIdentity.js"
import { parentOf } from "./Supervisor.js"

/** A detached start that did not become ready. */
export class StartFailedError extends Data.TaggedError("StartFailedError")<{ readonly message: string; readonly exitCode: number | undefined; readonly logTail: string }> {}

/**
 * Starts the daemon detached (own session, no terminal, output appended to the log file) under its
 * supervisor (`daemon supervise`, src/daemon/Supervisor.ts, which runs `daemon start --foreground` as its
 * child), and waits until the daemon answers on its control socket. Answers the daemon's PID.
 */
export const startDetached = (options: { readonly paths: DaemonPaths; readonly cli: string; readonly args: ReadonlyArray<string>; readonly readyTimeoutMs: number }) =>
  Effect.gen(function*() {
    const { paths } = options
    const logFd = yield* Effect.try({
      try: () => {
        fs.mkdirSync(path.dirname(paths.logFile), { recursive: true, mode: 0o700 })
        return fs.openSync(paths.logFile, "a", 0o600)
      },
      catch: (cause) => new StartFailedError({ message: `cannot open ${paths.logFile}: ${(cause as Error).message}`, exitCode: undefined, logTail: "" })
    })
    const logStart = fs.fstatSync(logFd).size
    const child = spawn(process.execPath, [options.cli, "daemon", "supervise", ...options.args], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: process.env
    })
    fs.closeSync(logFd)
    let exited: number | null | undefined
    child.once("exit", (code, signal) => (exited = code ?? (signal === null ? null : 128)))
    child.unref()
    const pid = child.pid!
    const newLog = () => {
      // Only what this start wrote: the log is appended to across runs.
      const all = fs.existsSync(paths.logFile) ? fs.readFileSync(paths.logFile).subarray(logStart).toString("utf8") : ""
      return all.trimEnd().split("\n").slice(-20).join("\n")
    }
    const deadline = (yield* Clock.currentTimeMillis) + options.readyTimeoutMs
    for (;;) {
      if (exited !== undefined) {
        return yield* Effect.fail(new StartFailedError({ message: `the daemon exited with code ${exited} before it was ready`, exitCode: exited ?? undefined, logTail: newLog() }))
      }
      const answer = yield* ControlClient.request(paths.socket, { op: "ping" }, { timeoutMs: 1_000 }).pipe(Effect.option)
      const daemonPid = Option.isSome(answer) && answer.value.ok ? (answer.value.result as { pid?: number }).pid : undefined
      // The daemon is the supervisor's child (without /proc, any daemon answering is taken).
      if (daemonPid !== undefined && (parentOf(daemonPid) ?? pid) === pid) return daemonPid
      if ((yield* Clock.currentTimeMillis) > deadline) {
        process.kill(pid, "SIGTERM")
        return yield* Effect.fail(new StartFailedError({ message: `the daemon did not become ready within ${options.readyTimeoutMs} ms`, exitCode: undefined, logTail: newLog() }))
      }
      yield* Effect.sleep(50)
    }
  })

/** How `stop` ended. */
export type StopOutcome = { readonly _tag: "NotRunning" } | { readonly _tag: "Stopped"; readonly pid: number } | { readonly _tag: "Killed"; readonly pid: number }

/** Sends SIGTERM and waits for the process to go; after `timeoutMs`, SIGKILL. */
export const stop = (pidFile: string, timeoutMs: number) =>
  Effect.gen(function*() {
    const state = yield* PidFile.inspect(pidFile)
    if (state._tag !== "Running") return { _tag: "NotRunning" } as StopOutcome
    const record = state.record
    yield* Effect.sync(() => process.kill(record.pid, "SIGTERM"))
    const deadline = (yield* Clock.currentTimeMillis) + timeoutMs
    while ((yield* Clock.currentTimeMillis) < deadline) {
      if (!stillRunning(record).running) return { _tag: "Stopped", pid: record.pid } as StopOutcome
      yield* Effect.sleep(50)
    }
    yield* Effect.sync(() => {
      try {
        process.kill(record.pid, "SIGKILL")
      } catch {
        // It ended between the last check and now.
      }
    })
    return { _tag: "Killed", pid: record.pid } as StopOutcome
  })
