import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The outbox gains a `dead` status (a row that cannot be read: kept with its reason, never attempted
 * again) and `lease_owner`, the process holding a row's lease, so a new daemon can release the leases of
 * one that was killed. SQLite cannot change a CHECK constraint in place: the table is rebuilt.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE outbox_next (
    id TEXT NOT NULL,
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dropped', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    parts_done INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease_owner TEXT,
    finished_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (id, channel)
  ) WITHOUT ROWID`
  yield* sql`INSERT INTO outbox_next (id, channel, payload, status, attempts, parts_done, created_at, next_attempt_at, lease_until, finished_at, last_error)
    SELECT id, channel, payload, status, attempts, parts_done, created_at, next_attempt_at, lease_until, finished_at, last_error FROM outbox`
  yield* sql`DROP TABLE outbox`
  yield* sql`ALTER TABLE outbox_next RENAME TO outbox`
  yield* sql`CREATE INDEX outbox_due ON outbox (channel, status, next_attempt_at)`
})
