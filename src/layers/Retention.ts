/**
 * Keeps `agenc.db` flat over months: every `daemon.retention.interval` the daemon deletes
 * - sessions of actions no longer configured, once none of their keys changed for `sessions`;
 * - delivered outbox rows older than `delivered` or beyond the newest `deliveredKeep` per channel;
 * - dead letters (rows given up on: `dropped`, and `dead` where the outbox has that state) older than
 *   `deadLetters` or beyond the newest `deadLettersKeep`;
 * - crash records older than `crashes` or beyond the newest `crashesKeep`;
 * then checkpoints the WAL (TRUNCATE), so the -wal file does not keep the high-water mark of a burst.
 * The run ledger bounds itself (`heartbeat.ledgerSize`). Pending outbox rows are never touched.
 */
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Schedule, Schema } from "effect"
import type { RetentionConfig } from "../domain/DaemonConfig.js"
import { rowDecoder } from "../domain/SqlRow.js"

/** What one pass deleted. */
export interface Pruned {
  readonly sessions: number
  readonly delivered: number
  readonly deadLetters: number
  readonly crashes: number
}

const changesRow = rowDecoder("changes()", Schema.Struct({ n: Schema.Number }))

const changes = (sql: SqlClient.SqlClient) =>
  sql`SELECT changes() AS n`.pipe(Effect.flatMap(changesRow.first), Effect.map((row) => row?.n ?? 0))

/** Outbox states that mean "given up on": `dropped` (expired) today; a `dead` state when the outbox has one. */
const DEAD_STATES = ["dropped", "dead"]

/** One pruning pass; `configured` is every action name in the running configuration (enabled or not). */
export const prune = Effect.fn("Retention.prune")(function*(policy: RetentionConfig, configured: ReadonlyArray<string>) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* Clock.currentTimeMillis
  return yield* sql.withTransaction(Effect.gen(function*() {
    const names = JSON.stringify(configured)
    yield* sql`DELETE FROM sessions WHERE action NOT IN (SELECT value FROM json_each(${names}))
      AND action IN (SELECT action FROM sessions GROUP BY action HAVING MAX(updated_at) < ${now - policy.sessions})`
    const sessions = yield* changes(sql)
    yield* sql`DELETE FROM outbox WHERE status = 'delivered' AND (finished_at < ${now - policy.delivered}
      OR (id, channel) IN (SELECT id, channel FROM (
        SELECT id, channel, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY finished_at DESC) AS newest
        FROM outbox WHERE status = 'delivered') WHERE newest > ${policy.deliveredKeep}))`
    const delivered = yield* changes(sql)
    const dead = JSON.stringify(DEAD_STATES)
    yield* sql`DELETE FROM outbox WHERE status IN (SELECT value FROM json_each(${dead})) AND (finished_at < ${now - policy.deadLetters}
      OR (id, channel) NOT IN (SELECT id, channel FROM outbox WHERE status IN (SELECT value FROM json_each(${dead}))
        ORDER BY finished_at DESC LIMIT ${policy.deadLettersKeep}))`
    const deadLetters = yield* changes(sql)
    yield* sql`DELETE FROM daemon_crashes WHERE at < ${now - policy.crashes}
      OR id NOT IN (SELECT id FROM daemon_crashes ORDER BY id DESC LIMIT ${policy.crashesKeep})`
    const crashes = yield* changes(sql)
    return { sessions, delivered, deadLetters, crashes } satisfies Pruned
  })).pipe(Effect.zipLeft(sql`PRAGMA wal_checkpoint(TRUNCATE)`))
})

/** Prunes now and then every `policy.interval` while the scope lives; a failed pass is logged, never fatal. */
export const runPeriodically = (policy: RetentionConfig, configured: Effect.Effect<ReadonlyArray<string>>) =>
  configured.pipe(
    Effect.flatMap((names) => prune(policy, names)),
    Effect.tap((pruned) =>
      pruned.sessions + pruned.delivered + pruned.deadLetters + pruned.crashes > 0
        ? Effect.logInfo("retention: pruned old rows").pipe(Effect.annotateLogs({ ...pruned }))
        : Effect.void
    ),
    Effect.catchAllCause((cause) => Effect.logWarning("retention pass failed", cause)),
    Effect.repeat(Schedule.spaced(policy.interval)),
    Effect.forkScoped,
    Effect.asVoid
  )
