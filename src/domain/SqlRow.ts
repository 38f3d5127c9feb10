import { Data, Effect, Either, ParseResult, Schema } from "effect"
import { oneLine } from "./OneLine.js"

/** A row read from SQLite does not have the shape its table promises: names the table and the column. */
export class CorruptRowError extends Data.TaggedError("CorruptRowError")<{
  readonly table: string
  /** The first column that failed, or `row` when the row itself is not an object. */
  readonly column: string
  readonly message: string
}> {}

const describe = (table: string, error: ParseResult.ParseError): CorruptRowError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const column = issue === undefined || issue.path.length === 0 ? "row" : String(issue.path[0])
  const rest = issue === undefined ? "" : issue.path.slice(1).map(String).join(".")
  const text = oneLine(`${table}.${column}${rest === "" ? "" : `.${rest}`}: ${issue?.message ?? error.message}`)
  return new CorruptRowError({ table, column, message: `corrupt row in ${text.length > 300 ? `${text.slice(0, 297)}...` : text}` })
}

/** Decodes the rows of one table by its row Schema. */
export interface RowDecoder<A> {
  readonly either: (row: unknown) => Either.Either<A, CorruptRowError>
  readonly one: (row: unknown) => Effect.Effect<A, CorruptRowError>
  readonly all: (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>, CorruptRowError>
  /** The first row, or undefined when there is none. */
  readonly first: (rows: ReadonlyArray<unknown>) => Effect.Effect<A | undefined, CorruptRowError>
}

/**
 * A decoder of `table`'s rows, compiled once (call it at module level, never per query). SQL rows are
 * typed by the query only as a promise: this is where the promise is checked, so a corrupt row is a
 * typed error rather than a wrong value or a defect further on.
 */
export const rowDecoder = <A, I>(table: string, schema: Schema.Schema<A, I>): RowDecoder<A> => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })
  const either = (row: unknown) => Either.mapLeft(decode(row), (error) => describe(table, error))
  const one = (row: unknown) => Either.match(either(row), { onLeft: Effect.fail, onRight: Effect.succeed })
  return {
    either,
    one,
    all: (rows) => Effect.forEach(rows, one),
    first: (rows) => rows[0] === undefined ? Effect.succeed(undefined) : one(rows[0])
  }
}

/** A SQLite INTEGER column that may be NULL. */
export const NullableInt = Schema.NullOr(Schema.Number)
/** A SQLite TEXT column that may be NULL. */
export const NullableText = Schema.NullOr(Schema.String)
