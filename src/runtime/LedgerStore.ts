import { SqlClient, type SqlError } from "@effect/sql"
import { Clock, Effect } from "effect"
import { type AgentSnapshot, type Dispute, nowSeconds, type PortfolioEntry, type Task, type TaskFilter, type TaskStatus, U64_MAX } from "../domain/Marketplace.js"
import { LedgerError, LedgerRuleError, NotFoundError } from "../services/AgentRuntime.js"
import type { CorruptRowError, RowDecoder } from "../domain/SqlRow.js"
import {
  agentRows,
  claimedTaskRows,
  disputeFromRow,
  disputeRows,
  portfolioFromRow,
  taskFromRow,
  taskRows,
  taskStatusCode,
  taskTypeCode,
  toI64
} from "./LedgerRows.js"
import { I64_MAX, type NewTask, validateNewTask } from "./TaskRules.js"

/** The local agent: its name (the worker on its claims) and capability bitmask, from the config. */
export interface LocalAgent {
  readonly name: string
  readonly capabilities: bigint
}

/** What `complete` paid. */
export interface Completion {
  readonly task: Task
  readonly rewardPaid: bigint
}

const STARTING_REPUTATION = 5000
// The program's voting window and dispute lifetime.
const VOTING_SECONDS = 24 * 3600
const DISPUTE_SECONDS = 7 * 24 * 3600

const toLedgerError = (error: SqlError.SqlError | CorruptRowError | LedgerError) =>
  error._tag === "LedgerError" ? error : new LedgerError({ message: `local ledger: ${error.message}`, cause: error })

/** Decodes a query's rows; a corrupt one is a LedgerError naming the table and the column. */
const decoded = <A>(decoder: RowDecoder<A>) => (rows: ReadonlyArray<unknown>) => Effect.mapError(decoder.all(rows), toLedgerError)

/** The claimable scan as SQL: the same rule as `isClaimable` in the domain, one indexed query. */
const claimableQuery = (sql: SqlClient.SqlClient, agent: LocalAgent, reputation: number, filter: TaskFilter, now: number) => {
  const mask = agent.capabilities & (filter.capabilities ?? U64_MAX)
  const buffer = Math.max(1, Math.ceil(filter.minDeadlineBufferSeconds ?? 0))
  const clauses = [
    sql`status = 0`,
    sql`current_workers < max_workers`,
    sql`required_capabilities != 0`,
    sql`(required_capabilities & ${toI64(~mask)}) = 0`,
    sql`(deadline = 0 OR deadline >= ${now + buffer})`,
    sql`min_reputation <= ${reputation}`
  ]
  if (filter.minReward !== undefined && filter.minReward > 0n) clauses.push(sql`reward_amount >= ${filter.minReward}`)
  if (filter.maxReward !== undefined && filter.maxReward < I64_MAX) clauses.push(sql`reward_amount <= ${filter.maxReward < 0n ? 0n : filter.maxReward}`)
  if (filter.taskTypes !== undefined) clauses.push(sql`task_type IN ${sql.in(filter.taskTypes.map(taskTypeCode))}`)
  const limit = filter.limit === undefined ? sql`` : sql`LIMIT ${Math.max(0, Math.floor(filter.limit))}`
  return sql`SELECT * FROM ledger_tasks WHERE ${sql.and(clauses)}
    ORDER BY reward_amount DESC, created_at, id ${limit}`.pipe(Effect.flatMap(decoded(taskRows)))
}

/** Row id of a task id the user typed; anything else cannot name a local task. */
const rowId = (id: string): bigint | undefined => /^[1-9]\d{0,18}$/.test(id) ? BigInt(id) : undefined

/**
 * The local ledger on the SQLite database. Reads never write (a missing agent row reads as a fresh
 * registration); every write runs in one transaction whose first statement is a write, so SQLite takes
 * the write lock up front (waiting out the busy timeout) and a concurrent writer in another process can
 * neither lose an update nor make the transaction fail half-way.
 */
