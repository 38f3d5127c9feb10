import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import type { OutboundMessage } from "../services/Gateway.js"
import { toJson } from "../domain/Json.js"

/** One (message, channel) row of the durable outbox. */
export interface OutboxRow {
  readonly id: string
  readonly channel: string
  readonly payload: string
  readonly status: "pending" | "delivered" | "dropped"
  readonly attempts: number
  readonly parts_done: number
  readonly created_at: number
  readonly next_attempt_at: number
  readonly lease_until: number | null
  readonly finished_at: number | null
  readonly last_error: string | null
}

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

  const claimRow = (key: OutboxKey, now: number, leaseMs: number) =>
    sql<OutboxRow>`UPDATE outbox SET lease_until = ${now + leaseMs}
      WHERE id = ${key.id} AND channel = ${key.channel} AND status = 'pending'
        AND (lease_until IS NULL OR lease_until <= ${now})
      RETURNING *`.pipe(Effect.map(([row]) => row))

  const claim = (key: OutboxKey, now: number, leaseMs: number): Effect.Effect<Claim | undefined, SqlError.SqlError> =>
    Effect.gen(function*() {
      const claimed = yield* claimRow(key, now, leaseMs)
      if (claimed !== undefined) return { _tag: "Claimed", row: claimed } as const
      const [row] = yield* sql<OutboxRow>`SELECT * FROM outbox WHERE id = ${key.id} AND channel = ${key.channel}`
      if (row === undefined) return undefined
      return row.status === "pending" ? { _tag: "Busy", row } as const : { _tag: "Finished", row } as const
    })

  return {
    /** Adds the row unless this (id, channel) is already known, then tries to lease it. */
    open: (message: OutboundMessage, channel: string, now: number, leaseMs: number) =>
      sql`INSERT INTO outbox (id, channel, payload, status, created_at, next_attempt_at)
        VALUES (${message.id}, ${channel}, ${toJson(message)}, 'pending', ${now}, ${now})
        ON CONFLICT (id, channel) DO NOTHING`.pipe(
        Effect.zipRight(claim({ id: message.id, channel }, now, leaseMs)),
        Effect.map((claim) => claim!)
      ),
    claim,
    /** Counts an attempt before it starts, so a replay after a crash is recognisable. */
    beginAttempt: (key: OutboxKey) =>
      sql<{ attempts: number; parts_done: number }>`UPDATE outbox SET attempts = attempts + 1
        WHERE id = ${key.id} AND channel = ${key.channel} RETURNING attempts, parts_done`.pipe(
        Effect.map(([row]) => row ?? { attempts: 1, parts_done: 0 })
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
    /** Pending rows of `channel` not leased by anyone, oldest first. */
    pendingRows: (channel: string, now: number, limit: number) =>
      sql<OutboxRow>`SELECT * FROM outbox WHERE channel = ${channel} AND status = 'pending'
        AND (lease_until IS NULL OR lease_until <= ${now}) ORDER BY created_at, id LIMIT ${limit}`,
    pendingCount: (channel?: string) =>
      (channel === undefined
        ? sql<{ n: number }>`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`
        : sql<{ n: number }>`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND channel = ${channel}`
      ).pipe(Effect.map(([row]) => row?.n ?? 0)),
    /** When the channel's latest queued retry is due: a restart keeps the backoff (and a `Retry-After`) it had. */
    resumeAt: (channel: string) =>
      sql<{ at: number | null }>`SELECT MAX(next_attempt_at) AS at FROM outbox WHERE channel = ${channel} AND status = 'pending'`.pipe(
        Effect.map(([row]) => row?.at ?? 0)
      ),
    lastDeliveredAt: (channel: string) =>
      sql<{ at: number | null }>`SELECT MAX(finished_at) AS at FROM outbox WHERE channel = ${channel} AND status = 'delivered'`.pipe(
        Effect.map(([row]) => row?.at ?? undefined)
      ),
    /** Forgets finished rows older than `before`; their ids could then be delivered again. */
    prune: (before: number) =>
      sql`DELETE FROM outbox WHERE status != 'pending' AND finished_at < ${before}`.pipe(Effect.asVoid)
  }
})

/** The outbox store. */
export type Outbox = Effect.Effect.Success<typeof makeOutbox>

