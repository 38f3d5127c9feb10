import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Each action's current run of consecutive failures, for the failure policy (alerts, auto-pause, backoff). */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE failure_streaks (
    action TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_failure_at INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    alerted_at INTEGER,
    skip_remaining INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID`
})
