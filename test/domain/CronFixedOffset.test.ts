import { assert, describe, it } from "@effect/vitest"
import { Cron, DateTime, Either } from "effect"
import * as fc from "fast-check"
import * as CronFixedOffset from "../../src/domain/CronFixedOffset.js"

/**
 * effect's answer, or "throws" (a never-matching walk, a walk off the end of the date range: effect's
 * `DateTime` throws a RangeError where the port's plain `Date` walks on to its 10,000-step limit; every
 * caller treats both as "no slot").
 */
const effectAnswer = (step: "next" | "prev", cron: Cron.Cron, at: number): number | string => {
  try {
    return (step === "next" ? Cron.next : Cron.prev)(cron, new Date(at)).getTime()
  } catch {
    return "throws"
  }
}

const portAnswer = (step: "next" | "prev", cron: Cron.Cron, offset: number, at: number): number | string => {
  try {
    return CronFixedOffset[step](cron, offset, at)
  } catch {
    return "throws"
  }
}

const part = (low: number, high: number) =>
  fc.oneof(
    fc.constant("*"),
    fc.integer({ min: low, max: high }).map(String),
    fc.tuple(fc.integer({ min: low, max: high }), fc.integer({ min: low, max: high })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.tuple(fc.integer({ min: low, max: high }), fc.integer({ min: 1, max: high - low + 1 })).map(([a, step]) => `${a}/${step}`),
    fc.uniqueArray(fc.integer({ min: low, max: high }), { minLength: 2, maxLength: 4 }).map((values) => values.join(","))
  )

const expression = fc.tuple(part(0, 59), part(0, 59), part(0, 23), part(1, 31), part(1, 12), part(0, 6)).map((fields) => fields.join(" "))

// From 1950 to 2150, with sub-second parts: the walk zeroes milliseconds and must keep "strictly after".
const instant = fc.integer({ min: -631_152_000_000, max: 5_680_281_600_000 })

// Whole quarter hours from -12:00 to +14:00, as real offsets are.
const offset = fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 900_000)

describe("CronFixedOffset", () => {
  it("answers what effect's Cron.next and Cron.prev answer at the same fixed offset", () => {
    fc.assert(
      fc.property(expression, offset, instant, fc.boolean(), (source, offsetMs, at, and) => {
        const parsed = Cron.parse(source, DateTime.zoneMakeOffset(offsetMs))
        fc.pre(Either.isRight(parsed))
        const cron = Either.getOrThrow(parsed)
        const withAnd = and ? Cron.make({ ...cron, tz: DateTime.zoneMakeOffset(offsetMs), and: true }) : cron
        for (const step of ["next", "prev"] as const) {
          assert.strictEqual(portAnswer(step, withAnd, offsetMs, at), effectAnswer(step, withAnd, at), `${step} of "${source}" (and: ${and}) at ${offsetMs} from ${at}`)
        }
      }),
      { numRuns: 3_000 }
    )
  })

  it("agrees on month ends, leap days, never-matching dates and the edges of the date range", () => {
    const cases: Array<[string, number]> = [
      ["0 0 31 * *", Date.UTC(2026, 0, 31, 12)],
      ["0 0 29 2 *", Date.UTC(2025, 1, 1)],
      ["0 0 30 2 *", Date.UTC(2026, 0, 1)],
      ["0 0 L * *", Date.UTC(2026, 1, 10)],
      ["59 59 23 31 12 *", Date.UTC(2026, 11, 31, 23, 59, 59, 500)],
      ["0 0 1 1 *", 8.64e15 - 14 * 3_600_000],
      ["0 0 1 1 *", 8.64e15],
      ["0 0 1 1 *", -8.64e15],
      ["0 0 13 * 5", Date.UTC(2026, 2, 1)]
    ]
    for (const [source, at] of cases) {
      const parsed = Cron.parse(source, DateTime.zoneMakeOffset(0))
      if (Either.isLeft(parsed)) continue
      for (const step of ["next", "prev"] as const) {
        assert.strictEqual(portAnswer(step, parsed.right, 0, at), effectAnswer(step, parsed.right, at), `${step} of "${source}" from ${at}`)
      }
    }
  })
})
