import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The local ledger: the same accounts the program keeps (Task, the agent's AgentRegistration, TaskClaim,
 * Dispute) with the same fields. Enums are the on-chain u8 codes. u64 amounts and masks are INTEGER
 * (int64): masks hold the u64 bit pattern as two's complement so `&` works on all 64 bits; rewards are
 * capped at 2^63-1 on insert.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE ledger_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    creator TEXT NOT NULL,
    required_capabilities INTEGER NOT NULL CHECK (required_capabilities != 0),
    description TEXT NOT NULL,
    reward_amount INTEGER NOT NULL CHECK (reward_amount > 0),
    reward_mint TEXT,
    max_workers INTEGER NOT NULL CHECK (max_workers BETWEEN 1 AND 100),
    current_workers INTEGER NOT NULL DEFAULT 0 CHECK (current_workers BETWEEN 0 AND max_workers),
    status INTEGER NOT NULL DEFAULT 0,
    task_type INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    deadline INTEGER NOT NULL DEFAULT 0,
    completed_at INTEGER NOT NULL DEFAULT 0,
    completions INTEGER NOT NULL DEFAULT 0,
    required_completions INTEGER NOT NULL DEFAULT 1,
    min_reputation INTEGER NOT NULL DEFAULT 0 CHECK (min_reputation BETWEEN 0 AND 10000),
    depends_on TEXT
  )`
  // The claimable scan: status = Open, then a reward range, highest first.
  yield* sql`CREATE INDEX ledger_tasks_scan ON ledger_tasks (status, reward_amount)`
  yield* sql`CREATE TABLE ledger_agent (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    capabilities INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 1,
    registered_at INTEGER NOT NULL,
    last_active INTEGER NOT NULL,
    tasks_completed INTEGER NOT NULL DEFAULT 0,
    total_earned INTEGER NOT NULL DEFAULT 0,
    reputation INTEGER NOT NULL DEFAULT 5000,
    active_tasks INTEGER NOT NULL DEFAULT 0,
    stake INTEGER NOT NULL DEFAULT 0
  )`
  yield* sql`CREATE TABLE ledger_claims (
    task_id INTEGER NOT NULL REFERENCES ledger_tasks (id),
    worker TEXT NOT NULL,
    claimed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0,
    completed_at INTEGER NOT NULL DEFAULT 0,
    is_completed INTEGER NOT NULL DEFAULT 0,
    reward_paid INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, worker)
  )`
  yield* sql`CREATE INDEX ledger_claims_open ON ledger_claims (worker, is_completed)`
  yield* sql`CREATE TABLE ledger_disputes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES ledger_tasks (id),
    initiator TEXT NOT NULL,
    resolution_type INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER NOT NULL DEFAULT 0,
    votes_for INTEGER NOT NULL DEFAULT 0,
    votes_against INTEGER NOT NULL DEFAULT 0,
    voting_deadline INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`
  yield* sql`CREATE INDEX ledger_disputes_task ON ledger_disputes (task_id)`
})
