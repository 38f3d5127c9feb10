import { Cron, DateTime, Either, Option } from "effect"
import { parseDurationMs } from "./DurationMs.js"
import * as ActiveHours from "./ActiveHours.js"
import * as CronFixedOffset from "./CronFixedOffset.js"

/**
 * When an action's slots fall: a cron expression in a time zone, or a fixed interval.
 * Slot arithmetic is pure and works in epoch milliseconds, so the scheduler can re-check it against the
 * wall clock as often as it likes.
 */
export type CronSchedule =
  | { readonly _tag: "Cron"; readonly expression: string; readonly timezone: string; readonly cron: Cron.Cron; readonly zone: DateTime.TimeZone; readonly window?: ActiveHours.ActiveWindow | undefined }
  | { readonly _tag: "Interval"; readonly expression: string; readonly everyMs: number; readonly window?: ActiveHours.ActiveWindow | undefined }

/**
 * The schedule limited to its active hours: slots outside the window are not slots at all, so `next`,
 * `previous` and everything built on them (the dispatcher, catch-up, `heartbeat next`) never see them.
 * The one-line error says when no slot ever falls inside the window.
 */
export const withinActiveHours = (schedule: CronSchedule, window: ActiveHours.ActiveWindow, fromMs: number): Either.Either<CronSchedule, string> => {
  const windowed: CronSchedule = { ...schedule, window }
  const fixesDates = schedule._tag === "Cron" && (schedule.cron.days.size > 0 || schedule.cron.months.size > 0)
  const zone = window.timezone === timezoneOf(schedule) ? "" : ` (${window.timezone})`
  return ActiveHours.meets(window, (after) => nextRaw(schedule, after), fixesDates, fromMs)
    ? Either.right(windowed)
    : Either.left(`no slot of "${schedule.expression}" falls within ${window.label}${zone}`)
}

const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *"
}

// The longest each month can be; February 29 exists in leap years, so it is a valid (if rare) slot.
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

const zones = new Map<string, DateTime.TimeZone>()

const UTC_OFFSET = DateTime.zoneMakeOffset(0)

/** The time zone a schedule's slots are read in (intervals are zone-free: UTC). */
export const timezoneOf = (schedule: CronSchedule): string => schedule._tag === "Cron" ? schedule.timezone : "UTC"

/** The time zone for an IANA name (or "UTC"), if it is one. */
export const zoneFor = (name: string): Option.Option<DateTime.TimeZone> => {
  // UTC (every action's default) as the fixed offset it is: a named zone costs an ICU formatter (~30 ms at
  // start-up) for no difference in any answer.
  if (name === "UTC") return Option.some(UTC_OFFSET)
  const known = zones.get(name)
  if (known !== undefined) return Option.some(known)
  const zone = DateTime.zoneFromString(name)
  if (Option.isSome(zone)) zones.set(name, zone.value)
  return zone
}

/** Checks a time zone name; the error is the one-line reason. */
export const validateTimezone = (name: string): Either.Either<DateTime.TimeZone, string> =>
  Either.fromOption(zoneFor(name), () => `unknown time zone "${name}"`)

/**
 * Parses a schedule: a 5-field cron expression, 6 fields with leading seconds, month and weekday names,
 * a nickname (`@daily`, ...), or `@every DURATION` (e.g. `@every 90s`). Expressions that can never match
 * (February 30) are rejected here rather than failing at run time.
 */
export const parse = (expression: string, timezone = "UTC"): Either.Either<CronSchedule, string> => {
  const key = `${expression}\u0000${timezone}`
  const known = cache.get(key)
  if (known !== undefined) return known
  const result = parseUncached(expression, timezone)
  // Many actions share few expressions; sharing the compiled schedule keeps each registration small.
  if (cache.size < 10_000) cache.set(key, result)
  return result
}

const cache = new Map<string, Either.Either<CronSchedule, string>>()

