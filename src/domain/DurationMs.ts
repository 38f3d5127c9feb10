import { Either, ParseResult, Schema } from "effect"

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/

/** Parses `"250ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"` (or a plain number of milliseconds) into milliseconds. */
export const parseDurationMs = (input: string | number): Either.Either<number, string> => {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? Either.right(input) : Either.left(`${input} is not a duration`)
  }
  const match = PATTERN.exec(input)
  if (match === null) {
    return Either.left(`"${input}" is not a duration (use e.g. 500ms, 30s, 5m, 2h, 1d)`)
  }
  return Either.right(Math.round(Number(match[1]) * UNITS[match[2]!]!))
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
