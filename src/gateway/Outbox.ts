import { SqlClient, type SqlError } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { type CorruptRowError, NullableInt, NullableText, rowDecoder } from "../domain/SqlRow.js"
import type { OutboundMessage } from "../services/Gateway.js"
import { toJson } from "../domain/Json.js"
import { isGone, selfOwner } from "./LeaseOwner.js"

/** One (message, channel) row of the durable outbox, as a Schema: every row read is decoded by it. */
export const OutboxRow = Schema.Struct({
  id: Schema.String,
  channel: Schema.String,
  payload: Schema.String,
  /** dead: the row cannot be read (its payload or a column is corrupt); kept with the reason, never attempted again. */
  status: Schema.Literal("pending", "delivered", "dropped", "dead"),
  attempts: Schema.Number,
  parts_done: Schema.Number,
  created_at: Schema.Number,
  next_attempt_at: Schema.Number,
  lease_until: NullableInt,
  /** Who holds the lease (`LeaseOwner`), so a new process can release the leases of a killed one. */
  lease_owner: NullableText,
  finished_at: NullableInt,
  last_error: NullableText
})
export type OutboxRow = typeof OutboxRow.Type

/** What the outbox can fail with: SQLite itself, or a row that does not decode. */
export type OutboxError = SqlError.SqlError | CorruptRowError

// Built once: the worker decodes every row it reads.
const outboxRows = rowDecoder("outbox", OutboxRow)
const keyRows = rowDecoder("outbox", Schema.Struct({ id: Schema.String, channel: Schema.String }))
const attemptRows = rowDecoder("outbox", Schema.Struct({ attempts: Schema.Number, parts_done: Schema.Number }))
const ownerRows = rowDecoder("outbox", Schema.Struct({ owner: Schema.String }))
const countRows = rowDecoder("outbox", Schema.Struct({ n: Schema.Number }))
const timeRows = rowDecoder("outbox", Schema.Struct({ at: NullableInt }))

/** A pending row as the worker's scan reads it: decoded, or corrupt with its key and the reason (to dead-letter). */
export type PendingRow = Either.Either<OutboxRow, { readonly key: OutboxKey; readonly reason: string }>

/** Identifies a row. */
export interface OutboxKey {
  readonly id: string
  readonly channel: string
}

/** What `claim` found: the row is ours to attempt, or it is delivered, dropped, or leased by another fiber or process. */
export type Claim =
  | { readonly _tag: "Claimed"; readonly row: OutboxRow }
  | { readonly _tag: "Finished"; readonly row: OutboxRow }
  | { readonly _tag: "Busy"; readonly row: OutboxRow }

/**
 * The outbox table. Rows are written before the first attempt (write-ahead), so a kill -9 loses nothing;
 * a lease (`lease_until`) taken by an atomic UPDATE makes one fiber, in one process, own a row's attempts.
 */
