import * as fs from "node:fs"

/**
 * Who holds an outbox lease: `boot/pid/starttime` of the process. A lease is only ever left behind by a
 * process killed outright; its owner then names a process that is provably gone, and the lease can be
 * released at once instead of waiting for it to expire.
 */
const read = (file: string): string | undefined => {
  // A missing /proc entry is an answer ("no such process"), not an error.
  try {
    return fs.readFileSync(file, "utf8").trim()
  } catch {
    return undefined
  }
}

/** Fields 3.. of `/proc/PID/stat` (state first, start time at index 19), or undefined: no such process. */
const statFields = (pid: number): ReadonlyArray<string> | undefined => {
  const stat = read(`/proc/${pid}/stat`)
  // The command name may hold spaces and parentheses: count fields after the last ')'.
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2).split(" ")
}

const startTime = (pid: number): string | undefined => statFields(pid)?.[19]

/** This process as a lease owner. */
export const selfOwner = (): string => `${read("/proc/sys/kernel/random/boot_id") ?? ""}/${process.pid}/${startTime(process.pid) ?? ""}`

/**
 * Whether `owner` is certainly not running: another boot, no such PID, or the PID now belongs to a
 * process that started at another time. Without `/proc` nothing is certain, so nothing is released.
 */
export const isGone = (owner: string): boolean => {
  const [boot, pidText, start] = owner.split("/")
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return false
  const currentBoot = read("/proc/sys/kernel/random/boot_id")
  if (currentBoot === undefined) return false
  if (boot !== "" && boot !== currentBoot) return true
  const fields = statFields(pid)
  if (fields === undefined) return fs.existsSync("/proc/self/stat")
  // A zombie (killed, not yet reaped) is gone too.
  if (fields[0] === "Z" || fields[0] === "X") return true
  return start !== "" && start !== fields[19]
}
