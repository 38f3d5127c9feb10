import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The gateway's durable outbox: one row per (message id, channel), written before the first attempt.
 * Delivered rows stay for a while so the same id is never delivered twice.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE outbox (
    id TEXT NOT NULL,
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    parts_done INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    finished_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (id, channel)
  ) WITHOUT ROWID`
  yield* sql`CREATE INDEX outbox_due ON outbox (channel, status, next_attempt_at)`
})
