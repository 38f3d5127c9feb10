/**
 * The raw-byte prefilter of the solana layer's claimable scan against the shared rule: on random
 * accounts, agents and filters, `claimableScan` returns exactly what decoding every account and
 * keeping those `isClaimable` accepts returns, and fails exactly where that fails.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { isClaimable, type Task, type TaskFilter, TASK_TYPES } from "../../src/domain/Marketplace.js"
import { claimableScan, mayBeClaimable } from "../../src/runtime/accounts/ClaimableScan.js"
import { decodeTask, readTaskTail } from "../../src/runtime/accounts/TaskAccount.js"
import { DecodeError } from "../../src/services/AgentRuntime.js"
import { addressFor, taskBytes } from "./fixtures/accounts.js"

const NOW = 1_700_000_000
const mask = fc.bigInt({ min: 0n, max: 0b111n })
// Small domains, so that the boundaries (equal reward, reputation, deadline at the buffer) come up often.
const amount = fc.bigInt({ min: 0n, max: 20n })
const reputation = fc.constantFrom(0, 1, 4999, 5000, 5001, 10_000)

const task = fc.record({
  size: fc.constantFrom(382, 432, 466),
  requiredCapabilities: fc.oneof(mask, fc.constant((1n << 64n) - 1n)),
  rewardAmount: amount,
  maxWorkers: fc.nat(3),
  currentWorkers: fc.nat(2),
  // Mostly Open, so that the other conditions decide.
  status: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.nat(7), weight: 1 }),
  taskType: fc.nat(4),
  // None, past, now, and just inside or outside a buffer of up to an hour.
  deadline: fc.oneof(fc.constant(0), fc.integer({ min: NOW - 2, max: NOW + 3 }), fc.integer({ min: NOW + 3598, max: NOW + 3601 }), fc.integer({ min: NOW - 7200, max: NOW + 7200 })),
  minReputation: reputation,
  dependsOn: fc.boolean(),
  rewardMint: fc.boolean()
})

const accountsOf = (tasks: ReadonlyArray<typeof task extends fc.Arbitrary<infer T> ? T : never>) =>
  tasks.map((t, i) => ({
    address: addressFor(i, 40),
    data: taskBytes({ ...t, dependsOn: t.dependsOn ? addressFor(i, 41) : null, rewardMint: t.rewardMint ? addressFor(i, 42) : null })
  }))

const agent = fc.record({ capabilities: mask, reputation })
const filter: fc.Arbitrary<TaskFilter> = fc.record({
  minReward: fc.option(amount, { nil: undefined }),
  maxReward: fc.option(amount, { nil: undefined }),
  capabilities: fc.option(mask, { nil: undefined }),
  taskTypes: fc.option(fc.subarray([...TASK_TYPES]), { nil: undefined }),
  minDeadlineBufferSeconds: fc.option(fc.constantFrom(0, 1, 3, 3600), { nil: undefined })
}, { requiredKeys: [] })

const plain = (tasks: ReadonlyArray<Task>) => tasks.map((t) => ({ ...t }))

describe("claimableScan", () => {
  it("equals decoding every account and filtering with isClaimable, on random marketplaces", () => {
    fc.assert(fc.property(fc.array(task, { maxLength: 30 }), agent, filter, (tasks, agent, filter) => {
      const accounts = accountsOf(tasks)
      const expected = accounts.map((a) => Either.getOrThrow(decodeTask(a.address, a.data))).filter((t) => isClaimable(t, agent, filter, NOW))
      const actual = Either.getOrThrow(claimableScan(accounts, agent, filter, NOW))
      assert.deepStrictEqual(plain(actual), plain(expected))
    }), { numRuns: 500 })
  })

  it("mayBeClaimable is isClaimable on the raw bytes whenever task types are not filtered", () => {
    fc.assert(fc.property(task, agent, filter, (t, agent, filter) => {
      const [account] = accountsOf([t])
      const noTypes = { ...filter, taskTypes: undefined }
      const tail = readTaskTail(account!.address, account!.data)
      assert.isFalse(tail instanceof DecodeError)
      const decoded = Either.getOrThrow(decodeTask(account!.address, account!.data))
      assert.strictEqual(
        mayBeClaimable(account!.data, tail as Exclude<typeof tail, DecodeError>, agent, noTypes, NOW),
        isClaimable(decoded, agent, noTypes, NOW)
      )
    }), { numRuns: 20_000 })
  })

  it("fails with the first malformed account's DecodeError, claimable or not, as decoding them all does", () => {
    const good = taskBytes({ requiredCapabilities: 1n })
    const closed = taskBytes({ status: 3 })
    const truncated = taskBytes({ status: 3, dependsOn: addressFor(1) }).subarray(0, 330)
    const badTag = taskBytes()
    badTag[313] = 2
    const accounts = [good, closed, truncated, badTag].map((data, i) => ({ address: addressFor(i, 50), data }))
    const result = claimableScan(accounts, { capabilities: 1n, reputation: 0 }, {}, NOW)
    assert.isTrue(Either.isLeft(result) && result.left.account === addressFor(2, 50) && result.left.message.includes("330 bytes"))
    const first = accounts.map((a) => decodeTask(a.address, a.data)).find(Either.isLeft)
    assert.deepStrictEqual(Either.isLeft(result) && result.left, first?.left)
  })
})
