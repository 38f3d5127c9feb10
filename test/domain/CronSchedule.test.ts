import { assert, describe, it } from "@effect/vitest"
import { Cron, DateTime, Either, Equal, Option } from "effect"
import * as fc from "fast-check"
import * as CronSchedule from "../../src/domain/CronSchedule.js"

const parse = (expression: string, timezone = "UTC") => Either.getOrThrow(CronSchedule.parse(expression, timezone))
const reason = (expression: string, timezone = "UTC") => Either.flip(CronSchedule.parse(expression, timezone)).pipe(Either.getOrThrow)
const series = (expression: string, from: string, count: number, timezone = "UTC") => {
  const schedule = parse(expression, timezone)
  const out: Array<string> = []
  for (let at = Date.parse(from), i = 0; i < count; i++) {
    at = CronSchedule.next(schedule, at)
    out.push(new Date(at).toISOString())
  }
  return out
}

describe("CronSchedule", () => {
  it("reads 5 fields, 6 with seconds, names and nicknames", () => {
    assert.deepStrictEqual(series("*/15 * * * *", "2026-03-01T00:07:00Z", 2), ["2026-03-01T00:15:00.000Z", "2026-03-01T00:30:00.000Z"])
    assert.deepStrictEqual(series("*/20 * * * * *", "2026-03-01T00:00:00Z", 2), ["2026-03-01T00:00:20.000Z", "2026-03-01T00:00:40.000Z"])
    assert.deepStrictEqual(series("0 9 * * MON-FRI", "2026-03-06T10:00:00Z", 2), ["2026-03-09T09:00:00.000Z", "2026-03-10T09:00:00.000Z"])
    assert.deepStrictEqual(series("0 0 1 jan,jul *", "2026-03-01T00:00:00Z", 2), ["2026-07-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"])
    assert.deepStrictEqual(series("@yearly", "2026-03-01T00:00:00Z", 1), ["2027-01-01T00:00:00.000Z"])
    assert.deepStrictEqual(series("@annually", "2026-03-01T00:00:00Z", 1), ["2027-01-01T00:00:00.000Z"])
    assert.deepStrictEqual(series("@monthly", "2026-03-15T00:00:00Z", 1), ["2026-04-01T00:00:00.000Z"])
    assert.deepStrictEqual(series("@weekly", "2026-03-04T00:00:00Z", 1), ["2026-03-08T00:00:00.000Z"])
    assert.deepStrictEqual(series("@daily", "2026-03-04T05:00:00Z", 1), ["2026-03-05T00:00:00.000Z"])
    assert.deepStrictEqual(series("@midnight", "2026-03-04T05:00:00Z", 1), ["2026-03-05T00:00:00.000Z"])
    assert.deepStrictEqual(series("@hourly", "2026-03-04T05:10:00Z", 1), ["2026-03-04T06:00:00.000Z"])
    assert.deepStrictEqual(series("@every 90s", "2026-03-04T00:00:00Z", 2), ["2026-03-04T00:01:30.000Z", "2026-03-04T00:03:00.000Z"])
  })

  it("reads the expression in the given time zone", () => {
    assert.deepStrictEqual(series("0 9 * * *", "2026-06-01T00:00:00Z", 1, "Europe/Berlin"), ["2026-06-01T07:00:00.000Z"])
    assert.deepStrictEqual(series("0 9 * * *", "2026-01-01T00:00:00Z", 1, "America/New_York"), ["2026-01-01T14:00:00.000Z"])
  })

  it("rejects what can never match, and bad input, with a one-line reason", () => {
    assert.strictEqual(reason("0 0 31 2 *"), "\"0 0 31 2 *\" never matches")
    assert.strictEqual(reason("0 0 30 2 *"), "\"0 0 30 2 *\" never matches")
    assert.strictEqual(reason("0 0 31 4,6 *"), "\"0 0 31 4,6 *\" never matches")
    assert.strictEqual(reason("* * *"), "\"* * *\": invalid number of segments in cron expression")
    assert.strictEqual(reason("0 0 * * *", "Mars/Olympus"), "unknown time zone \"Mars/Olympus\"")
    assert.strictEqual(reason("@fortnightly"), "\"@fortnightly\": unknown nickname")
    assert.strictEqual(reason("@every soon"), "\"@every soon\": @every needs a duration such as 30s, 5m or 1h")
    assert.isTrue(reason("61 * * * *").includes("61 * * * *"))
    // February 29 exists, in leap years.
    assert.deepStrictEqual(series("0 0 29 2 *", "2026-01-01T00:00:00Z", 1), ["2028-02-29T00:00:00.000Z"])
  })

  it("DST: a time in the spring gap fires once, after it; a fall-back time fires once", () => {
    assert.deepStrictEqual(series("30 2 * * *", "2026-03-07T00:00:00Z", 3, "America/New_York"), [
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:00:00.000Z", // 03:00 EDT, the end of the gap: 02:30 does not exist that day
      "2026-03-09T06:30:00.000Z"
    ])
    // Every time inside the gap collapses to its end, once.
    assert.deepStrictEqual(series("*/20 2 * * *", "2026-03-08T00:00:00Z", 2, "America/New_York"), [
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z"
    ])
    assert.deepStrictEqual(series("30 1 * * *", "2026-10-31T00:00:00Z", 3, "America/New_York"), [
      "2026-10-31T05:30:00.000Z",
      "2026-11-01T05:30:00.000Z", // the first 01:30 only
      "2026-11-02T06:30:00.000Z"
    ])
    // Starting inside the repeated hour does not go back to its first pass.
    assert.deepStrictEqual(series("30 1 * * *", "2026-11-01T06:10:00Z", 1, "America/New_York"), ["2026-11-02T06:30:00.000Z"])
  })

  it("DST: a time in a two-hour gap fires at its end, before the first slot after the gap", () => {
    // Antarctica/Troll jumps from 01:00 (UTC+0) to 03:00 (UTC+2) on the last Sunday of March.
    assert.deepStrictEqual(series("30 2 * * *", "2026-03-28T12:00:00Z", 2, "Antarctica/Troll"), [
      "2026-03-29T01:00:00.000Z", // 03:00 local, not 04:30
      "2026-03-30T00:30:00.000Z"
    ])
    assert.deepStrictEqual(series("0 4 * * *", "2026-03-28T12:00:00Z", 1, "Antarctica/Troll"), ["2026-03-29T02:00:00.000Z"])
  })

  it("weekday ranges ending at Sunday-as-0 end at 7, as in cronie", () => {
    const days = (expression: string) => {
      const schedule = parse(expression)
      return schedule._tag === "Cron" ? [...schedule.cron.weekdays].sort() : []
    }
    assert.deepStrictEqual(days("0 0 * * MON-SUN"), [0, 1, 2, 3, 4, 5, 6])
    assert.deepStrictEqual(days("0 0 * * 5-0"), [0, 5, 6])
    assert.deepStrictEqual(days("0 0 * * fri-sun"), [0, 5, 6])
    assert.deepStrictEqual(days("0 0 * * 0-0"), [0])
    assert.deepStrictEqual(days("0 0 0 * * 1-0/2"), [0, 1, 3, 5])
  })

  it("DST: schedules with a wildcard hour keep their pace through the repeated hour", () => {
    assert.deepStrictEqual(series("*/30 * * * *", "2026-10-25T00:00:00Z", 7, "Europe/Berlin"), [
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T01:30:00.000Z",
      "2026-10-25T02:00:00.000Z",
      "2026-10-25T02:30:00.000Z",
      "2026-10-25T03:00:00.000Z",
      "2026-10-25T03:30:00.000Z"
    ])
  })

  it("previous: the latest slot at or before an instant, also next to a DST gap", () => {
    const daily = parse("0 9 * * *")
    assert.strictEqual(CronSchedule.previous(daily, Date.parse("2026-03-08T09:00:00Z")), Date.parse("2026-03-08T09:00:00Z"))
    assert.strictEqual(CronSchedule.previous(daily, Date.parse("2026-03-08T08:59:59.999Z")), Date.parse("2026-03-07T09:00:00Z"))
    const inGap = parse("30 2 * * *", "America/New_York")
    assert.strictEqual(CronSchedule.previous(inGap, Date.parse("2026-03-08T08:00:00Z")), Date.parse("2026-03-08T07:00:00Z"))
    assert.strictEqual(CronSchedule.previous(parse("* * * * * *"), Date.parse("2026-03-08T08:00:00.250Z")), Date.parse("2026-03-08T08:00:00Z"))
    assert.strictEqual(CronSchedule.previous(parse("@every 1h"), Date.parse("2026-03-08T08:20:00Z")), Date.parse("2026-03-08T08:00:00Z"))
  })
})

