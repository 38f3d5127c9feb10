import { Clock, Data, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { spawn } from "node:child_process"
import { openAppendSync } from "../domain/FileSafety.js"
import * as ControlClient from "./ControlClient.js"
import type { DaemonPaths } from "./DaemonPaths.js"
import * as PidFile from "./PidFile.js"
import { isAlive, isValidPid, verifyDaemon } from "../domain/ProcessIdentity.js"
import { parentOf } from "./Supervisor.js"
import { errorMessage } from "../domain/DescribeError.js"
import { decodePingResult } from "./ControlProtocol.js"

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
        return openAppendSync(paths.logFile)
      },
      catch: (cause) => new StartFailedError({ message: `cannot open ${paths.logFile}: ${errorMessage(cause)}`, exitCode: undefined, logTail: "" })
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
      const answer = yield* ControlClient.requestResult(paths.socket, { op: "ping" }, decodePingResult, { timeoutMs: 1_000 }).pipe(Effect.option)
      const daemonPid = Option.isSome(answer) && answer.value.ok ? answer.value.result.pid : undefined
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
export type StopOutcome =
  | { readonly _tag: "NotRunning"; readonly removedStale: string | undefined }
  | { readonly _tag: "Stopped"; readonly pid: number }
  | { readonly _tag: "Killed"; readonly pid: number }

/** Sends `signal` to `record.pid` only if it is still provably the same daemon; answers whether it did. */
export const signalVerified = (record: PidFile.PidRecord, signal: NodeJS.Signals, verified: boolean = verifyDaemon(record).running): boolean => {
  if (!verified || !isValidPid(record.pid)) return false
  try {
    process.kill(record.pid, signal)
    return true
  } catch {
    // It ended between the check and now.
    return false
  }
}

/**
 * Sends SIGTERM to the daemon found (only a verified one) and waits for it to go; after `timeoutMs`,
 * SIGKILL if it is still the same process. A stale PID file is removed (with the daemon's record), never
 * signalled.
 */
export const stop = (found: { readonly paths: DaemonPaths; readonly state: PidFile.PidState }, timeoutMs: number) =>
  Effect.gen(function*() {
    const { paths, state } = found
    if (state._tag !== "Running") {
      const removed = yield* PidFile.removeStale(paths.pidFile, state)
      yield* PidFile.removeStale(PidFile.locatorFile(paths.home), yield* PidFile.inspectLocator(paths.home))
      return { _tag: "NotRunning", removedStale: removed && state._tag === "Stale" ? state.stale.reason : undefined } satisfies StopOutcome
    }
    const record = state.record
    // A record confirmed by the socket (no start time) cannot be re-checked by identity: it was verified just now.
    const byIdentity = verifyDaemon(record).running
    if (!signalVerified(record, "SIGTERM", true)) return { _tag: "Stopped", pid: record.pid } satisfies StopOutcome
    const gone = () => byIdentity ? !verifyDaemon(record).running : !isAlive(record.pid)
    const deadline = (yield* Clock.currentTimeMillis) + timeoutMs
    while ((yield* Clock.currentTimeMillis) < deadline) {
      if (gone()) return { _tag: "Stopped", pid: record.pid } satisfies StopOutcome
      yield* Effect.sleep(50)
    }
    if (gone()) return { _tag: "Stopped", pid: record.pid } satisfies StopOutcome
    yield* Effect.sync(() => signalVerified(record, "SIGKILL", byIdentity ? verifyDaemon(record).running : isAlive(record.pid)))
    return { _tag: "Killed", pid: record.pid } satisfies StopOutcome
  })
