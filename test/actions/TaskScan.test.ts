import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Either, Effect } from "effect"
import { Links } from "../../src/domain/ChannelsConfig.js"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
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
            "- #AAAAAAAA task AAAAAAAA1111",
            "  Reward: 1.5 SOL · Deadline: 2025-06-01 17:00 UTC (in 5 h) · Type: Exclusive, 0/1 workers · Capabilities: COMPUTE, INFERENCE",
            "- #BBBBBBBB task BBBBBBBB2222",
            "  Reward: 0.000000001 SOL · Deadline: none · Type: Exclusive, 0/1 workers · Capabilities: COMPUTE, INFERENCE"
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
        assert.strictEqual(third.result?.message, [
          "Found 1 new task matching your capabilities",
          "- #EEEEEEEE task EEEEEEEE5555",
          "  Reward: 2000000 units of EPjFWdd5… · Deadline: none · Type: Exclusive, 0/1 workers · Capabilities: COMPUTE, INFERENCE"
        ].join("\n"))
        assert.deepStrictEqual((yield* ledger("task-scan")).map((run) => run.outcome), ["notified", "quiet", "notified"])
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("describes each task: its description on one line, reward, deadline in the action's zone, capabilities, explorer link", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const address = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
      market.tasks = [
        makeTask(address, {
          description: `Label\n\tthe   <!channel> images\u001b[2J ${"x".repeat(10_240)}`,
          deadline: seconds(T0 + 3 * HOUR),
          requiredCapabilities: (1n << 3n) | (1n << 12n),
          taskType: "Collaborative",
          maxWorkers: 3,
          currentWorkers: 1
        })
      ]
      const registration = {
        ...registrationOf(taskScan, { capabilities: "0xffff" }),
        schedule: Either.getOrThrow(CronSchedule.parse("@hourly", "Europe/Berlin")),
        links: Links.make({ explorer: "https://explorer.solana.com/address/{address}?cluster={cluster}", cluster: "devnet" })
      }
      market.agent = { ...market.agent, capabilities: 0xffffn }
      const report = yield* runAt(registration, T0).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
      const [item] = report.result!.content!.items!
      assert.strictEqual(item!.text.length, "#7xKXtg2C ".length + 120)
      assert.strictEqual(item!.text, `#7xKXtg2C ${`Label the <!channel> images[2J ${"x".repeat(200)}`.slice(0, 119)}…`)
      assert.strictEqual(item!.link, `https://explorer.solana.com/address/${address}?cluster=devnet`)
      assert.deepStrictEqual(item!.fields, [
        { label: "Reward", value: "1 SOL" },
        // 12:00 UTC in June is 14:00 in Berlin (CEST), and 3 h ahead of the run
        { label: "Deadline", value: "2025-06-01 17:00 CEST (in 3 h)" },
        { label: "Type", value: "Collaborative, 1/3 workers" },
        { label: "Capabilities", value: "NETWORK, bit 12" }
      ])
      assert.strictEqual(report.result!.content!.severity, "info")
      assert.strictEqual(gateway.sent[0]!.message.content?.items?.[0]?.link, item!.link, "the content reaches the gateway")
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
      assert.strictEqual(report.result?.message, [
        "Found 1 new task matching your capabilities",
        "- #right000 task right000",
        "  Reward: 5 SOL · Deadline: none · Type: Competitive, 0/3 workers · Capabilities: COMPUTE, INFERENCE"
      ].join("\n"))
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
          assert.strictEqual(report.result?.message, [
            "Found 1 new task matching your capabilities",
            `- #task${day} task task${day}`,
            "  Reward: 1 SOL · Deadline: none · Type: Exclusive, 0/1 workers · Capabilities: COMPUTE, INFERENCE"
          ].join("\n"))
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
        assert.strictEqual(first.result?.message, [
          "Found 1 new task matching your capabilities",
          `- #${a.id} a`,
          "  Reward: 2.5 SOL · Deadline: 2025-06-03 12:00 UTC (in 1 d 23 h) · Type: Exclusive, 0/1 workers · Capabilities: COMPUTE"
        ].join("\n"))
        assert.strictEqual((yield* runAt(registrationOf(taskScan), T0 + 120_000)).outcome, "quiet")
        yield* store.claim(a.id)
        const b = yield* store.addTask({ rewardAmount: 3n, requiredCapabilities: 2n, deadline: 0, maxWorkers: 1, description: "b" })
        const second = yield* runAt(registrationOf(taskScan), T0 + 180_000)
        assert.strictEqual(second.result?.message, [
          "Found 1 new task matching your capabilities",
          `- #${b.id} b`,
          "  Reward: 0.000000003 SOL · Deadline: none · Type: Exclusive, 0/1 workers · Capabilities: INFERENCE"
        ].join("\n"))
        assert.strictEqual(gateway.sent.length, 2)
        assert.deepStrictEqual(
          (yield* makeSession(yield* StateStore, "task-scan").keys()),
          ["announced"]
        )
      }).pipe(Effect.provide(actionLayer(home, gateway, runtime)))
    }))
})