export const makeOutbox = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const owner = selfOwner()

  const claimRow = (key: OutboxKey, now: number, leaseMs: number) =>
    sql`UPDATE outbox SET lease_until = ${now + leaseMs}, lease_owner = ${owner}
      WHERE id = ${key.id} AND channel = ${key.channel} AND status = 'pending'
        AND (lease_until IS NULL OR lease_until <= ${now})
      RETURNING *`.pipe(Effect.flatMap(outboxRows.first))

  const claim = (key: OutboxKey, now: number, leaseMs: number): Effect.Effect<Claim | undefined, OutboxError> =>
    Effect.gen(function*() {
      const claimed = yield* claimRow(key, now, leaseMs)
      if (claimed !== undefined) return { _tag: "Claimed", row: claimed } as const
      const row = yield* sql`SELECT * FROM outbox WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.flatMap(outboxRows.first))
      if (row === undefined) return undefined
      return row.status === "pending" ? { _tag: "Busy", row } as const : { _tag: "Finished", row } as const
    })

  const insert = (message: OutboundMessage, channel: string, now: number) =>
    sql`INSERT INTO outbox (id, channel, payload, status, created_at, next_attempt_at)
      VALUES (${message.id}, ${channel}, ${toJson(message)}, 'pending', ${now}, ${now})
      ON CONFLICT (id, channel) DO NOTHING`

  return {
    /** Adds the row unless this (id, channel) is already known, then tries to lease it. */
    open: (message: OutboundMessage, channel: string, now: number, leaseMs: number) =>
      insert(message, channel, now).pipe(
        Effect.zipRight(claim({ id: message.id, channel }, now, leaseMs)),
        Effect.map((claim) => claim!)
      ),
    /** Adds the row unless this (id, channel) is already known, for the channel's worker to deliver; answers the row. */
    enqueue: (message: OutboundMessage, channel: string, now: number) =>
      insert(message, channel, now).pipe(
        Effect.zipRight(sql`SELECT * FROM outbox WHERE id = ${message.id} AND channel = ${channel}`),
        Effect.flatMap(([row]) => outboxRows.one(row))
      ),
    /**
     * Releases every lease whose owner is provably gone (killed outright: its leases were never given
     * back), so its rows are retried now rather than when the lease expires; answers the owners released.
     */
    releaseOrphans: (now: number) =>
      Effect.gen(function*() {
        const owners = yield* sql`SELECT DISTINCT lease_owner AS owner FROM outbox
          WHERE status = 'pending' AND lease_until > ${now} AND lease_owner IS NOT NULL AND lease_owner != ${owner}`.pipe(Effect.flatMap(ownerRows.all))
        const gone = owners.map((row) => row.owner).filter(isGone)
        for (const dead of gone) {
          yield* sql`UPDATE outbox SET lease_until = NULL, lease_owner = NULL WHERE status = 'pending' AND lease_owner = ${dead}`
        }
        return gone
      }),
    /** Moves a row that cannot be read out of the queue, keeping it and the reason. */
    deadLetter: (key: OutboxKey, now: number, reason: string) =>
      sql`UPDATE outbox SET status = 'dead', finished_at = ${now}, lease_until = NULL, last_error = ${reason}
        WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.asVoid),
    deadLetterCount: (channel: string) =>
      sql`SELECT COUNT(*) AS n FROM outbox WHERE status = 'dead' AND channel = ${channel}`.pipe(
        Effect.flatMap(countRows.first),
        Effect.map((row) => row?.n ?? 0)
      ),
    claim,
    /** Counts an attempt before it starts, so a replay after a crash is recognisable. */
    beginAttempt: (key: OutboxKey) =>
      sql`UPDATE outbox SET attempts = attempts + 1
        WHERE id = ${key.id} AND channel = ${key.channel} RETURNING attempts, parts_done`.pipe(
        Effect.flatMap(attemptRows.first),
        Effect.map((row) => row ?? { attempts: 1, parts_done: 0 })
      ),
    savePartsDone: (key: OutboxKey, n: number) =>
      sql`UPDATE outbox SET parts_done = ${n} WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.asVoid),
    delivered: (key: OutboxKey, now: number) =>
      sql`UPDATE outbox SET status = 'delivered', finished_at = ${now}, lease_until = NULL, last_error = NULL
        WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.asVoid),
    dropped: (key: OutboxKey, now: number, error: string) =>
      sql`UPDATE outbox SET status = 'dropped', finished_at = ${now}, lease_until = NULL, last_error = ${error}
        WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.asVoid),
    retryLater: (key: OutboxKey, nextAttemptAt: number, error: string) =>
      sql`UPDATE outbox SET next_attempt_at = ${nextAttemptAt}, lease_until = NULL, last_error = ${error}
        WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.asVoid),
    /** Gives the lease back (an interrupted attempt), so the row is due again at once. */
    release: (key: OutboxKey) =>
      sql`UPDATE outbox SET lease_until = NULL WHERE id = ${key.id} AND channel = ${key.channel}`.pipe(Effect.asVoid),
    /**
     * Pending rows of `channel` not leased by anyone, oldest first. A row whose columns do not decode is
     * answered as corrupt with the reason, for the worker to dead-letter: it must not stop the rows behind it.
     */
    pendingRows: (channel: string, now: number, limit: number): Effect.Effect<ReadonlyArray<PendingRow>, OutboxError> =>
      sql`SELECT * FROM outbox WHERE channel = ${channel} AND status = 'pending'
        AND (lease_until IS NULL OR lease_until <= ${now}) ORDER BY created_at, id LIMIT ${limit}`.pipe(
        Effect.flatMap((rows) =>
          Effect.forEach(rows, (raw) => {
            const row = outboxRows.either(raw)
            if (Either.isRight(row)) return Effect.succeed(Either.right(row.right))
            // Without a readable key the row cannot even be set aside: that is the typed error.
            return Effect.map(keyRows.one(raw), (key): PendingRow => Either.left({ key, reason: row.left.message }))
          })
        )
      ),
    pendingCount: (channel?: string) =>
      (channel === undefined
        ? sql`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`
        : sql`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND channel = ${channel}`
      ).pipe(Effect.flatMap(countRows.first), Effect.map((row) => row?.n ?? 0)),
    /** When the channel's latest queued retry is due: a restart keeps the backoff (and a `Retry-After`) it had. */
    resumeAt: (channel: string) =>
      sql`SELECT MAX(next_attempt_at) AS at FROM outbox WHERE channel = ${channel} AND status = 'pending'`.pipe(
        Effect.flatMap(timeRows.first),
        Effect.map((row) => row?.at ?? 0)
      ),
    lastDeliveredAt: (channel: string) =>
      sql`SELECT MAX(finished_at) AS at FROM outbox WHERE channel = ${channel} AND status = 'delivered'`.pipe(
        Effect.flatMap(timeRows.first),
        Effect.map((row) => row?.at ?? undefined)
      ),
    /** Forgets finished rows older than `before`; their ids could then be delivered again. */
    prune: (before: number) =>
      sql`DELETE FROM outbox WHERE status != 'pending' AND finished_at < ${before}`.pipe(Effect.asVoid)
  }
})

/** The outbox store. */
export type Outbox = Effect.Effect.Success<typeof makeOutbox>

