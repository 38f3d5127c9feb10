import {
  DISPUTE_STATUSES,
  type Dispute,
  type PortfolioEntry,
  TASK_STATUSES,
  TASK_TYPES,
  type Task,
  type TaskStatus,
  type TaskType
} from "../domain/Marketplace.js"
import { RESOLUTION_TYPES } from "./accounts/DisputeAccount.js"

/** The u64 bit pattern as SQLite's int64 (two's complement), and back. */
export const toI64 = (value: bigint): bigint => BigInt.asIntN(64, value)
export const fromI64 = (value: bigint): bigint => BigInt.asUintN(64, value)

/** On-chain u8 code of a status / type name. */
export const taskStatusCode = (status: TaskStatus): number => TASK_STATUSES.indexOf(status)
export const taskTypeCode = (type: TaskType): number => TASK_TYPES.indexOf(type)

/** The columns of `ledger_tasks`, read with SafeIntegers (every INTEGER is a bigint). */
export interface TaskRow {
  readonly id: bigint
  readonly creator: string
  readonly required_capabilities: bigint
  readonly description: string
  readonly reward_amount: bigint
  readonly reward_mint: string | null
  readonly max_workers: bigint
  readonly current_workers: bigint
  readonly status: bigint
  readonly task_type: bigint
  readonly created_at: bigint
  readonly deadline: bigint
  readonly completed_at: bigint
  readonly completions: bigint
  readonly required_completions: bigint
  readonly min_reputation: bigint
  readonly depends_on: string | null
}

/** A `ledger_tasks` row as a Task. */
export const taskFromRow = (row: TaskRow): Task => ({
  id: String(row.id),
  creator: row.creator,
  requiredCapabilities: fromI64(row.required_capabilities),
  description: row.description,
  rewardAmount: row.reward_amount,
  rewardMint: row.reward_mint,
  maxWorkers: Number(row.max_workers),
  currentWorkers: Number(row.current_workers),
  status: TASK_STATUSES[Number(row.status)] ?? "Unknown",
  taskType: TASK_TYPES[Number(row.task_type)] ?? "Unknown",
  createdAt: Number(row.created_at),
  deadline: Number(row.deadline),
  completedAt: Number(row.completed_at),
  minReputation: Number(row.min_reputation),
  dependsOn: row.depends_on
})

/** A task row joined with the agent's claim on it. */
export interface ClaimedTaskRow extends TaskRow {
  readonly claimed_at: bigint
  readonly expires_at: bigint
}

/** A claimed task as a portfolio entry. */
export const portfolioFromRow = (row: ClaimedTaskRow): PortfolioEntry => ({
  task: taskFromRow(row),
  claimedAt: Number(row.claimed_at),
  expiresAt: Number(row.expires_at)
})

/** The columns of `ledger_disputes`. */
export interface DisputeRow {
  readonly id: bigint
  readonly task_id: bigint
  readonly resolution_type: bigint
  readonly status: bigint
  readonly created_at: bigint
  readonly resolved_at: bigint
  readonly votes_for: bigint
  readonly votes_against: bigint
  readonly voting_deadline: bigint
}

/** A `ledger_disputes` row as a Dispute. */
export const disputeFromRow = (row: DisputeRow): Dispute => ({
  id: String(row.id),
  task: String(row.task_id),
  status: DISPUTE_STATUSES[Number(row.status)] ?? "Unknown",
  resolutionType: RESOLUTION_TYPES[Number(row.resolution_type)] ?? "Unknown",
  createdAt: Number(row.created_at),
  resolvedAt: Number(row.resolved_at),
  votesFor: row.votes_for,
  votesAgainst: row.votes_against,
  votingDeadline: Number(row.voting_deadline)
})

/** The columns of `ledger_agent`. */
export interface AgentRow {
  readonly tasks_completed: bigint
  readonly total_earned: bigint
  readonly reputation: bigint
  readonly active_tasks: bigint
  readonly stake: bigint
}
