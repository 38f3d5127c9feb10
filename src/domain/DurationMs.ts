import { Either, ParseResult, Schema } from "effect"

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/

/** Parses `"250ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"` (or a plain number of milliseconds) into milliseconds. */
export const parseDurationMs = (input: string | number): Either.Either<number, string> => {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0
      ? input <= Number.MAX_SAFE_INTEGER ? Either.right(input) : Either.left(`${input} ms is too long a duration`)
      : Either.left(`${input} is not a duration`)
  }
  const match = PATTERN.exec(input)
  if (match === null) {
    return Either.left(`"${input}" is not a duration (use e.g. 500ms, 30s, 5m, 2h, 1d)`)
  }
  const ms = Math.round(Number(match[1]) * UNITS[match[2]!]!)
  return Number.isSafeInteger(ms) ? Either.right(ms) : Either.left(`"${input}" is too long a duration`)
}

/** A duration in config: a number of milliseconds, or a string such as `"30s"`; decodes to milliseconds. */
export const DurationMs = Schema.transformOrFail(
  Schema.Union(Schema.NonNegative, Schema.String).annotations({
    description: "milliseconds, or a string such as \"500ms\", \"30s\", \"5m\", \"2h\", \"1d\""
  }),
  Schema.NonNegative,
  {
    strict: true,
    decode: (input, _, ast) =>
      Either.mapLeft(parseDurationMs(input), (message) => new ParseResult.Type(ast, input, message)),
    encode: (ms) => Either.right(ms)
  }
)

/** The longest delay Node's timers take (2^31-1 ms, about 24.8 days); anything longer fires at once. */
export const MAX_TIMER_MS = 2_147_483_647

/** A duration as a person reads it: `10ms`, `1s`, `24.8d`. */
export const formatDurationMs = (ms: number): string => {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms >= size) return `${Math.floor((ms / size) * 10) / 10}${unit}`
  }
  return `${ms}ms`
}

/** A `DurationMs` within `[min, max]`; the error says the allowed range. */
export const DurationMsBetween = (min: number, max: number) =>
  DurationMs.pipe(Schema.filter((ms) =>
    (ms >= min && ms <= max) || `must be between ${formatDurationMs(min)} and ${formatDurationMs(max)} (${min}..${max} ms), got ${ms} ms`
  ))

/** A duration that becomes a timer: at least `min`, at most 2^31-1 ms. */
export const TimerDurationMs = (min: number) => DurationMsBetween(min, MAX_TIMER_MS)
