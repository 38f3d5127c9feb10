import * as CronSchedule from "../domain/CronSchedule.js"

/** The slots of a schedule strictly between two instants, without holding them all. */
export interface SlotSpan {
  /** The first slots, at most `head` of them. */
  readonly head: ReadonlyArray<number>
  /** The last slots, at most `tail` of them (they may overlap `head`). */
  readonly tail: ReadonlyArray<number>
  /** How many slots there are; a lower bound when `exact` is false. */
  readonly count: number
  readonly exact: boolean
}

/** Past this many steps the span is not walked to the end: its count is a lower bound. */
const SCAN_LIMIT = 2_000_000

/** The slots `s` with `after < s < before`: the first `head`, the last `tail`, and how many. */
export const slotSpan = (schedule: CronSchedule.CronSchedule, after: number, before: number, limits: { readonly head: number; readonly tail: number }): SlotSpan => {
  const head: Array<number> = []
  if (schedule._tag === "Interval" && schedule.window === undefined) {
    // Interval slots are multiples of the interval: counted, not walked.
    const first = CronSchedule.next(schedule, after)
    const count = first >= before ? 0 : Math.floor((before - 1 - first) / schedule.everyMs) + 1
    for (let i = 0; i < Math.min(limits.head, count); i++) head.push(first + i * schedule.everyMs)
    const tail: Array<number> = []
    for (let i = Math.max(0, count - limits.tail); i < count; i++) tail.push(first + i * schedule.everyMs)
    return { head, tail, count, exact: true }
  }
  let tail: Array<number> = []
  let count = 0
  for (let slot = CronSchedule.next(schedule, after); slot < before; slot = CronSchedule.next(schedule, slot)) {
    count++
    if (head.length < limits.head) head.push(slot)
    if (limits.tail > 0) {
      tail.push(slot)
      if (tail.length > 2 * limits.tail) tail = tail.slice(-limits.tail)
    }
    if (count >= SCAN_LIMIT) {
      // Far too many to walk: take the last ones from the end instead.
      const last: Array<number> = []
      for (let at = before - 1; last.length < limits.tail; at = last[0]! - 1) {
        const previous = CronSchedule.previous(schedule, at)
        if (previous <= slot) break
        last.unshift(previous)
      }
      return { head, tail: last, count: count + last.length, exact: false }
    }
  }
  return { head, tail: tail.slice(-limits.tail), count, exact: true }
}
