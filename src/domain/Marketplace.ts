/**
 * The AgenC marketplace as the heartbeat sees it, whichever layer (Solana RPC or the local ledger) it
 * comes from. u64 amounts are `bigint`; times are unix seconds as on chain, 0 meaning "none".
 */

/** On-chain TaskStatus; values the program may add later decode as "Unknown". */
export type TaskStatus = "Open" | "InProgress" | "PendingValidation" | "Completed" | "Cancelled" | "Disputed" | "RejectFrozen" | "Unknown"
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = ["Open", "InProgress", "PendingValidation", "Completed", "Cancelled", "Disputed", "RejectFrozen"]

/** On-chain TaskType. */
export type TaskType = "Exclusive" | "Collaborative" | "Competitive" | "BidExclusive" | "Unknown"
export const TASK_TYPES: ReadonlyArray<TaskType> = ["Exclusive", "Collaborative", "Competitive", "BidExclusive"]

/** On-chain DisputeStatus. */
export type DisputeStatus = "Active" | "Resolved" | "Expired" | "Cancelled" | "Unknown"
export const DISPUTE_STATUSES: ReadonlyArray<DisputeStatus> = ["Active", "Resolved", "Expired", "Cancelled"]

/** A task: on chain, `id` is the task account's address; in the local ledger, its row id. */
export interface Task {
  readonly id: string
  readonly creator: string
  readonly requiredCapabilities: bigint
  readonly description: string
  readonly rewardAmount: bigint
  /** The SPL mint of the reward, or null for SOL (lamports). */
  readonly rewardMint: string | null
  readonly maxWorkers: number
  readonly currentWorkers: number
  readonly status: TaskStatus
  readonly taskType: TaskType
  readonly createdAt: number
  /** Unix seconds; 0 = no deadline. */
  readonly deadline: number
  readonly completedAt: number
  readonly minReputation: number
  readonly dependsOn: string | null
}

/** Narrows `claimableTasks`: all fields optional. */
export interface TaskFilter {
  readonly minReward?: bigint | undefined
  readonly maxReward?: bigint | undefined
  /** The agent's capability bitmask: a task's required capabilities must fit within it. */
  readonly capabilities?: bigint | undefined
  readonly taskTypes?: ReadonlyArray<TaskType> | undefined
  /** Only tasks whose deadline (if any) is at least this far away. */
  readonly minDeadlineBufferSeconds?: number | undefined
}

/** The agent's counters as of `at` (epoch ms). */
export interface AgentSnapshot {
  readonly agent: string
  readonly capabilities: bigint
  readonly tasksCompleted: bigint
  readonly totalEarned: bigint
  readonly reputation: number
  readonly activeTasks: number
  readonly stake: bigint
  readonly at: number
}

/** A task the agent has claimed and not finished. */
export interface PortfolioEntry {
  readonly task: Task
  readonly claimedAt: number
  /** Unix seconds the claim expires (0 = never). */
  readonly expiresAt: number
}

/** A dispute touching one of the agent's tasks. */
export interface Dispute {
  readonly id: string
  readonly task: string
  readonly status: DisputeStatus
  readonly resolutionType: "Refund" | "Complete" | "Split" | "Unknown"
  readonly createdAt: number
  readonly resolvedAt: number
  readonly votesFor: bigint
  readonly votesAgainst: bigint
  readonly votingDeadline: number
}

/** Whether `agent` has every capability bit `required` asks for (and `required` asks for some). */
export const hasCapabilities = (agent: bigint, required: bigint): boolean =>
  required !== 0n && (agent & required) === required
