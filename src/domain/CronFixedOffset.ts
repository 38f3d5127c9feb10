import type { Cron } from "effect"

/**
 * effect's `Cron.next`/`Cron.prev` stepping for a schedule read at a fixed UTC offset, on one plain `Date`.
 *
 * effect walks the calendar on the wall clock of a zoned `DateTime`, and after every step re-resolves that
 * wall clock in the zone (`adjustDst`), allocating two `DateTime`s and their parts each time; only a zone
 * *named* "UTC" skips it, and a named zone is resolved through `Intl`. For a fixed offset the re-resolution
 * is the identity (no offset changes, so no drift), so the same walk on a `Date` shifted by the offset gives
 * the same instant, about 10x faster: registering 10,000 UTC actions computes 10,000 first slots. This is a
 * line-by-line port of effect 3.22's `stepCron` with `adjustDst` removed; `CronFixedOffset.test.ts` checks it
 * against effect's own answers. It reads the parsed `Cron`'s lookup tables (`next`, `prev`, `first`,
 * `last`, `and`), which effect marks internal: a change there fails that test.
 */

interface Tables {
  readonly and: boolean
  readonly first: Boundary
  readonly last: Boundary
  readonly next: Record<"second" | "minute" | "hour" | "day" | "month" | "weekday", ReadonlyArray<number | undefined>>
  readonly prev: Record<"second" | "minute" | "hour" | "day" | "month" | "weekday", ReadonlyArray<number | undefined>>
}

interface Boundary {
  readonly second: number
  readonly minute: number
  readonly hour: number
  readonly day: number
  readonly month: number
  readonly weekday: number
}

// effect's DateTime range: a start outside it throws, as `DateTime.unsafeMakeZoned` does.
const MIN_EPOCH_MS = -8640000000000000 + 12 * 60 * 60 * 1000
const MAX_EPOCH_MS = 8640000000000000 - 14 * 60 * 60 * 1000

const daysInMonth = (date: Date): number => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate()

/** The first instant strictly after `startMs` (whole seconds) that `cron` matches at UTC offset `offsetMs`. */
export const next = (cron: Cron.Cron, offsetMs: number, startMs: number): number => step(cron, offsetMs, startMs, false)

/** The last instant strictly before `startMs` (whole seconds) that `cron` matches at UTC offset `offsetMs`. */
export const prev = (cron: Cron.Cron, offsetMs: number, startMs: number): number => step(cron, offsetMs, startMs, true)

