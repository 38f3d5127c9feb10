import type { Registration } from "../services/Scheduler.js"
import * as ActiveHours from "../domain/ActiveHours.js"
import * as CronSchedule from "../domain/CronSchedule.js"

/** FNV-1a of the name: the same offset in every process and after every restart. */
const hash = (name: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** The action's stable offset in [0, jitter). */
export const jitterOffset = (name: string, jitterMs: number): number => (jitterMs <= 0 ? 0 : hash(name) % Math.floor(jitterMs))

/**
 * When a slot's run is planned to start: the slot moved later by the action's offset, never to or past the
 * next slot, nor to or past the end of the active-hours window that holds the slot.
 */
export const plannedStart = (registration: Registration, slot: number): number => {
  const jitterMs = registration.jitterMs ?? 0
  if (jitterMs <= 0) return slot
  const window = registration.schedule.window
  const gap = Math.min(CronSchedule.next(registration.schedule, slot), window === undefined ? Infinity : ActiveHours.closeOf(window, slot)) - slot
  return slot + Math.min(jitterOffset(registration.name, jitterMs), gap - 1)
}

/** The first slot whose planned start is at or after `now` (with jitter, that can be a slot just before now). */
export const firstPending = (registration: Registration, now: number): number => {
  const upcoming = CronSchedule.next(registration.schedule, now - 1)
  if ((registration.jitterMs ?? 0) <= 0) return upcoming
  const before = CronSchedule.previous(registration.schedule, now - 1)
  return Number.isFinite(before) && plannedStart(registration, before) >= now ? before : upcoming
}
