import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The run ledger as a record of slots: who triggered a run (`schedule` or `manual`), why a slot did not
 * run (`reason`), the process that owns a run in progress (`outcome = 'running'`), a summary of many
 * missed slots (`scheduled_at` .. `last_slot`, `missed_count`), the planned start (jitter) and the
 * deliveries. A scheduled slot has at most one row: the unique index is the claim.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE runs ADD COLUMN trigger TEXT NOT NULL DEFAULT 'schedule'`
  yield* sql`ALTER TABLE runs ADD COLUMN reason TEXT`
  yield* sql`ALTER TABLE runs ADD COLUMN owner_pid INTEGER`
  yield* sql`ALTER TABLE runs ADD COLUMN owner_start TEXT`
  yield* sql`ALTER TABLE runs ADD COLUMN last_slot INTEGER`
  yield* sql`ALTER TABLE runs ADD COLUMN missed_count INTEGER`
  yield* sql`ALTER TABLE runs ADD COLUMN planned_at INTEGER`
  yield* sql`ALTER TABLE runs ADD COLUMN deliveries TEXT`
  // Before this migration overlap skips carried their reason as the error text.
  yield* sql`UPDATE runs SET reason = 'overlap', error = NULL WHERE outcome = 'skipped'`
  // Earlier versions recorded `heartbeat run`/`trigger` at "now" like a slot, and could run a slot twice:
  // keep the first row of a slot as its record and count the others as manual runs.
  yield* sql`UPDATE runs SET trigger = 'manual' WHERE id NOT IN (SELECT MIN(id) FROM runs GROUP BY action, scheduled_at)`
  yield* sql`CREATE UNIQUE INDEX runs_slot ON runs (action, scheduled_at) WHERE trigger = 'schedule'`
  yield* sql`CREATE INDEX runs_running ON runs (action) WHERE outcome = 'running'`
  yield* sql`CREATE INDEX runs_action_slot ON runs (action, scheduled_at)`
  yield* sql`CREATE INDEX runs_time ON runs (scheduled_at)`
})
