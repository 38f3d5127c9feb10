import { Either } from "effect"
import { TASK_TYPES, type TaskType, U64_MAX } from "../domain/Marketplace.js"
import { LedgerRuleError } from "../services/AgentRuntime.js"

/** The largest amount SQLite's INTEGER holds; the local ledger caps rewards here (about 9.2e9 SOL). */
export const I64_MAX = (1n << 63n) - 1n

/** What `create_task` takes, as the local ledger accepts it. */
export interface NewTask {
  readonly rewardAmount: bigint
  readonly requiredCapabilities: bigint
  /** Unix seconds; 0 = none. */
  readonly deadline: number
  readonly maxWorkers: number
  readonly description: string
  readonly taskType?: TaskType | undefined
  readonly minReputation?: number | undefined
  readonly rewardMint?: string | null | undefined
  readonly dependsOn?: string | null | undefined
}

/** A task that passed the rules, with the fields the rules derive. */
export interface ValidTask extends Required<NewTask> {
  readonly requiredCompletions: number
}

const fail = (message: string) => Either.left(new LedgerRuleError({ message }))

/**
 * The checks the program's `create_task` makes: non-zero capabilities, reward > 0, 1..100 workers,
 * deadline 0 or in the future, a description that fits its 64 bytes, min_reputation 0..10000.
 * Collaborative tasks need every worker to complete; the others one.
 */
export const validateNewTask = (input: NewTask, now: number): Either.Either<ValidTask, LedgerRuleError> => {
  if (input.requiredCapabilities <= 0n || input.requiredCapabilities > U64_MAX) {
    return fail(`capabilities must be a non-zero u64 bitmask (got ${input.requiredCapabilities})`)
  }
  if (input.rewardAmount <= 0n) return fail(`reward must be greater than 0 (got ${input.rewardAmount})`)
  if (input.rewardAmount > I64_MAX) return fail(`reward must be at most ${I64_MAX}`)
  if (!Number.isInteger(input.maxWorkers) || input.maxWorkers < 1 || input.maxWorkers > 100) {
    return fail(`max workers must be between 1 and 100 (got ${input.maxWorkers})`)
  }
  if (!Number.isInteger(input.deadline) || input.deadline < 0) return fail(`deadline must be unix seconds (got ${input.deadline})`)
  if (input.deadline !== 0 && input.deadline <= now) {
    return fail(`deadline ${new Date(input.deadline * 1000).toISOString()} is not in the future`)
  }
  const bytes = new TextEncoder().encode(input.description).length
  if (bytes > 64) return fail(`description is ${bytes} bytes; the account holds 64`)
  const minReputation = input.minReputation ?? 0
  if (!Number.isInteger(minReputation) || minReputation < 0 || minReputation > 10_000) {
    return fail(`min reputation must be between 0 and 10000 (got ${minReputation})`)
  }
  const taskType = input.taskType ?? (input.maxWorkers === 1 ? "Exclusive" : "Collaborative")
  if (!TASK_TYPES.includes(taskType)) return fail(`unknown task type ${taskType}`)
  if (taskType === "Exclusive" && input.maxWorkers !== 1) return fail("an exclusive task has exactly 1 worker")
  return Either.right({
    rewardAmount: input.rewardAmount,
    requiredCapabilities: input.requiredCapabilities,
    deadline: input.deadline,
    maxWorkers: input.maxWorkers,
    description: input.description,
    taskType,
    minReputation,
    rewardMint: input.rewardMint ?? null,
    dependsOn: input.dependsOn ?? null,
    requiredCompletions: taskType === "Collaborative" ? input.maxWorkers : 1
  })
}
