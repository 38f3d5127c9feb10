import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Paused actions: their scheduled slots are recorded as skipped (paused) until resumed or until `until`. */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE action_pauses (
    action TEXT PRIMARY KEY,
    since INTEGER NOT NULL,
    reason TEXT,
    until INTEGER,
    paused_by TEXT NOT NULL CHECK (paused_by IN ('operator', 'failure-policy'))
  ) WITHOUT ROWID`
})
