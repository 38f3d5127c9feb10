import type { Registration } from "../services/Scheduler.js"
import type { Pause } from "../services/StateStore.js"
import * as CronSchedule from "./CronSchedule.js"

/**
 * The next `count` slots of an action strictly after `afterMs`, as the scheduler will run them: none
 * while paused without an end, and none before a pause's `until`.
 */
export const nextSlots = (registration: Registration, afterMs: number, count: number, pause?: Pause): ReadonlyArray<number> => {
  if (pause !== undefined && pause.until === undefined) return []
  const slots: Array<number> = []
  const from = pause?.until === undefined ? afterMs : Math.max(afterMs, pause.until - 1)
  for (let at = from; slots.length < count;) {
    at = CronSchedule.next(registration.schedule, at)
    slots.push(at)
  }
  return slots
}
