import { bootId, hasProc, startTimeOf, stateOf } from "../domain/ProcessIdentity.js"

/**
 * Who holds an outbox lease: `boot/pid/starttime` of the process. A lease is only ever left behind by a
 * process killed outright; its owner then names a process that is provably gone, and the lease can be
 * released at once instead of waiting for it to expire.
 */

/** This process as a lease owner. */
export const selfOwner = (): string => `${bootId() ?? ""}/${process.pid}/${startTimeOf(process.pid) ?? ""}`

/**
 * Whether `owner` is certainly not running: another boot, no such PID, or the PID now belongs to a
 * process that started at another time. Without `/proc` nothing is certain, so nothing is released.
 */
export const isGone = (owner: string): boolean => {
  const [boot, pidText, start] = owner.split("/")
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return false
  const currentBoot = bootId()
  if (currentBoot === undefined) return false
  if (boot !== "" && boot !== currentBoot) return true
  const state = stateOf(pid)
  if (state === undefined) return hasProc()
  // A zombie (killed, not yet reaped) is gone too.
  if (state === "Z" || state === "X") return true
  return start !== "" && start !== startTimeOf(pid)
}
