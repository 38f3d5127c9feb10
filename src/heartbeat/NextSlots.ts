import type { Registration } from "../services/Scheduler.js"
import type { Pause } from "../services/StateStore.js"
import * as CronSchedule from "../domain/CronSchedule.js"
import { plannedStart } from "./Jitter.js"

/**
 * The planned starts of the next `count` slots of an action after `afterMs`, as the scheduler will run
 * them: moved by jitter; none while paused without an end, and none before a pause's `until`.
 */
export const nextSlots = (registration: Registration, afterMs: number, count: number, pause?: Pause): ReadonlyArray<number> => {
  if (pause !== undefined && pause.until === undefined) return []
  const slots: Array<number> = []
  const from = pause?.until === undefined ? afterMs : Math.max(afterMs, pause.until - 1)
  // A slot just passed may still be pending under jitter: start from the one before `from`.
  const before = CronSchedule.previous(registration.schedule, from)
  for (let at = Number.isFinite(before) ? before : CronSchedule.next(registration.schedule, from); slots.length < count; at = CronSchedule.next(registration.schedule, at)) {
    const start = plannedStart(registration, at)
    if (start > afterMs && (pause?.until === undefined || at >= pause.until)) slots.push(start)
  }
  return slots
}
