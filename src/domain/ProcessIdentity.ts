import * as fs from "node:fs"
import { errnoCode } from "./Errno.js"

/** What identifies one process across PID reuse: its PID, its start time (clock ticks after boot) and the boot. */
export interface ProcessIdentity {
  readonly pid: number
  /** Field 22 of `/proc/PID/stat`; undefined where `/proc` is missing. */
  readonly startTime: string | undefined
  readonly bootId: string | undefined
}

const readOrUndefined = (file: string): string | undefined => {
  // A missing /proc entry is an answer ("no such process"), not an error.
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

/** Whether this system has `/proc` to prove who a PID is. */
export const hasProc = (): boolean => fs.existsSync("/proc/self/stat")

/** The boot id from `/proc/sys/kernel/random/boot_id`. */
export const bootId = (): string | undefined => readOrUndefined("/proc/sys/kernel/random/boot_id")?.trim()

/** Fields 3.. of `/proc/PID/stat` (index 0 is field 3, the state), or undefined when there is no such process. */
const statFields = (pid: number): ReadonlyArray<string> | undefined => {
  const stat = readOrUndefined(`/proc/${pid}/stat`)
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2).split(" ")
}

/** The start time of `pid` (field 22 of `/proc/PID/stat`), or undefined when there is no such process. */
export const startTimeOf = (pid: number): string | undefined => statFields(pid)?.[22 - 3]

/** The state letter of `pid` (field 3 of `/proc/PID/stat`: R, S, D, T, Z, X, ...). */
export const stateOf = (pid: number): string | undefined => statFields(pid)?.[0]

/** A PID that can name a daemon: an integer above 1 (0 and -1 address process groups, 1 is init). */
export const isValidPid = (pid: unknown): pid is number => typeof pid === "number" && Number.isSafeInteger(pid) && pid > 1

/** Whether a process with this PID exists and has not ended (a zombie has: it only waits to be reaped). */
export const isAlive = (pid: number): boolean => {
  if (!isValidPid(pid)) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if (errnoCode(error) !== "EPERM") return false
  }
  const state = stateOf(pid)
  return state !== "Z" && state !== "X"
}

/** The command line of `pid` as its arguments, or undefined without `/proc`. */
export const commandLineOf = (pid: number): ReadonlyArray<string> | undefined =>
  readOrUndefined(`/proc/${pid}/cmdline`)?.split("\0").filter((arg) => arg !== "")

/** Whether a command line is an agenc daemon: `… daemon start …` (what the CLI or a unit runs) or its supervisor, `… daemon supervise …`. */
export const isDaemonCommandLine = (args: ReadonlyArray<string>): boolean => {
  const at = args.indexOf("daemon")
  return at >= 1 && (args[at + 1] === "start" || args[at + 1] === "supervise")
}

/** This process's identity. */
export const self = (): ProcessIdentity => ({ pid: process.pid, startTime: startTimeOf(process.pid), bootId: bootId() })

/**
 * Whether `recorded` is still the same live process: a valid PID, alive and not a zombie, the same boot and
 * start time where both are known. This is enough for a record agenc wrote itself (a run's owner); a PID
 * file that decides whom to signal needs `verifyDaemon`.
 */
export const stillRunning = (recorded: ProcessIdentity): { readonly running: boolean; readonly reason?: string } => {
  if (!isValidPid(recorded.pid)) return { running: false, reason: `PID ${recorded.pid} cannot be a daemon` }
  if (!isAlive(recorded.pid)) {
    const state = stateOf(recorded.pid)
    return { running: false, reason: state === "Z" || state === "X" ? `process ${recorded.pid} has exited (zombie)` : `process ${recorded.pid} is not running` }
  }
  const currentBoot = bootId()
  if (recorded.bootId !== undefined && currentBoot !== undefined && recorded.bootId !== currentBoot) {
    return { running: false, reason: `the PID file is from an earlier boot` }
  }
  const start = startTimeOf(recorded.pid)
  if (recorded.startTime !== undefined && start !== undefined && recorded.startTime !== start) {
    return { running: false, reason: `PID ${recorded.pid} now belongs to another process` }
  }
  return { running: true }
}

/**
 * Whether `recorded` is provably still our daemon: `stillRunning`, and (where `/proc` exists) a record that
 * carries its start time and boot id, and a command line that is an agenc daemon. A record without them
 * proves nothing and is not running (`unverified` tells it apart, so a caller may still ask the control
 * socket for the PID). Without `/proc` only liveness can be checked.
 */
export const verifyDaemon = (
  recorded: ProcessIdentity
): { readonly running: boolean; readonly reason?: string; readonly unverified?: boolean } => {
  const same = stillRunning(recorded)
  if (!same.running || !hasProc()) return same
  if (recorded.startTime === undefined || recorded.bootId === undefined) {
    return { running: false, unverified: true, reason: `the PID file does not prove PID ${recorded.pid} is the daemon (no start time or boot id)` }
  }
  const args = commandLineOf(recorded.pid)
  if (args !== undefined && !isDaemonCommandLine(args)) {
    return { running: false, reason: `PID ${recorded.pid} is not an agenc daemon (${args.slice(0, 3).join(" ")})` }
  }
  return { running: true }
}
