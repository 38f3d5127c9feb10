import { assert, describe, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema, TestClock } from "effect"
import { isClaimable, type Task } from "../../src/domain/Marketplace.js"
import { LocalRuntimeConfig } from "../../src/domain/RuntimeConfig.js"
import { AgentRuntimeLocal } from "../../src/layers/AgentRuntimeLocal.js"
import { AgentRuntime } from "../../src/services/AgentRuntime.js"
import { DatabaseTest, ledger, NOW, NOW_MS, TEST_AGENT } from "./fixtures/ledger.js"

const config = Schema.decodeUnknownSync(LocalRuntimeConfig)({ source: "local" })
const withRuntime = <A, E>(effect: Effect.Effect<A, E, AgentRuntime | SqlClient.SqlClient>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW_MS)
    return yield* effect
  }).pipe(Effect.provide(AgentRuntimeLocal(config)), Effect.provide(DatabaseTest))

const add = (fields: Partial<Parameters<Awaited<Effect.Effect.Success<ReturnType<typeof ledger>>>["addTask"]>[0]> = {}) =>
  Effect.flatMap(ledger(), (l) => l.addTask({ rewardAmount: 1_000n, requiredCapabilities: 1n, deadline: 0, maxWorkers: 1, description: "t", ...fields }))

const ids = (tasks: ReadonlyArray<Task>) => tasks.map((t) => t.id)