export const makeLedgerStore = (sql: SqlClient.SqlClient, agent: LocalAgent) => {
  const safe = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, SqlClient.SafeIntegers, true)

  const agentRow = safe(sql`SELECT * FROM ledger_agent WHERE id = 1`).pipe(Effect.flatMap(decoded(agentRows)), Effect.map(([row]) => row))

  const findTask = (id: string) => {
    const key = rowId(id)
    return key === undefined
      ? Effect.fail(new NotFoundError({ what: "task", id }))
      : safe(sql`SELECT * FROM ledger_tasks WHERE id = ${key}`).pipe(
        Effect.flatMap(decoded(taskRows)),
        Effect.flatMap(([row]) => row === undefined ? Effect.fail(new NotFoundError({ what: "task", id })) : Effect.succeed(row))
      )
  }

  // Registers the agent on first use and takes the write lock: the first statement of every write.
  const register = (now: number) =>
    sql`INSERT INTO ledger_agent (id, name, capabilities, registered_at, last_active, reputation)
      VALUES (1, ${agent.name}, ${toI64(agent.capabilities)}, ${now}, ${now}, ${STARTING_REPUTATION})
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, last_active = excluded.last_active`

  const write = <A>(name: string, body: (now: number) => Effect.Effect<A, NotFoundError | LedgerRuleError | LedgerError | SqlError.SqlError>) =>
    nowSeconds.pipe(
      Effect.flatMap((now) => sql.withTransaction(Effect.zipRight(register(now), body(now)))),
      safe,
      Effect.catchTag("SqlError", (error) => Effect.fail(toLedgerError(error))),
      Effect.withSpan(`LedgerStore.${name}`)
    )

  // A task the agent holds an open claim on, in one of `statuses`: what complete and dispute act on.
  const heldTask = (id: string, statuses: ReadonlyArray<TaskStatus>) =>
    Effect.gen(function*() {
      const row = yield* findTask(id)
      const task = taskFromRow(row)
      const claims = yield* safe(sql`SELECT task_id FROM ledger_claims
        WHERE task_id = ${row.id} AND worker = ${agent.name} AND is_completed = 0`)
      if (claims.length === 0) return yield* new LedgerRuleError({ message: `task ${id} has no open claim by ${agent.name}` })
      if (!statuses.includes(task.status)) return yield* new LedgerRuleError({ message: `task ${id} is ${task.status}` })
      return { row, task }
    })

  const reputation = Effect.map(agentRow, (row) => row === undefined ? STARTING_REPUTATION : Number(row.reputation))

  return {
    agent,

    addTask: (input: NewTask): Effect.Effect<Task, LedgerRuleError | LedgerError> =>
      nowSeconds.pipe(
        Effect.flatMap((now) => Effect.flatMap(validateNewTask(input, now), (t) =>
          safe(sql`INSERT INTO ledger_tasks (creator, required_capabilities, description, reward_amount, reward_mint,
              max_workers, status, task_type, created_at, deadline, required_completions, min_reputation, depends_on)
            VALUES (${agent.name}, ${toI64(t.requiredCapabilities)}, ${t.description}, ${t.rewardAmount}, ${t.rewardMint},
              ${t.maxWorkers}, 0, ${taskTypeCode(t.taskType)}, ${now}, ${t.deadline}, ${t.requiredCompletions}, ${t.minReputation}, ${t.dependsOn})
            RETURNING *`).pipe(Effect.flatMap(decoded(taskRows))))),
        Effect.map(([row]) => taskFromRow(row!)),
        Effect.catchTag("SqlError", (error) => Effect.fail(toLedgerError(error))),
        Effect.withSpan("LedgerStore.addTask")
      ),

    listTasks: (): Effect.Effect<ReadonlyArray<Task>, LedgerError> =>
      safe(sql`SELECT * FROM ledger_tasks ORDER BY id`).pipe(
        Effect.mapError(toLedgerError),
        Effect.flatMap(decoded(taskRows)),
        Effect.map((rows) => rows.map(taskFromRow))
      ),

    task: (id: string): Effect.Effect<Task, NotFoundError | LedgerError> =>
      findTask(id).pipe(Effect.map(taskFromRow), Effect.catchTag("SqlError", (error) => Effect.fail(toLedgerError(error)))),

    claimable: (filter: TaskFilter): Effect.Effect<ReadonlyArray<Task>, LedgerError> =>
      Effect.gen(function*() {
        if (filter.taskTypes !== undefined && filter.taskTypes.length === 0) return []
        if (filter.minReward !== undefined && filter.minReward > I64_MAX) return []
        const now = yield* nowSeconds
        const rows = yield* safe(claimableQuery(sql, agent, yield* reputation, filter, now))
        return rows.map(taskFromRow)
      }).pipe(Effect.mapError(toLedgerError), Effect.withSpan("LedgerStore.claimable")),

    snapshot: (): Effect.Effect<AgentSnapshot, LedgerError> =>
      Effect.gen(function*() {
        const row = yield* agentRow
        return {
          agent: agent.name,
          capabilities: agent.capabilities,
          tasksCompleted: row?.tasks_completed ?? 0n,
          totalEarned: row?.total_earned ?? 0n,
          reputation: row === undefined ? STARTING_REPUTATION : Number(row.reputation),
          activeTasks: row === undefined ? 0 : Number(row.active_tasks),
          stake: row?.stake ?? 0n,
          at: yield* Clock.currentTimeMillis
        }
      }).pipe(Effect.mapError(toLedgerError)),

    portfolio: (): Effect.Effect<ReadonlyArray<PortfolioEntry>, LedgerError> =>
      safe(sql`SELECT t.*, c.claimed_at, c.expires_at FROM ledger_claims c
        JOIN ledger_tasks t ON t.id = c.task_id
        WHERE c.worker = ${agent.name} AND c.is_completed = 0 ORDER BY c.claimed_at, t.id`).pipe(
        Effect.mapError(toLedgerError),
        Effect.flatMap(decoded(claimedTaskRows)),
        Effect.map((rows) => rows.map(portfolioFromRow))
      ),

    disputes: (taskIds: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Dispute>, LedgerError> => {
      const keys = taskIds.flatMap((id) => rowId(id) ?? [])
      return keys.length === 0
        ? Effect.succeed([])
        : safe(sql`SELECT * FROM ledger_disputes WHERE task_id IN ${sql.in(keys)} ORDER BY id`).pipe(
          Effect.mapError(toLedgerError),
          Effect.flatMap(decoded(disputeRows)),
          Effect.map((rows) => rows.map(disputeFromRow))
        )
    },

    /** `claim_task`: a free slot on an Open (or, for collaborative tasks, InProgress) task the agent fits. */
    claim: (id: string): Effect.Effect<PortfolioEntry, NotFoundError | LedgerRuleError | LedgerError> =>
      write("claim", (now) =>
        Effect.gen(function*() {
          const row = yield* findTask(id)
          const task = taskFromRow(row)
          const rep = yield* reputation
          const reason = task.status !== "Open" && task.status !== "InProgress" ? `task ${id} is ${task.status}`
            : task.currentWorkers >= task.maxWorkers ? `task ${id} has no free worker slot (${task.currentWorkers}/${task.maxWorkers})`
            : (agent.capabilities & task.requiredCapabilities) !== task.requiredCapabilities
            ? `task ${id} needs capabilities 0x${task.requiredCapabilities.toString(16)}; ${agent.name} has 0x${agent.capabilities.toString(16)}`
            : task.deadline !== 0 && task.deadline <= now ? `task ${id} is past its deadline`
            : rep < task.minReputation ? `task ${id} needs reputation ${task.minReputation}; ${agent.name} has ${rep}`
            : (yield* safe(sql`SELECT 1 AS n FROM ledger_claims WHERE task_id = ${row.id} AND worker = ${agent.name}`)).length > 0
            ? `task ${id} is already claimed by ${agent.name}`
            : undefined
          if (reason !== undefined) return yield* new LedgerRuleError({ message: reason })
          yield* sql`INSERT INTO ledger_claims (task_id, worker, claimed_at, expires_at) VALUES (${row.id}, ${agent.name}, ${now}, ${task.deadline})`
          yield* sql`UPDATE ledger_tasks SET current_workers = current_workers + 1, status = ${taskStatusCode("InProgress")} WHERE id = ${row.id}`
          yield* sql`UPDATE ledger_agent SET active_tasks = active_tasks + 1 WHERE id = 1`
          return { task: taskFromRow((yield* findTask(id))), claimedAt: now, expiresAt: task.deadline }
        })),

    /** `complete_task`: pays the agent its share and counts the completion. */
    complete: (id: string): Effect.Effect<Completion, NotFoundError | LedgerRuleError | LedgerError> =>
      write("complete", (now) =>
        Effect.gen(function*() {
          const { row, task } = yield* heldTask(id, ["InProgress"])
          const share = task.rewardAmount / row.required_completions
          const earned = (yield* agentRow)?.total_earned ?? 0n
          if (earned + share > I64_MAX) return yield* new LedgerRuleError({ message: "total earned would overflow the ledger" })
          yield* sql`UPDATE ledger_claims SET is_completed = 1, completed_at = ${now}, reward_paid = ${share}
            WHERE task_id = ${row.id} AND worker = ${agent.name}`
          yield* sql`UPDATE ledger_tasks SET completions = completions + 1,
              status = CASE WHEN completions + 1 >= required_completions THEN ${taskStatusCode("Completed")} ELSE status END,
              completed_at = CASE WHEN completions + 1 >= required_completions THEN ${now} ELSE completed_at END
            WHERE id = ${row.id}`
          yield* sql`UPDATE ledger_agent SET tasks_completed = tasks_completed + 1, total_earned = total_earned + ${share},
              active_tasks = MAX(active_tasks - 1, 0) WHERE id = 1`
          return { task: taskFromRow(yield* findTask(id)), rewardPaid: share }
        })),

    /** `initiate_dispute` by the worker: an Active dispute (resolution Complete) on a task it holds. */
    dispute: (id: string): Effect.Effect<Dispute, NotFoundError | LedgerRuleError | LedgerError> =>
      write("dispute", (now) =>
        Effect.gen(function*() {
          const { row } = yield* heldTask(id, ["InProgress", "PendingValidation"])
          const [dispute] = yield* safe(sql`INSERT INTO ledger_disputes
              (task_id, initiator, resolution_type, status, created_at, voting_deadline, expires_at)
            VALUES (${row.id}, ${agent.name}, 1, 0, ${now}, ${now + VOTING_SECONDS}, ${now + DISPUTE_SECONDS}) RETURNING *`).pipe(Effect.flatMap(decoded(disputeRows)))
          yield* sql`UPDATE ledger_tasks SET status = ${taskStatusCode("Disputed")} WHERE id = ${row.id}`
          return disputeFromRow(dispute!)
        }))
  }
}

/** The local ledger's operations. */
export type LedgerStore = ReturnType<typeof makeLedgerStore>
