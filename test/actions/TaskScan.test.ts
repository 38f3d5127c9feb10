import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { taskScan } from "../../src/heartbeat/actions/TaskScan.js"
import { makeSession } from "../../src/services/Session.js"
import { AgentRuntimeLocal } from "../../src/layers/AgentRuntimeLocal.js"
import { makeLedgerStore } from "../../src/runtime/LedgerStore.js"
import { RpcError } from "../../src/services/AgentRuntime.js"
import { StateStore } from "../../src/services/StateStore.js"
import { LocalRuntimeConfig } from "../../src/domain/RuntimeConfig.js"
import { makeTask, TestMarketplace } from "../layers/AgentRuntimeTest.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { actionLayer, HOUR, ledger, registrationOf, runAt, tempHome, utc } from "./ActionHarness.js"

const T0 = utc("2025-06-01T12:00:00")
const seconds = (ms: number) => Math.floor(ms / 1000)

describe("task-scan", () => {
  it.scoped("announces every matching open task on the first run, then only new ones, and is quiet in between", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.tasks = [
        makeTask("AAAAAAAA1111", { rewardAmount: 1_500_000_000n, deadline: seconds(T0 + 5 * HOUR) }),
        makeTask("BBBBBBBB2222", { rewardAmount: 1n }),
        // Needs STORAGE (bit 2): outside capabilities 3.
        makeTask("CCCCCCCC3333", { requiredCapabilities: 4n }),
        makeTask("DDDDDDDD4444", { status: "InProgress" })
      ]
      const registration = registrationOf(taskScan, { capabilities: 3 })
      yield* Effect.gen(function*() {
        const first = yield* runAt(registration, T0)
        assert.strictEqual(first.outcome, "notified")
        assert.strictEqual(
          first.result?.message,
          [
            "Found 2 new tasks matching your capabilities",
            "- #AAAAAAAA  1.5 SOL  deadline 2025-06-01 17:00 UTC (in 5h)",
            "- #BBBBBBBB  0.000000001 SOL  no deadline"
          ].join("\n")
        )
        assert.deepStrictEqual(gateway.messages, [first.result!.message!])
        assert.deepStrictEqual(market.calls[0], { method: "claimableTasks", filter: {
          minReward: undefined, maxReward: undefined, capabilities: 3n, taskTypes: undefined, minDeadlineBufferSeconds: undefined
        } })

        const second = yield* runAt(registration, T0 + 5 * 60_000)
        assert.strictEqual(second.outcome, "quiet")
        assert.strictEqual(gateway.sent.length, 1)

        market.tasks.push(makeTask("EEEEEEEE5555", { rewardMint: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", rewardAmount: 2_000_000n }))
        const third = yield* runAt(registration, T0 + 10 * 60_000)
        assert.strictEqual(third.outcome, "notified")
        assert.strictEqual(third.result?.message, "Found 1 new task matching your capabilities\n- #EEEEEEEE  2000000 units of EPjFWdd5…  no deadline")
        assert.deepStrictEqual((yield* ledger("task-scan")).map((run) => run.outcome), ["notified", "quiet", "notified"])
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("decodes the reward filter from numbers and strings and applies it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.tasks = [
        makeTask("cheap000", { rewardAmount: 100n }),
        makeTask("right000", { rewardAmount: 5_000_000_000n, taskType: "Competitive", maxWorkers: 3 }),
        makeTask("rich0000", { rewardAmount: 90_000_000_000n }),
        makeTask("exclusiv", { rewardAmount: 5_000_000_000n, taskType: "Exclusive" }),
        makeTask("soon0000", { rewardAmount: 5_000_000_000n, taskType: "Competitive", maxWorkers: 2, deadline: seconds(T0) + 600 })
      ]
      const registration = registrationOf(taskScan, {
        minReward: "1000000000",
        maxReward: 10_000_000_000,
        capabilities: "0x3",
        taskTypes: ["Competitive", "Collaborative"],
        minDeadlineBufferSeconds: 3600
      })
      const report = yield* runAt(registration, T0).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
      assert.strictEqual(report.result?.message, "Found 1 new task matching your capabilities\n- #right000  5 SOL  no deadline")
      assert.deepStrictEqual(market.calls, [{ method: "claimableTasks", filter: {
        minReward: 1_000_000_000n,
        maxReward: 10_000_000_000n,
        capabilities: 3n,
        taskTypes: ["Competitive", "Collaborative"],
        minDeadlineBufferSeconds: 3600
      } }])
    }))

  it.scoped("a bad config is a failed run naming the field, and nothing is asked of the runtime", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const layer = actionLayer(home, gateway, market.layer)
      const bad = yield* runAt(registrationOf(taskScan, { minReward: "lots" }), T0).pipe(Effect.provide(layer))
      assert.strictEqual(bad.outcome, "failed")
      assert.match(bad.error!, /^ActionConfigError: task-scan: config\.minReward: "lots" is not a non-negative integer/)
      const typo = yield* runAt(registrationOf(taskScan, { minreward: 5 }), T0).pipe(Effect.provide(layer))
      assert.match(typo.error!, /config\.minreward/)
      assert.deepStrictEqual(market.calls, [])
      assert.deepStrictEqual(gateway.sent, [])
    }))

  it.scoped("a runtime failure is a failed run, not a quiet one, and the next good run still announces", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.tasks = [makeTask("AAAAAAAA")]
      market.failure = new RpcError({ url: "https://rpc.example/…", message: "connect ECONNREFUSED" })
      yield* Effect.gen(function*() {
        const failed = yield* runAt(registrationOf(taskScan), T0)
        assert.strictEqual(failed.outcome, "failed")
        assert.strictEqual(failed.error, "RpcError: connect ECONNREFUSED")
        const [recorded] = yield* ledger("task-scan")
        assert.strictEqual(recorded?.outcome, "failed")
        assert.strictEqual(recorded?.error, "RpcError: connect ECONNREFUSED")
        assert.deepStrictEqual(gateway.sent, [])
        market.failure = undefined
        const recovered = yield* runAt(registrationOf(taskScan), T0 + 300_000)
        assert.strictEqual(recovered.outcome, "notified")
        assert.match(recovered.result!.message!, /^Found 1 new task/)
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("forgets tasks gone for longer than forgetAfter, so its state stays as small as the market", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const registration = registrationOf(taskScan, { forgetAfter: 86_400 })
      yield* Effect.gen(function*() {
        for (let day = 0; day < 10; day++) {
          market.tasks = [makeTask(`task${day}`)]
          const report = yield* runAt(registration, T0 + day * 24 * HOUR + day)
          assert.strictEqual(report.result?.message, `Found 1 new task matching your capabilities\n- #task${day}  1 SOL  no deadline`)
        }
        const announced = yield* (yield* StateStore).sessionGet("task-scan", "announced")
        assert.deepStrictEqual(Object.keys((announced as any).value), ["task8", "task9"])
        // Briefly gone and back within forgetAfter: not announced again.
        market.tasks = [makeTask("task9")]
        const back = yield* runAt(registration, T0 + 10 * 24 * HOUR)
        assert.strictEqual(back.outcome, "quiet")
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("over the local ledger: announces added tasks once and drops claimed ones", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      const local = LocalRuntimeConfig.make({ source: "local", agent: "me", capabilities: 3n })
      const runtime = AgentRuntimeLocal(local)
      yield* Effect.gen(function*() {
        const store = makeLedgerStore(yield* SqlClient.SqlClient, { name: "me", capabilities: 3n })
        yield* runAt(registrationOf(taskScan), T0).pipe(Effect.tap((report) => assert.strictEqual(report.outcome, "quiet")))
        const a = yield* store.addTask({ rewardAmount: 2_500_000_000n, requiredCapabilities: 1n, deadline: seconds(T0) + 2 * 86_400, maxWorkers: 1, description: "a" })
        yield* store.addTask({ rewardAmount: 1n, requiredCapabilities: 8n, deadline: 0, maxWorkers: 1, description: "needs NETWORK" })
        const first = yield* runAt(registrationOf(taskScan), T0 + 60_000)
        assert.strictEqual(first.result?.message, `Found 1 new task matching your capabilities\n- #${a.id}  2.5 SOL  deadline 2025-06-03 12:00 UTC (in 1d 23h)`)
        assert.strictEqual((yield* runAt(registrationOf(taskScan), T0 + 120_000)).outcome, "quiet")
        yield* store.claim(a.id)
        const b = yield* store.addTask({ rewardAmount: 3n, requiredCapabilities: 2n, deadline: 0, maxWorkers: 1, description: "b" })
        const second = yield* runAt(registrationOf(taskScan), T0 + 180_000)
        assert.strictEqual(second.result?.message, `Found 1 new task matching your capabilities\n- #${b.id}  0.000000003 SOL  no deadline`)
        assert.strictEqual(gateway.sent.length, 2)
        assert.deepStrictEqual(
          (yield* makeSession(yield* StateStore, "task-scan").keys()),
          ["announced"]
        )
      }).pipe(Effect.provide(actionLayer(home, gateway, runtime)))
    }))
})