const parseUncached = (expression: string, timezone: string): Either.Either<CronSchedule, string> => {
  const trimmed = expression.trim()
  if (trimmed.startsWith("@every")) {
    const duration = trimmed.slice("@every".length).trim()
    return parseDurationMs(duration).pipe(
      Either.mapLeft((reason) => reason.includes("too long")
        ? `"${expression}": the interval must be at most 100000000d (the span of JavaScript dates)`
        : `"${expression}": @every needs a duration such as 30s, 5m or 1h`),
      Either.filterOrLeft((ms) => ms >= 1, () => `"${expression}": the interval must be at least 1ms`),
      Either.filterOrLeft((ms) => ms <= MAX_DATE_MS, () => `"${expression}": the interval must be at most 100000000d (the span of JavaScript dates)`),
      Either.map((everyMs): CronSchedule => ({ _tag: "Interval", expression: trimmed, everyMs }))
    )
  }
  // UTC is read as the fixed offset it is (effect resolves a named zone through Intl on every step, even UTC).
  const zone = timezone === "UTC" ? Option.some(UTC_OFFSET) : zoneFor(timezone)
  if (Option.isNone(zone)) return Either.left(`unknown time zone "${timezone}"`)
  const source = sundayAsSeven(NICKNAMES[trimmed.toLowerCase()] ?? trimmed)
  if (source.startsWith("@")) return Either.left(`"${expression}": unknown nickname`)
  const parsed = compile(source, zone.value)
  if (Either.isLeft(parsed)) return Either.left(`"${expression}": ${parsed.left.message.toLowerCase()}`)
  const cron = parsed.right
  const schedule: CronSchedule = { _tag: "Cron", expression: trimmed, timezone, cron, zone: zone.value }
  if (!canMatch(cron)) return Either.left(`"${expression}" never matches`)
  // With the days of the month free every day can match and the walk finds a slot in a few steps; else
  // walk it once (the calendar does not depend on the zone: at offset 0, without Intl).
  if (cron.days.size !== 0 && !walks(cron)) return Either.left(`"${expression}" never matches`)
  return Either.right(schedule)
}

/** Whether effect's walk finds a first slot (it gives up after 10,000 steps). */
const walks = (cron: Cron.Cron): boolean => {
  try {
    CronFixedOffset.next(cron, 0, 0)
    return true
  } catch {
    return false
  }
}

/**
 * cronie reads a weekday range that ends at Sunday-as-0 (`MON-SUN`, `5-0`) as ending at 7; effect's Cron
 * rejects it as a backwards range. A range that starts at Sunday (`0-0`, `SUN-0`) is left as written.
 */
const sundayAsSeven = (source: string): string => {
  // Most expressions have no such range: skip the split and the replacements.
  if (!/-(?:0|sun)/i.test(source)) return source
  const fields = source.split(/\s+/)
  if (fields.length < 5 || fields.length > 6) return source
  const last = fields.length - 1
  fields[last] = fields[last]!.split(",").map((part) =>
    part.replace(/^([^-/]+)-(?:0|sun)(\/\d+)?$/i, (whole, start: string, step: string | undefined) =>
      /^(?:0|sun)$/i.test(start) ? whole : `${start}-7${step ?? ""}`)
  ).join(",")
  return fields.join(" ")
}

const FIELDS = [["seconds", "second"], ["minutes", "minute"], ["hours", "hour"], ["days", "day"], ["months", "month"], ["weekdays", "weekday"]] as const

/** One field of a cron expression as effect compiles it: the sorted values and the two lookup tables. */
interface CompiledField {
  readonly set: ReadonlySet<number>
  readonly values: ReadonlyArray<number>
  readonly next: ReadonlyArray<number | undefined>
  readonly prev: ReadonlyArray<number | undefined>
}

/** Fields by position, then by text; `undefined` for a field effect rejects. */
const compiledFields = FIELDS.map(() => new Map<string, CompiledField | undefined>())
let compiledCount = 0

const WILDCARDS = ["*", "*", "*", "*", "*", "*"]

/** The field at `position`, compiled by effect once (in an expression whose other fields are `*`) and kept. */
const compiledField = (position: number, text: string): CompiledField | undefined => {
  const known = compiledFields[position]!
  const field = known.get(text)
  if (field !== undefined || known.has(text)) return field
  const probe = [...WILDCARDS]
  probe[position] = text
  const parsed = Cron.parse(probe.join(" "))
  const [set, unit] = FIELDS[position]!
  const tables = parsed._tag === "Right" ? (parsed.right as unknown as Record<"next" | "prev", Record<string, ReadonlyArray<number | undefined>>>) : undefined // cast: effect's Cron lookup tables, which its type does not expose
  const compiled = parsed._tag === "Left" || tables === undefined
    ? undefined
    : { set: parsed.right[set], values: [...parsed.right[set]], next: tables.next[unit]!, prev: tables.prev[unit]! }
  if (compiledCount++ < 100_000) known.set(text, compiled)
  return compiled
}

const CRON_PROTO: object = Object.getPrototypeOf(Cron.make({ minutes: [], hours: [], days: [], months: [], weekdays: [] }))

/**
 * `Cron.parse`, built from compiled fields. effect parses each field on its own and then builds a `Set` and
 * two lookup tables per field (about 4 KB), so 10,000 distinct expressions cost 10,000 x 6 parses and 120,000
 * tables. Expressions repeat fields ("0" minutes, "*" days) far more than whole expressions: here each distinct
 * field is compiled once and its set and tables are shared by every expression that has it (effect treats them
 * as read-only), which makes registration about 3x faster and halves the heap per action. The object is
 * the one `Cron.make` builds (the same prototype and fields, `and` false as `Cron.parse` leaves it;
 * `CronSchedule.test.ts` compares the two); an expression with a field effect rejects goes through
 * `Cron.parse` itself, for its message.
 */
