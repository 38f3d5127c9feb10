import type { Registration } from "../services/Scheduler.js"
import * as CronSchedule from "./CronSchedule.js"

/** The next `count` slots of an action strictly after `afterMs`, as the scheduler will run them. */
export const nextSlots = (registration: Registration, afterMs: number, count: number): ReadonlyArray<number> => {
  const slots: Array<number> = []
  for (let at = afterMs; slots.length < count;) {
    at = CronSchedule.next(registration.schedule, at)
    slots.push(at)
  }
  return slots
}
