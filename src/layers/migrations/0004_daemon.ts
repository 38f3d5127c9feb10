import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Daemon lifecycle: one row per unclean end (crash), and a small key-value table for the run marker and restart count. */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE daemon_crashes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    reason TEXT NOT NULL
  )`
  yield* sql`CREATE TABLE daemon_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID`
})
