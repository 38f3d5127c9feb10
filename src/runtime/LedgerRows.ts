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
import { Schema } from "effect"
import { rowDecoder } from "../domain/SqlRow.js"
import { RESOLUTION_TYPES } from "./accounts/DisputeAccount.js"

/** The u64 bit pattern as SQLite's int64 (two's complement), and back. */
export const toI64 = (value: bigint): bigint => BigInt.asIntN(64, value)
export const fromI64 = (value: bigint): bigint => BigInt.asUintN(64, value)

/** On-chain u8 code of a status / type name. */
export const taskStatusCode = (status: TaskStatus): number => TASK_STATUSES.indexOf(status)
export const taskTypeCode = (type: TaskType): number => TASK_TYPES.indexOf(type)

const Int = Schema.BigIntFromSelf
const Text = Schema.String
const NullableText = Schema.NullOr(Schema.String)

/** The columns of `ledger_tasks`, read with SafeIntegers (every INTEGER is a bigint). */
const TaskColumns = {
  id: Int,
  creator: Text,
  required_capabilities: Int,
  description: Text,
  reward_amount: Int,
  reward_mint: NullableText,
  max_workers: Int,
  current_workers: Int,
  status: Int,
  task_type: Int,
  created_at: Int,
  deadline: Int,
  completed_at: Int,
  completions: Int,
  required_completions: Int,
  min_reputation: Int,
  depends_on: NullableText
}
export const TaskRow = Schema.Struct(TaskColumns)
export type TaskRow = typeof TaskRow.Type

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
export const ClaimedTaskRow = Schema.Struct({ ...TaskColumns, claimed_at: Int, expires_at: Int })
export type ClaimedTaskRow = typeof ClaimedTaskRow.Type

/** A claimed task as a portfolio entry. */
export const portfolioFromRow = (row: ClaimedTaskRow): PortfolioEntry => ({
  task: taskFromRow(row),
  claimedAt: Number(row.claimed_at),
  expiresAt: Number(row.expires_at)
})

/** The columns of `ledger_disputes`. */
export const DisputeRow = Schema.Struct({
  id: Int,
  task_id: Int,
  resolution_type: Int,
  status: Int,
  created_at: Int,
  resolved_at: Int,
  votes_for: Int,
  votes_against: Int,
  voting_deadline: Int
})
export type DisputeRow = typeof DisputeRow.Type

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
export const AgentRow = Schema.Struct({
  tasks_completed: Int,
  total_earned: Int,
  reputation: Int,
  active_tasks: Int,
  stake: Int
})
export type AgentRow = typeof AgentRow.Type

/** Module-level decoders of the ledger's rows (built once; the claimable scan runs every heartbeat). */
export const taskRows = rowDecoder("ledger_tasks", TaskRow)
export const claimedTaskRows = rowDecoder("ledger_tasks", ClaimedTaskRow)
export const disputeRows = rowDecoder("ledger_disputes", DisputeRow)
export const agentRows = rowDecoder("ledger_agent", AgentRow)
