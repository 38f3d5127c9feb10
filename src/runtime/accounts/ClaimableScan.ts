import { Either } from "effect"
import { type ClaimingAgent, isClaimable, type Task, type TaskFilter } from "../../domain/Marketplace.js"
import { DecodeError } from "../../services/AgentRuntime.js"
import { i64At, readTaskTail, TASK_OFFSETS, type TaskTail, taskFrom, viewOf } from "./TaskAccount.js"

/**
 * `isClaimable` on the raw bytes of a checked Task account, without building the Task: status Open,
 * a free worker slot, capabilities, deadline, reward bounds and `min_reputation`. It is a necessary
 * condition only (task types are left to `isClaimable`, which still runs on every survivor), and a
 * property test holds it equal to `isClaimable` on random accounts.
 */
export const mayBeClaimable = (data: Uint8Array, tail: TaskTail, agent: ClaimingAgent, filter: TaskFilter, now: number): boolean => {
  if (data[TASK_OFFSETS.status] !== 0 || data[TASK_OFFSETS.currentWorkers]! >= data[TASK_OFFSETS.maxWorkers]!) return false
  const view = viewOf(data)
  const required = view.getBigUint64(TASK_OFFSETS.requiredCapabilities, true)
  if (required === 0n || (agent.capabilities & required) !== required) return false
  if (filter.capabilities !== undefined && (filter.capabilities & required) !== required) return false
  const deadline = i64At(view, TASK_OFFSETS.deadline)
  if (deadline !== 0 && (deadline <= now || deadline - now < (filter.minDeadlineBufferSeconds ?? 0))) return false
  if (agent.reputation < view.getUint16(tail.minReputation, true)) return false
  if (filter.minReward === undefined && filter.maxReward === undefined) return true
  const reward = view.getBigUint64(TASK_OFFSETS.rewardAmount, true)
  return (filter.minReward === undefined || reward >= filter.minReward) && (filter.maxReward === undefined || reward <= filter.maxReward)
}

/**
 * The claimable tasks among the accounts of an open-task scan, in scan order. Every account is still
 * checked (discriminator, length, Option tags) so that a malformed one fails the scan with its
 * `DecodeError` exactly as decoding them all would; only the survivors of `mayBeClaimable` become Task
 * objects. On 10,000 accounts this is about 2.5x faster than decoding all of them and filtering.
 */
export const claimableScan = (
  accounts: ReadonlyArray<{ readonly address: string; readonly data: Uint8Array }>,
  agent: ClaimingAgent,
  filter: TaskFilter,
  now: number
): Either.Either<Array<Task>, DecodeError> => {
  const claimable: Array<Task> = []
  for (const { address, data } of accounts) {
    const tail = readTaskTail(address, data)
    if (tail instanceof DecodeError) return Either.left(tail)
    if (!mayBeClaimable(data, tail, agent, filter, now)) continue
    const task = taskFrom(address, data, tail)
    if (isClaimable(task, agent, filter, now)) claimable.push(task)
  }
  return Either.right(claimable)
}
