import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { NullableInt, NullableText, rowDecoder } from "../domain/SqlRow.js"

/** One outbox row as the operator sees it. */
export interface OutboxEntry {
  readonly id: string
  readonly channel: string
  readonly status: string
  readonly attempts: number
  readonly createdAt: number
  readonly nextAttemptAt: number | undefined
  readonly finishedAt: number | undefined
  readonly lastError: string | undefined
}

const Row = Schema.Struct({
  id: Schema.String,
  channel: Schema.String,
  status: Schema.String,
  attempts: Schema.Number,
  created_at: Schema.Number,
  next_attempt_at: Schema.Number,
  finished_at: NullableInt,
  last_error: NullableText
})
type Row = typeof Row.Type
// Built once; a corrupt row is a CorruptRowError naming outbox.<column>, which the CLI prints.
const rows = rowDecoder("outbox", Row)

const fromRow = (row: Row): OutboxEntry => ({
  id: row.id,
  channel: row.channel,
  status: row.status,
  attempts: row.attempts,
  createdAt: row.created_at,
  nextAttemptAt: row.status === "pending" ? row.next_attempt_at : undefined,
  finishedAt: row.finished_at ?? undefined,
  lastError: row.last_error ?? undefined
})

/** What `agenc outbox` does to the durable outbox: list, retry now, drop. Works beside a running daemon (SQLite is shared). */
export const makeOutboxAdmin = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const byKey = (id: string, channel: string | undefined) =>
    channel === undefined ? sql`id = ${id}` : sql.and([sql`id = ${id}`, sql`channel = ${channel}`])
  return {
    /** Newest first. */
    list: (query: { readonly channel?: string | undefined; readonly status?: string | undefined; readonly limit: number }) =>
      sql`SELECT * FROM outbox WHERE ${sql.and([
        ...(query.channel === undefined ? [] : [sql`channel = ${query.channel}`]),
        ...(query.status === undefined ? [] : [sql`status = ${query.status}`])
      ])} ORDER BY created_at DESC, id, channel LIMIT ${query.limit}`.pipe(Effect.flatMap(rows.all), Effect.map((found) => found.map(fromRow))),
    find: (id: string, channel: string | undefined) =>
      sql`SELECT * FROM outbox WHERE ${byKey(id, channel)} ORDER BY channel`.pipe(Effect.flatMap(rows.all), Effect.map((found) => found.map(fromRow))),
    /** A pending or dead row is due now, its lease and backoff forgotten; answers the rows changed. */
    retry: (id: string, channel: string | undefined, now: number) =>
      sql`UPDATE outbox SET status = 'pending', next_attempt_at = ${now}, lease_until = NULL, finished_at = NULL
        WHERE ${byKey(id, channel)} AND status IN ('pending', 'dead') RETURNING *`.pipe(Effect.flatMap(rows.all), Effect.map((found) => found.map(fromRow))),
    /** A pending row is given up, recorded as dropped by the operator; answers the rows changed. */
    drop: (id: string, channel: string | undefined, now: number) =>
      sql`UPDATE outbox SET status = 'dropped', finished_at = ${now}, lease_until = NULL, last_error = 'dropped by the operator'
        WHERE ${byKey(id, channel)} AND status = 'pending' RETURNING *`.pipe(Effect.flatMap(rows.all), Effect.map((found) => found.map(fromRow)))
  }
})