describe("AgentRuntimeLocal", () => {
  it.effect("config defaults: the local agent has every defined capability bit", () =>
    Effect.sync(() => {
      assert.strictEqual(config.capabilities, 0x3ffn)
      assert.strictEqual(config.agent, "local-agent")
      assert.strictEqual(Schema.decodeUnknownSync(LocalRuntimeConfig)({ source: "local", capabilities: "0x3" }).capabilities, 3n)
    }))

  it.effect("addTask enforces the program's create rules and writes nothing on refusal", () =>
    withRuntime(Effect.gen(function*() {
      const l = yield* ledger()
      const bad = [
        { rewardAmount: 0n }, { rewardAmount: -5n }, { requiredCapabilities: 0n }, { maxWorkers: 0 }, { maxWorkers: 101 },
        { deadline: NOW - 1 }, { deadline: NOW }, { description: "x".repeat(65) }, { minReputation: 10_001 },
        { rewardAmount: 1n << 63n }, { taskType: "Exclusive" as const, maxWorkers: 2 }
      ]
      for (const fields of bad) {
        const result = yield* Effect.either(add(fields))
        assert.isTrue(Either.isLeft(result) && result.left._tag === "LedgerRuleError", JSON.stringify(fields, (_, v) => typeof v === "bigint" ? String(v) : v))
      }
      assert.strictEqual((yield* l.listTasks()).length, 0)
      const task = yield* add({ rewardAmount: 5n, deadline: NOW + 60, maxWorkers: 3, description: "ünïcode ok" })
      assert.strictEqual(task.id, "1")
      assert.strictEqual(task.status, "Open")
      assert.strictEqual(task.taskType, "Collaborative")
      assert.strictEqual(task.createdAt, NOW)
      assert.strictEqual(task.description, "ünïcode ok")
    })))

  it.effect("claimableTasks applies the claimable rule and the filter, highest reward first", () =>
    withRuntime(Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const l = yield* ledger()
      const a = yield* add({ rewardAmount: 100n, requiredCapabilities: 0b11n }) // claimable
      const b = yield* add({ rewardAmount: 300n, requiredCapabilities: 0b1n, deadline: NOW + 600 }) // claimable, short deadline
      const c = yield* add({ rewardAmount: 200n, requiredCapabilities: 1n << 12n }) // capability the agent lacks
      const d = yield* add({ rewardAmount: 900n, minReputation: 6000 }) // agent reputation 5000 is too low
      const e = yield* add({ rewardAmount: 50n, maxWorkers: 2, deadline: NOW + 7200 }) // collaborative
      const f = yield* add({ rewardAmount: 400n, deadline: NOW + 30 }) // expires soon, then past
      yield* l.claim(yield* Effect.map(add({ rewardAmount: 999n }), (t) => t.id)) // claimed: InProgress, not Open

      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({})), [f.id, b.id, a.id, e.id])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ minReward: 100n, maxReward: 300n })), [b.id, a.id])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ capabilities: 0b1n })), [f.id, b.id, e.id])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ taskTypes: ["Collaborative"] })), [e.id])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ taskTypes: [] })), [])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ minDeadlineBufferSeconds: 3600 })), [a.id, e.id])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ limit: 2 })), [f.id, b.id])
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({ minReward: 1n << 64n })), [])
      yield* TestClock.adjust("31 seconds")
      assert.deepStrictEqual(ids(yield* runtime.claimableTasks({})), [b.id, a.id, e.id])
      void c
      void d
    })))

  it.effect("the SQL scan agrees with the domain's isClaimable on a random ledger", () =>
    withRuntime(Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const l = yield* ledger()
      const sql = yield* SqlClient.SqlClient
      let seed = 7
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n
      for (let i = 0; i < 400; i++) {
        const maxWorkers = 1 + rand(3)
        yield* add({
          rewardAmount: BigInt(1 + rand(1000)),
          requiredCapabilities: BigInt(1 + rand(1 << 11)) | (rand(10) === 0 ? 1n << 63n : 0n),
          deadline: rand(3) === 0 ? 0 : NOW + 1 + rand(20_000),
          maxWorkers,
          minReputation: rand(4) === 0 ? rand(10_000) : 0
        })
        const status = rand(5) === 0 ? rand(6) : 0
        yield* sql`UPDATE ledger_tasks SET status = ${status}, current_workers = ${rand(maxWorkers + 1)} WHERE id = ${i + 1}`
      }
      yield* TestClock.adjust("2 hours")
      const all = yield* l.listTasks()
      const now = NOW + 7200
      const filters = [{}, { capabilities: 0b1011n }, { minReward: 200n, maxReward: 700n }, { minDeadlineBufferSeconds: 3600 }, { taskTypes: ["Exclusive" as const] }]
      for (const filter of filters) {
        const expected = all.filter((t) => isClaimable(t, { capabilities: TEST_AGENT.capabilities, reputation: 5000 }, filter, now)).map((t) => t.id).sort()
        const actual = ids(yield* runtime.claimableTasks(filter)).sort()
        assert.deepStrictEqual(actual, expected)
        assert.isAbove(expected.length, 0)
      }
    })))

  it.effect("claim, portfolio, complete: counters move by the reward", () =>
    withRuntime(Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const l = yield* ledger()
      const before = yield* runtime.agentSnapshot()
      assert.deepStrictEqual([before.tasksCompleted, before.totalEarned, before.reputation, before.activeTasks, before.stake], [0n, 0n, 5000, 0, 0n])
      assert.strictEqual(before.at, NOW_MS)
      const task = yield* add({ rewardAmount: 7_000_000_000n, deadline: NOW + 3600 })
      const entry = yield* l.claim(task.id)
      assert.strictEqual(entry.task.status, "InProgress")
      assert.strictEqual(entry.task.currentWorkers, 1)
      const portfolio = yield* runtime.portfolio()
      assert.deepStrictEqual(portfolio.map((p) => [p.task.id, p.claimedAt, p.expiresAt, p.task.status]), [[task.id, NOW, NOW + 3600, "InProgress"]])
      assert.strictEqual((yield* runtime.agentSnapshot()).activeTasks, 1)
      assert.strictEqual((yield* Effect.either(l.claim(task.id))).pipe(Either.getLeft, (e) => e._tag === "Some" && e.value._tag), "LedgerRuleError")

      const done = yield* l.complete(task.id)
      assert.strictEqual(done.rewardPaid, 7_000_000_000n)
      assert.strictEqual(done.task.status, "Completed")
      const after = yield* runtime.agentSnapshot()
      assert.deepStrictEqual([after.tasksCompleted, after.totalEarned, after.activeTasks], [1n, 7_000_000_000n, 0])
      assert.deepStrictEqual(yield* runtime.portfolio(), [])
      assert.strictEqual((yield* Effect.either(l.complete(task.id))).pipe(Either.getLeft, (e) => e._tag === "Some" && e.value._tag), "LedgerRuleError")
    })))

  it.effect("a collaborative task pays each worker its share and stays open to more workers", () =>
    withRuntime(Effect.gen(function*() {
      const l = yield* ledger()
      const task = yield* add({ rewardAmount: 900n, maxWorkers: 3 })
      yield* l.claim(task.id)
      const done = yield* l.complete(task.id)
      assert.strictEqual(done.rewardPaid, 300n)
      assert.strictEqual(done.task.status, "InProgress")
      assert.strictEqual((yield* (yield* AgentRuntime).agentSnapshot()).totalEarned, 300n)
    })))

  it.effect("claim refuses what the program refuses", () =>
    withRuntime(Effect.gen(function*() {
      const narrow = yield* ledger({ name: "narrow", capabilities: 0b1n })
      const needsTwo = yield* add({ requiredCapabilities: 0b10n })
      const expiring = yield* add({ deadline: NOW + 5 })
      const picky = yield* add({ minReputation: 9000 })
      const tagOf = (e: Effect.Effect<unknown, { _tag: string }>) => Effect.map(Effect.flip(e), (x) => x._tag)
      assert.strictEqual(yield* tagOf(narrow.claim(needsTwo.id)), "LedgerRuleError")
      assert.strictEqual(yield* tagOf(narrow.claim(picky.id)), "LedgerRuleError")
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(yield* tagOf(narrow.claim(expiring.id)), "LedgerRuleError")
      assert.strictEqual(yield* tagOf(narrow.claim("12345")), "NotFoundError")
      assert.strictEqual(yield* tagOf(narrow.claim("abc")), "NotFoundError")
      assert.deepStrictEqual(yield* (yield* AgentRuntime).portfolio(), [])
    })))

  it.effect("dispute opens an Active dispute on a claimed task; disputes() finds it", () =>
    withRuntime(Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const l = yield* ledger()
      const task = yield* add({ rewardAmount: 10n })
      const other = yield* add({ rewardAmount: 10n })
      assert.strictEqual((yield* Effect.flip(l.dispute(task.id)))._tag, "LedgerRuleError") // not claimed
      yield* l.claim(task.id)
      const dispute = yield* l.dispute(task.id)
      assert.strictEqual(dispute.status, "Active")
      assert.strictEqual(dispute.task, task.id)
      assert.strictEqual(dispute.resolutionType, "Complete")
      assert.strictEqual(dispute.createdAt, NOW)
      assert.strictEqual(dispute.votingDeadline, NOW + 86_400)
      assert.deepStrictEqual((yield* runtime.disputes([task.id, other.id, "nope"])).map((d) => [d.id, d.task, d.status]), [[dispute.id, task.id, "Active"]])
      assert.deepStrictEqual(yield* runtime.disputes([other.id]), [])
      assert.strictEqual((yield* l.task(task.id)).status, "Disputed")
      assert.strictEqual((yield* Effect.flip(l.dispute(task.id)))._tag, "LedgerRuleError") // already disputed
      assert.strictEqual((yield* Effect.flip(l.complete(task.id)))._tag, "LedgerRuleError") // frozen by the dispute
      assert.strictEqual((yield* runtime.portfolio())[0]!.task.status, "Disputed")
    })))

  it.effect("keeps all 64 capability bits", () =>
    withRuntime(Effect.gen(function*() {
      const wide = yield* ledger({ name: "wide", capabilities: (1n << 64n) - 1n })
      const task = yield* wide.addTask({ rewardAmount: 1n, requiredCapabilities: (1n << 63n) | 1n, deadline: 0, maxWorkers: 1, description: "" })
      assert.strictEqual(task.requiredCapabilities, (1n << 63n) | 1n)
      assert.deepStrictEqual(ids(yield* wide.claimable({})), [task.id])
      assert.deepStrictEqual(ids(yield* wide.claimable({ capabilities: 1n })), [])
      assert.deepStrictEqual(ids(yield* (yield* AgentRuntime).claimableTasks({})), []) // the 0x3ff agent lacks bit 63
    })))
})
