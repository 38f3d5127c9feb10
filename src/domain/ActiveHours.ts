import { Cron, DateTime, Either } from "effect"

/**
 * An action's active hours: the wall-clock span of each listed day in a time zone when its slots run.
 * Each day `d` in `weekdays` has one window instance `[open(d), close(d))`; an overnight window (`end`
 * before `start`) closes on the next day, and `days` names the day it opens on.
 */
export interface ActiveWindow {
  /** Minutes after local midnight: `start` inclusive, `end` exclusive (1440: midnight at the day's end). */
  readonly startMinute: number
  readonly endMinute: number
  /** Weekdays (0 = Sunday) the window opens on; empty: every day. */
  readonly weekdays: ReadonlySet<number>
  readonly zone: DateTime.TimeZone
  readonly timezone: string
  /** As the user wrote it, for messages: `08:00–22:00 mon-fri`. */
  readonly label: string
}

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/

/** `HH:MM` as minutes after midnight (`24:00` is 1440), or the one-line reason it is not a time. */
export const parseTimeOfDay = (text: string): Either.Either<number, string> => {
  const match = TIME.exec(text)
  if (match === null) return Either.left(`"${text}" is not a time of day (HH:MM, 00:00 to 24:00)`)
  return Either.right(Number(match[1] ?? match[3]) * 60 + Number(match[2] ?? match[4]))
}

/** Cron weekday syntax (`mon-fri`, `sat,sun`, `1-5`, `*`) as the set of weekdays (empty: every day). */
export const parseDays = (text: string): Either.Either<ReadonlySet<number>, string> => {
  const source = text.trim().replace(/^(.*[^-/,\s])-(?:0|sun)$/i, "$1-7")
  return Cron.parse(`0 0 * * ${source}`).pipe(
    Either.mapLeft(() => `"${text}" is not a list of weekdays (cron syntax: mon-fri, sat,sun, 1-5, *)`),
    Either.map((cron) => cron.weekdays.size === 7 ? new Set<number>() : cron.weekdays)
  )
}

/** Builds a window; `end` before `start` is overnight (it closes the next day); equal times are an error. */
export const makeWindow = (options: {
  readonly start: string
  readonly end: string
  readonly days: string
  readonly timezone: string
  readonly zone: DateTime.TimeZone
}): Either.Either<ActiveWindow, string> =>
  Either.all([parseTimeOfDay(options.start), parseTimeOfDay(options.end), parseDays(options.days)]).pipe(
    Either.filterOrLeft(([start]) => start < 1_440, () => "start must be before 24:00"),
    Either.filterOrLeft(([start, end]) => start !== end, () => `start and end are both ${options.start}; for the whole day use 00:00 to 24:00`),
    Either.map(([startMinute, endMinute, weekdays]) => ({
      startMinute,
      endMinute,
      weekdays,
      zone: options.zone,
      timezone: options.timezone,
      label: `${options.start}–${options.end} ${options.days.trim() === "*" ? "every day" : options.days.trim()}`
    }))
  )

const offsetAt = (zone: DateTime.TimeZone, ms: number): number =>
  DateTime.zonedOffset(DateTime.unsafeMakeZoned(ms, { timeZone: zone }))

/** The local calendar day of an instant, as the UTC midnight of that date (so day arithmetic is exact). */
const localDay = (zone: DateTime.TimeZone, ms: number): number => Math.floor((ms + offsetAt(zone, ms)) / DAY_MS) * DAY_MS

/**
 * The instant a local wall-clock time on `day` happens: its first pass when clocks fall back (the
 * repeated hour), and the instant the gap ends when a spring-forward gap skips it.
 */
export const wallClockInstant = (zone: DateTime.TimeZone, day: number, minute: number): number => {
  const naive = day + minute * MINUTE_MS
  const before = offsetAt(zone, naive - DAY_MS)
  const after = offsetAt(zone, naive + DAY_MS)
  const valid = [...new Set([before, after, offsetAt(zone, naive)])]
    .map((offset) => ({ offset, at: naive - offset }))
    .filter(({ at, offset }) => offsetAt(zone, at) === offset)
    .map(({ at }) => at)
  if (valid.length > 0) return Math.min(...valid)
  // In a gap: the transition lies between the instant read with the later offset and with the earlier one.
  let low = naive - Math.max(before, after)
  let high = naive - Math.min(before, after)
  const late = offsetAt(zone, high)
  while (high - low > 1_000) {
    const middle = low + Math.floor((high - low) / 2_000) * 1_000
    if (offsetAt(zone, middle) === late) high = middle
    else low = middle
  }
  return high
}

