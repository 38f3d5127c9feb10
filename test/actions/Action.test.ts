import { assert, describe, it } from "@effect/vitest"
import { Effect, pipe, Schema } from "effect"
import * as Action from "../../src/heartbeat/Action.js"
import { dailySummary, taskScan } from "../../src/heartbeat/actions/index.js"
import { notify, quiet } from "../../src/services/HeartbeatAction.js"
import { RpcError } from "../../src/services/AgentRuntime.js"
import { Session } from "../../src/services/Session.js"
import { StateStore } from "../../src/services/StateStore.js"
import { makeTask, TestMarketplace } from "../layers/AgentRuntimeTest.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { actionLayer, HOUR, ledger, registrationOf, runAt, tempHome, utc } from "./ActionHarness.js"

const T0 = utc("2025-06-01T09:00:00")

/** Counts its runs in its session and notifies on every `every`-th. */
const counter = Action.make({
  name: "counter",
  description: "counts runs",
  config: Schema.Struct({ every: Schema.optionalWith(Schema.Int, { default: () => 1 }) }),
  run: ({ config }) =>
    Effect.gen(function*() {
      const session = yield* Session
      const count = (yield* session.getAs("count", Schema.Number)).pipe((o) => o._tag === "Some" ? o.value : 0) + 1
      yield* session.set("count", count)
      return count % config.every === 0 ? notify(`run ${count}`, { count }) : quiet({ count })
    })
})

describe("Action", () => {
  it.scoped("make decodes config and keeps state in the session", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      yield* Effect.gen(function*() {
        const registration = registrationOf(counter, { every: 2 })
        assert.strictEqual((yield* runAt(registration, T0)).outcome, "quiet")
        assert.strictEqual((yield* runAt(registration, T0 + 1)).result?.message, "run 2")
        const bad = yield* runAt(registrationOf(counter, { every: "often" }), T0 + 2)
        assert.match(bad.error!, /^ActionConfigError: counter: config\.every: Expected number, actual "often"/)
      }).pipe(Effect.provide(actionLayer(home, gateway, new TestMarketplace().layer)))
    }))

  it.scoped("all merges results, scopes each child's session, and passes each its config", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      const market = new TestMarketplace()
      market.tasks = [makeTask("AAAAAAAA", { rewardAmount: 3n }), makeTask("BBBBBBBB", { rewardAmount: 5_000_000_000n })]
      const composed = Action.all([
        pipe(taskScan, Action.withConfig((config) => config.scan)),
        pipe(counter, Action.named("odd"), Action.withConfig({ every: 2 })),
        pipe(counter, Action.named("each"), Action.withConfig({}))
      ], { name: "combo" })
      yield* Effect.gen(function*() {
        const registration = registrationOf(composed, { scan: { minReward: 1000 } })
        const first = yield* runAt(registration, T0)
        assert.strictEqual(first.error, undefined)
        assert.strictEqual(first.result?.message, [
          "Found 1 new task matching your capabilities",
          "- #BBBBBBBB task BBBBBBBB",
          "  Reward: 5 SOL · Deadline: none · Type: Exclusive, 0/1 workers · Capabilities: COMPUTE, INFERENCE",
          "",
          "run 1"
        ].join("\n"))
        // The structured parts merge into one list: each child's title, then its items; plain text as an item.
        assert.deepStrictEqual(first.result?.content?.items?.map((item) => item.text), [
          "Found 1 new task matching your capabilities",
          "#BBBBBBBB task BBBBBBBB",
          "run 1"
        ])
        assert.strictEqual(first.result?.content?.title, "2 updates")
        const second = yield* runAt(registration, T0 + 1)
        assert.strictEqual(second.result?.message, "run 2\n\nrun 2")
        assert.deepStrictEqual(Object.keys(second.result!.metadata!), ["task-scan", "odd", "each"])
        const keys = yield* (yield* StateStore).sessionKeys("combo")
        assert.deepStrictEqual([...keys].sort(), ["each/count", "odd/count", "task-scan/announced"])
        assert.deepStrictEqual(gateway.messages, [first.result!.message!, second.result!.message!])
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("a child without its own config sees the composition's, and its schema rejects keys meant for others", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const composed = Action.all([taskScan, counter], { name: "combo" })
      const report = yield* runAt(registrationOf(composed, { minReward: 5 }), T0).pipe(
        Effect.provide(actionLayer(home, new GatewayTest(), new TestMarketplace().layer))
      )
      assert.strictEqual(report.error, "ComposedActionError: counter failed: ActionConfigError: combo/counter: config.minReward: is unexpected, expected: \"every\"")
    }))

  it.scoped("all is quiet when every child is quiet, and fails naming the child that failed", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      const market = new TestMarketplace()
      const composed = Action.all([taskScan, pipe(counter, Action.withConfig({ every: 100 }))], { name: "combo" })
      yield* Effect.gen(function*() {
        assert.strictEqual((yield* runAt(registrationOf(composed), T0)).outcome, "quiet")
        market.failure = new RpcError({ url: "https://rpc.example/…", message: "503" })
        const failed = yield* runAt(registrationOf(composed), T0 + 1)
        assert.strictEqual(failed.outcome, "failed")
        assert.strictEqual(failed.error, "ComposedActionError: task-scan failed: RpcError: 503")
        assert.strictEqual((yield* ledger("combo"))[0]?.outcome, "failed")
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("when runs the action only if the condition holds; map rewrites the result", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      const market = new TestMarketplace()
      market.complete(2n, 2_000_000_000n)
      const morning = pipe(
        dailySummary,
        Action.when((context) => new Date(context.scheduledAt).getUTCHours() === 9),
        Action.map((result) => ({ ...result, message: `[agent] ${result.message}` }))
      )
      yield* Effect.gen(function*() {
        const atNine = yield* runAt(registrationOf(morning), T0)
        assert.strictEqual(atNine.result?.message?.split("\n")[0], "[agent] Daily summary: 0 tasks completed, 0 SOL earned")
        const atTen = yield* runAt(registrationOf(morning), T0 + HOUR)
        assert.strictEqual(atTen.outcome, "quiet")
        assert.deepStrictEqual(atTen.result?.metadata, { skipped: "condition not met" })
        // The skipped run took no snapshot and asked nothing of the runtime (the run at nine: snapshot and portfolio).
        assert.deepStrictEqual(market.calls.map((call) => call.method), ["agentSnapshot", "portfolio"])
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))
})