describe("CronSchedule's compiled fields", () => {
  const part = (low: number, high: number, names: ReadonlyArray<string> = []) =>
    fc.oneof(
      fc.constant("*"),
      fc.integer({ min: low, max: high }).map(String),
      fc.tuple(fc.integer({ min: low, max: high }), fc.integer({ min: low, max: high })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.tuple(fc.integer({ min: low, max: high }), fc.integer({ min: 1, max: 7 })).map(([a, step]) => `${a}/${step}`),
      fc.uniqueArray(fc.integer({ min: low, max: high }), { minLength: 2, maxLength: 4 }).map((values) => values.join(",")),
      ...(names.length > 0 ? [fc.constantFrom(...names)] : [])
    )
  const expression = fc.tuple(fc.option(part(0, 59)), part(0, 59), part(0, 23), part(1, 31), part(1, 12, ["JAN", "mar-may"]), part(0, 6, ["MON", "tue-fri"]))
    .map(([seconds, ...rest]) => (seconds === null ? rest : [seconds, ...rest]).join(" "))

  it("build the Cron that effect's Cron.parse builds, field for field", () => {
    fc.assert(
      fc.property(expression, fc.constantFrom("UTC", "Europe/Berlin"), (source, timezone) => {
        const ours = CronSchedule.parse(source, timezone)
        const zone = timezone === "UTC" ? DateTime.zoneMakeOffset(0) : Option.getOrThrow(DateTime.zoneFromString(timezone))
        const effects = Cron.parse(source, zone)
        if (Either.isLeft(effects)) {
          assert.isTrue(Either.isLeft(ours), source)
          return
        }
        if (Either.isLeft(ours)) {
          // Only a calendar that never matches is ours to reject.
          assert.include(ours.left, "never matches", source)
          return
        }
        // Accepted means effect's own walk finds a first slot (parse walks it only when the days are fixed).
        assert.doesNotThrow(() => Cron.next(Either.getOrThrow(Cron.parse(source, DateTime.zoneMakeOffset(0))), new Date(0)), source)
        assert.strictEqual(ours.right._tag, "Cron")
        const cron = (ours.right as Extract<CronSchedule.CronSchedule, { _tag: "Cron" }>).cron
        assert.isTrue(Equal.equals(cron, effects.right), source)
        assert.strictEqual(Object.getPrototypeOf(cron), Object.getPrototypeOf(effects.right))
        for (const field of ["and", "first", "last", "next", "prev"] as const) {
          assert.deepStrictEqual((cron as unknown as Record<string, unknown>)[field], (effects.right as unknown as Record<string, unknown>)[field], `${field} of ${source}`)
        }
      }),
      { numRuns: 1_000 }
    )
  })

  it("word a rejected field as effect does", () => {
    assert.strictEqual(reason("61 * * * * *"), `"61 * * * * *": ${Either.flip(Cron.parse("61 * * * * *")).pipe(Either.getOrThrow).message.toLowerCase()}`)
    assert.strictEqual(reason("* * * *"), `"* * * *": invalid number of segments in cron expression`)
  })
})
