import { Either, ParseResult, Schema } from "effect"

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i

/** Parses `"512KB"`, `"10MB"`, `"1GB"` (powers of 1024) or a plain number of bytes into bytes. */
export const parseByteSize = (input: string | number): Either.Either<number, string> => {
  if (typeof input === "number") {
    return Number.isSafeInteger(input) && input > 0 ? Either.right(input) : Either.left(`${input} is not a size in bytes`)
  }
  const match = PATTERN.exec(input)
  const bytes = match === null ? Number.NaN : Math.floor(Number(match[1]) * UNITS[(match[2] ?? "b").toLowerCase()]!)
  return Number.isSafeInteger(bytes) && bytes > 0
    ? Either.right(bytes)
    : Either.left(`"${input}" is not a size (use bytes, or e.g. 512KB, 10MB, 1GB)`)
}

/** A size in config: a positive number of bytes, or a string such as `"10MB"`; decodes to bytes. */
export const ByteSize = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String).annotations({
    description: "bytes, or a string such as \"512KB\", \"10MB\", \"1GB\" (powers of 1024)"
  }),
  Schema.Int.pipe(Schema.positive()),
  {
    strict: true,
    decode: (input, _, ast) => Either.mapLeft(parseByteSize(input), (message) => new ParseResult.Type(ast, input, message)),
    encode: (bytes) => Either.right(bytes)
  }
).annotations({ identifier: "ByteSize" })

/** How many rotated files are kept next to the live one (`name.1` … `name.N`). */
export const KeepCount = Schema.Int.pipe(
  Schema.filter((n) => (n >= 1 && n <= 100) || "must be from 1 to 100", { jsonSchema: { minimum: 1, maximum: 100 } })
)
