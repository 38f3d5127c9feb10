/**
 * The AgenC marketplace as the heartbeat sees it, whichever layer (Solana RPC or the local ledger) it
 * comes from. u64 amounts are `bigint`; times are unix seconds as on chain, 0 meaning "none".
 */
import { Clock, Effect } from "effect"

/** Unix seconds from the Clock (the unit of every on-chain time). */
export const nowSeconds: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000))

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
  /** At most this many tasks (highest reward first). */
  readonly limit?: number | undefined
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

/** The capability bits the program defines (bit index per name). */
/** The largest u64: the on-chain width of capability masks and amounts. */
export const U64_MAX = (1n << 64n) - 1n

export const CAPABILITY_BITS = {
  COMPUTE: 0, INFERENCE: 1, STORAGE: 2, NETWORK: 3, SENSOR: 4,
  ACTUATOR: 5, COORDINATOR: 6, ARBITER: 7, VALIDATOR: 8, AGGREGATOR: 9
} as const

/** The agent as the claimable rule sees it. */
export interface ClaimingAgent {
  readonly capabilities: bigint
  readonly reputation: number
}

/**
 * The claimable rule of the program and its reference runtime, plus the filter: status Open, a free
 * worker slot, capabilities a (non-empty) subset of the agent's (and of `filter.capabilities`), deadline
 * 0 or after `now` (by at least `minDeadlineBufferSeconds`), reputation at least `min_reputation`.
 * `now` is unix seconds. The local ledger runs the same rule in SQL; a test holds the two together.
 */
export const isClaimable = (task: Task, agent: ClaimingAgent, filter: TaskFilter, now: number): boolean =>
  task.status === "Open" &&
  task.currentWorkers < task.maxWorkers &&
  hasCapabilities(agent.capabilities, task.requiredCapabilities) &&
  (filter.capabilities === undefined || hasCapabilities(filter.capabilities, task.requiredCapabilities)) &&
  (task.deadline === 0 || (task.deadline > now && task.deadline - now >= (filter.minDeadlineBufferSeconds ?? 0))) &&
  agent.reputation >= task.minReputation &&
  (filter.minReward === undefined || task.rewardAmount >= filter.minReward) &&
  (filter.maxReward === undefined || task.rewardAmount <= filter.maxReward) &&
  (filter.taskTypes === undefined || filter.taskTypes.includes(task.taskType))

/** Highest reward first, then oldest, then by id: the order `claimableTasks` returns. */
export const byRewardDesc = (a: Task, b: Task): number =>
  a.rewardAmount !== b.rewardAmount
    ? (a.rewardAmount > b.rewardAmount ? -1 : 1)
    : a.createdAt !== b.createdAt ? a.createdAt - b.createdAt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** Whether `agent` has every capability bit `required` asks for (and `required` asks for some). */
export const hasCapabilities = (agent: bigint, required: bigint): boolean =>
  required !== 0n && (agent & required) === required