/** The window instance that opens on local `day`, if the window opens that weekday. */
const instance = (window: ActiveWindow, day: number): { readonly open: number; readonly close: number } | undefined => {
  if (window.weekdays.size > 0 && !window.weekdays.has(new Date(day).getUTCDay())) return undefined
  const overnight = window.endMinute <= window.startMinute
  return {
    open: wallClockInstant(window.zone, day, window.startMinute),
    close: wallClockInstant(window.zone, day + (overnight ? DAY_MS : 0), window.endMinute)
  }
}

// Walking the slots of one window (a catch-up span) asks about the same instance again and again:
// answering from the last one found saves the `Intl` offset lookups.
const lastFound = new WeakMap<ActiveWindow, { readonly open: number; readonly close: number }>()

/** The window instance that holds `ms`, else the first one that opens after it. */
export const windowAt = (window: ActiveWindow, ms: number): { readonly open: number; readonly close: number } => {
  const known = lastFound.get(window)
  if (known !== undefined && known.open <= ms && ms < known.close) return known
  const today = localDay(window.zone, ms)
  for (let k = -1; k <= 8; k++) {
    const found = instance(window, today + k * DAY_MS)
    if (found !== undefined && ms < found.close && found.open < found.close) {
      if (found.open <= ms) lastFound.set(window, found)
      return found
    }
  }
  // Unreachable for a window with at least one weekday; answer "never" rather than loop.
  return { open: Infinity, close: Infinity }
}

/** The latest window instance that opens at or before `ms` (undefined: none in the last eight days). */
const windowBefore = (window: ActiveWindow, ms: number): { readonly open: number; readonly close: number } | undefined => {
  const today = localDay(window.zone, ms)
  for (let k = 1; k >= -8; k--) {
    const found = instance(window, today + k * DAY_MS)
    if (found !== undefined && found.open <= ms && found.open < found.close) return found
  }
  return undefined
}

/** Whether an instant falls inside the window. */
export const contains = (window: ActiveWindow, ms: number): boolean => {
  const found = windowAt(window, ms)
  return found.open <= ms && ms < found.close
}

/** Each step passes at least one window, so this bounds a search across years of mismatching days. */
const MAX_STEPS = 20_000

/** The first slot after `afterMs` inside the window, given the schedule's own `next` (Infinity: none). */
export const nextWithin = (window: ActiveWindow, afterMs: number, nextSlot: (afterMs: number) => number): number => {
  let after = afterMs
  for (let step = 0; step < MAX_STEPS; step++) {
    const slot = nextSlot(after)
    if (!Number.isFinite(slot)) return slot
    const found = windowAt(window, slot)
    if (found.open <= slot) return slot
    if (!Number.isFinite(found.open)) return Infinity
    // Jump to the window's opening instead of walking the slots outside it.
    after = found.open - 1
  }
  return Infinity
}

/** The latest slot at or before `atMs` inside the window, given the schedule's own `previous` (-Infinity: none). */
export const previousWithin = (window: ActiveWindow, atMs: number, previousSlot: (atMs: number) => number): number => {
  let at = atMs
  for (let step = 0; step < MAX_STEPS; step++) {
    const found = windowBefore(window, at)
    if (found === undefined) return -Infinity
    const slot = previousSlot(Math.min(at, found.close - 1))
    if (!Number.isFinite(slot) || slot >= found.open) return slot
    at = found.open - 1
  }
  return -Infinity
}

/** The instant the window holding `slot` closes (Infinity when no window holds it). */
export const closeOf = (window: ActiveWindow, slot: number): number => {
  const found = windowAt(window, slot)
  return found.open <= slot ? found.close : Infinity
}

/** Checks that some slot falls in the window: over 29 years (every weekday of every date) when the schedule fixes days or months, else over a year. */
export const meets = (window: ActiveWindow, nextSlot: (afterMs: number) => number, fixesDates: boolean, fromMs: number): boolean => {
  const horizon = fromMs + (fixesDates ? 29 * 366 : 375) * DAY_MS
  const slot = nextWithin(window, fromMs, (after) => {
    const raw = nextSlot(after)
    return raw > horizon ? Infinity : raw
  })
  return Number.isFinite(slot)
}
