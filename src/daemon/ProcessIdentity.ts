import * as fs from "node:fs"

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

/** The boot id from `/proc/sys/kernel/random/boot_id`. */
export const bootId = (): string | undefined => readOrUndefined("/proc/sys/kernel/random/boot_id")?.trim()

/** The start time of `pid` (field 22 of `/proc/PID/stat`), or undefined when there is no such process. */
export const startTimeOf = (pid: number): string | undefined => {
  const stat = readOrUndefined(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return rest[22 - 3]
}

/** Whether a process with this PID exists (EPERM: it exists but belongs to someone else). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** This process's identity. */
export const self = (): ProcessIdentity => ({ pid: process.pid, startTime: startTimeOf(process.pid), bootId: bootId() })

/**
 * Whether `recorded` is still the same live process: alive, same boot, same start time. Without `/proc`
 * only liveness can be checked.
 */
export const stillRunning = (recorded: ProcessIdentity): { readonly running: boolean; readonly reason?: string } => {
  if (!isAlive(recorded.pid)) return { running: false, reason: `process ${recorded.pid} is not running` }
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