const compile = (source: string, tz: DateTime.TimeZone): Either.Either<Cron.Cron, Cron.ParseError> => {
  const segments = source.trim().split(/\s+/)
  if (segments.length === 5) segments.unshift("0")
  if (segments.length !== 6) return Cron.parse(source, tz)
  const seconds = compiledField(0, segments[0]!)
  const minutes = compiledField(1, segments[1]!)
  const hours = compiledField(2, segments[2]!)
  const days = compiledField(3, segments[3]!)
  const months = compiledField(4, segments[4]!)
  const weekdays = compiledField(5, segments[5]!)
  if (seconds === undefined || minutes === undefined || hours === undefined || days === undefined || months === undefined || weekdays === undefined) {
    return Cron.parse(source, tz)
  }
  const cron = Object.create(CRON_PROTO) as Record<string, unknown> // cast: a Cron assembled field by field from effect's own compiled fields
  cron.seconds = seconds.set
  cron.minutes = minutes.set
  cron.hours = hours.set
  cron.days = days.set
  cron.months = months.set
  cron.weekdays = weekdays.set
  cron.and = false
  cron.tz = Option.some(tz)
  cron.first = {
    second: seconds.values[0] ?? 0,
    minute: minutes.values[0] ?? 0,
    hour: hours.values[0] ?? 0,
    day: days.values[0] ?? 1,
    month: (months.values[0] ?? 1) - 1,
    weekday: weekdays.values[0] ?? 0
  }
  cron.last = {
    second: seconds.values.at(-1) ?? 59,
    minute: minutes.values.at(-1) ?? 59,
    hour: hours.values.at(-1) ?? 23,
    day: days.values.at(-1) ?? 31,
    month: (months.values.at(-1) ?? 12) - 1,
    weekday: weekdays.values.at(-1) ?? 6
  }
  cron.next = { second: seconds.next, minute: minutes.next, hour: hours.next, day: days.next, month: months.next, weekday: weekdays.next }
  cron.prev = { second: seconds.prev, minute: minutes.prev, hour: hours.prev, day: days.prev, month: months.prev, weekday: weekdays.prev }
  return Either.right(cron as unknown as Cron.Cron) // cast: every field of effect's Cron is set above, from effect's own compiled fields
}

/** Whether some month in the expression has one of its days (Feb 30, Apr 31 have none). */
const canMatch = (cron: Cron.Cron): boolean => {
  if (cron.days.size === 0 || (cron.weekdays.size !== 0 && (cron as unknown as { readonly and?: boolean }).and !== true)) return true // cast: effect's Cron keeps the day-of-month/weekday combination in a field its type does not expose
  const months = cron.months.size === 0 ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : [...cron.months]
  return months.some((month) => [...cron.days].some((day) => day <= MONTH_DAYS[month - 1]!))
}

const offsetAt = (zone: DateTime.TimeZone, ms: number): number =>
  DateTime.zonedOffset(DateTime.unsafeMakeZoned(ms, { timeZone: zone }))

/** The offset of a cron read at a fixed offset (UTC is one), else undefined (a named zone, resolved per step). */
const fixedOffset = (cron: Cron.Cron): number | undefined =>
  Option.isSome(cron.tz) && cron.tz.value._tag === "Offset" ? cron.tz.value.offset : undefined

/** `Cron.next` as epoch ms; at a fixed offset the same walk without effect's per-step zone resolution. */
const cronNext = (cron: Cron.Cron, afterMs: number): number => {
  const offset = fixedOffset(cron)
  return offset === undefined ? Cron.next(cron, new Date(afterMs)).getTime() : CronFixedOffset.next(cron, offset, afterMs)
}

/** `Cron.prev` as epoch ms, like `cronNext`. */
const cronPrev = (cron: Cron.Cron, beforeMs: number): number => {
  const offset = fixedOffset(cron)
  return offset === undefined ? Cron.prev(cron, new Date(beforeMs)).getTime() : CronFixedOffset.prev(cron, offset, beforeMs)
}

/** The latest instant a JavaScript `Date` can hold (+275760-09-13T00:00:00.000Z). */
export const MAX_DATE_MS = 8.64e15

/** The first slot strictly after `afterMs`, or undefined when there is none a JavaScript `Date` can hold. */
export const nextWithinDates = (schedule: CronSchedule, afterMs: number): number | undefined => {
  if (!(afterMs < MAX_DATE_MS && afterMs >= -MAX_DATE_MS)) return undefined
  try {
    const at = next(schedule, afterMs)
    return Number.isFinite(at) && at <= MAX_DATE_MS ? at : undefined
  } catch {
    // effect's Cron throws a RangeError past the last representable date.
    return undefined
  }
}