const step = (cron: Cron.Cron, offsetMs: number, startMs: number, prev: boolean): number => {
  if (!(startMs >= MIN_EPOCH_MS && startMs <= MAX_EPOCH_MS)) throw new RangeError(`Epoch millis out of range: ${startMs}`)
  const tables = cron as unknown as Tables // cast: effect's Cron lookup tables, which its type does not expose
  const tick = prev ? -1 : 1
  const table = prev ? tables.prev : tables.next
  const boundary = prev ? tables.last : tables.first
  const needsStep = prev ? (next: number, current: number) => next < current : (next: number, current: number) => next > current
  // The wall clock at the offset, held in the Date's UTC fields (what effect's `DateTime.mutate` hands over).
  const current = new Date(startMs + offsetMs)
  current.setUTCSeconds(current.getUTCSeconds() + tick, 0)

  for (let i = 0; i < 10_000; i++) {
    if (cron.seconds.size !== 0) {
      const currentSecond = current.getUTCSeconds()
      const nextSecond = table.second[currentSecond]
      if (nextSecond === undefined) {
        current.setUTCMinutes(current.getUTCMinutes() + tick, boundary.second)
        continue
      }
      if (needsStep(nextSecond, currentSecond)) {
        current.setUTCSeconds(nextSecond)
        continue
      }
    }

    if (cron.minutes.size !== 0) {
      const currentMinute = current.getUTCMinutes()
      const nextMinute = table.minute[currentMinute]
      if (nextMinute === undefined) {
        current.setUTCHours(current.getUTCHours() + tick, boundary.minute, boundary.second)
        continue
      }
      if (needsStep(nextMinute, currentMinute)) {
        current.setUTCMinutes(nextMinute, boundary.second)
        continue
      }
    }

    if (cron.hours.size !== 0) {
      const currentHour = current.getUTCHours()
      const nextHour = table.hour[currentHour]
      if (nextHour === undefined) {
        current.setUTCDate(current.getUTCDate() + tick)
        current.setUTCHours(boundary.hour, boundary.minute, boundary.second)
        continue
      }
      if (needsStep(nextHour, currentHour)) {
        current.setUTCHours(nextHour, boundary.minute, boundary.second)
        continue
      }
    }

    if (cron.weekdays.size !== 0 || cron.days.size !== 0) {
      if (tables.and) {
        const matchesDay = cron.days.size === 0 || cron.days.has(current.getUTCDate())
        const matchesWeekday = cron.weekdays.size === 0 || cron.weekdays.has(current.getUTCDay())
        if (!matchesDay || !matchesWeekday) {
          current.setUTCDate(current.getUTCDate() + tick)
          current.setUTCHours(boundary.hour, boundary.minute, boundary.second)
          continue
        }
      } else {
        let a: number = prev ? -Infinity : Infinity
        let b: number = prev ? -Infinity : Infinity
        if (cron.weekdays.size !== 0) {
          const currentWeekday = current.getUTCDay()
          const nextWeekday = table.weekday[currentWeekday]
          if (nextWeekday === undefined) {
            a = prev ? currentWeekday - 7 + boundary.weekday : 7 - currentWeekday + boundary.weekday
          } else {
            a = nextWeekday - currentWeekday
          }
        }
        // Day-of-month only when the weekday does not already match (they are OR'd).
        if (cron.days.size !== 0 && a !== 0) {
          const currentDay = current.getUTCDate()
          const nextDay = table.day[currentDay]
          if (nextDay === undefined) {
            if (prev) {
              const prevMonthDays = daysInMonth(new Date(Date.UTC(current.getUTCFullYear(), current.getUTCMonth(), 0)))
              b = -(currentDay + (prevMonthDays - boundary.day))
            } else {
              b = daysInMonth(current) - currentDay + boundary.day
            }
          } else if (!prev && nextDay > daysInMonth(current)) {
            // The next matching day does not exist this month: setting it would overflow past earlier matches.
            b = daysInMonth(current) - currentDay + boundary.day
          } else {
            b = nextDay - currentDay
          }
        }
        const addDays = prev ? Math.max(a, b) : Math.min(a, b)
        if (addDays !== 0) {
          current.setUTCDate(current.getUTCDate() + addDays)
          current.setUTCHours(boundary.hour, boundary.minute, boundary.second)
          continue
        }
      }
    }

    if (cron.months.size !== 0) {
      const currentMonth = current.getUTCMonth() + 1
      const nextMonth = table.month[currentMonth]
      const clampBoundaryDay = (targetMonthIndex: number): number => {
        if (cron.days.size !== 0 && cron.weekdays.size === 0) return boundary.day
        const maxDayInMonth = daysInMonth(new Date(Date.UTC(current.getUTCFullYear(), targetMonthIndex, 1)))
        return prev ? maxDayInMonth : 1
      }
      if (nextMonth === undefined) {
        current.setUTCFullYear(current.getUTCFullYear() + tick)
        current.setUTCMonth(boundary.month, clampBoundaryDay(boundary.month))
        current.setUTCHours(boundary.hour, boundary.minute, boundary.second)
        continue
      }
      if (needsStep(nextMonth, currentMonth)) {
        const targetMonthIndex = nextMonth - 1
        current.setUTCMonth(targetMonthIndex, clampBoundaryDay(targetMonthIndex))
        current.setUTCHours(boundary.hour, boundary.minute, boundary.second)
        continue
      }
    }

    return current.getTime() - offsetMs
  }

  throw new Error("Unable to find next cron date")
}
