import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Run ledger and per-action sessions. */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL,
    scheduled_at INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    message TEXT
  )`
  yield* sql`CREATE INDEX runs_action ON runs (action, id)`
  yield* sql`CREATE TABLE sessions (
    action TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (action, key)
  ) WITHOUT ROWID`
})