/** The first slot strictly after `afterMs` (inside the active hours, if the schedule has them). */
export const next = (schedule: CronSchedule, afterMs: number): number =>
  schedule.window === undefined ? nextRaw(schedule, afterMs) : ActiveHours.nextWithin(schedule.window, afterMs, (after) => nextRaw(schedule, after))

const nextRaw = (schedule: CronSchedule, afterMs: number): number => {
  if (schedule._tag === "Interval") {
    return (Math.floor(afterMs / schedule.everyMs) + 1) * schedule.everyMs
  }
  let first = cronNext(schedule.cron, afterMs)
  // Inside a repeated (fall-back) hour effect's Cron can answer with the first pass of a wall-clock time,
  // which is earlier than `afterMs`; look again from later until the answer moves forward.
  for (let probe = afterMs; first <= afterMs;) {
    probe += 900_000
    first = cronNext(schedule.cron, probe)
  }
  if (schedule.timezone === "UTC") return first
  if (schedule.cron.hours.size !== 0) return afterGap(schedule, afterMs, first)
  // effect's Cron maps a wall-clock time to its first instant, so when clocks fall back it skips the
  // repeated hour. An action that runs every hour (or more often) should keep running through it; a
  // fixed-hour action (daily at 01:30) must still fire only once, hence the hours-wildcard condition.
  let best = first
  for (const offset of new Set([offsetAt(schedule.zone, afterMs), offsetAt(schedule.zone, first)])) {
    // The walk at a fixed offset reads the cron's fields, not its zone: no `Cron` per offset is needed.
    const candidate = CronFixedOffset.next(schedule.cron, offset, afterMs)
    if (candidate < best && offsetAt(schedule.zone, candidate) === offset) best = candidate
  }
  return best
}

/**
 * effect's Cron maps a wall-clock time that a spring-forward gap skips with the offset from before the gap,
 * so 02:30 lands one gap-length late (03:30 in a one-hour gap; 04:30, after a 04:00 slot, in Troll's two-hour
 * gap). A fixed-hour slot inside the gap fires once, at the instant the gap ends (03:00), as cronie does.
 */
const afterGap = (schedule: Extract<CronSchedule, { _tag: "Cron" }>, afterMs: number, first: number): number => {
  let candidate = first
  for (let step = 0; step < 1_000 && !Cron.match(schedule.cron, new Date(candidate)); step++) {
    const end = gapEnd(schedule.zone, candidate)
    if (end > afterMs) return end
    // An earlier time in the same gap already fired at its end: this one is the same moment.
    candidate = cronNext(schedule.cron, candidate)
  }
  return candidate
}

/** The instant a spring-forward gap before `ms` ended: the first second with the offset `ms` has. */
const gapEnd = (zone: DateTime.TimeZone, ms: number): number => {
  const offset = offsetAt(zone, ms)
  // No zone has skipped more than a day (Samoa, 2011).
  let before = ms - 86_400_000
  if (offsetAt(zone, before) === offset) return ms
  let after = ms
  while (after - before > 1_000) {
    const middle = before + Math.floor((after - before) / 2_000) * 1_000
    if (offsetAt(zone, middle) === offset) after = middle
    else before = middle
  }
  return after
}

/** The latest slot at or before `atMs` (-Infinity when there is none in the last two years). */
export const previous = (schedule: CronSchedule, atMs: number): number =>
  schedule.window === undefined ? previousRaw(schedule, atMs) : ActiveHours.previousWithin(schedule.window, atMs, (at) => previousRaw(schedule, at))

const previousRaw = (schedule: CronSchedule, atMs: number): number => {
  if (schedule._tag === "Interval") {
    return Math.floor(atMs / schedule.everyMs) * schedule.everyMs
  }
  // Cron slots are whole seconds.
  const second = Math.floor(atMs / 1_000) * 1_000
  if (nextRaw(schedule, second - 1) === second) return second
  try {
    const candidate = cronPrev(schedule.cron, second)
    // Trust it only if it is a slot by `next`'s definition and the latest one.
    if (nextRaw(schedule, candidate - 1) === candidate && nextRaw(schedule, candidate) > atMs) return candidate
  } catch {
    // effect's Cron.prev gives up near some DST gaps; walk forward instead.
  }
  for (const lookBack of [86_400_000 * 2, 86_400_000 * 62, 86_400_000 * 731]) {
    let slot = nextRaw(schedule, atMs - lookBack)
    if (slot > atMs) continue
    for (let following = nextRaw(schedule, slot); following <= atMs; following = nextRaw(schedule, slot)) slot = following
    return slot
  }
  return -Infinity
}
