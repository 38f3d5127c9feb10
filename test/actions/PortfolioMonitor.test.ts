import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { portfolioMonitor } from "../../src/heartbeat/actions/PortfolioMonitor.js"
import { LocalRuntimeConfig } from "../../src/domain/RuntimeConfig.js"
import { AgentRuntimeLocal } from "../../src/layers/AgentRuntimeLocal.js"
import { makeLedgerStore } from "../../src/runtime/LedgerStore.js"
import { RpcError } from "../../src/services/AgentRuntime.js"
import { StateStore } from "../../src/services/StateStore.js"
import { makeDispute, makeTask, TestMarketplace } from "../layers/AgentRuntimeTest.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { actionLayer, HOUR, ledger, registrationOf, runAt, tempHome, utc } from "./ActionHarness.js"

const T0 = utc("2025-06-01T00:00:00")
const seconds = (ms: number) => Math.floor(ms / 1000)
const claimed = (id: string, deadlineMs: number) => ({
  task: makeTask(id, { status: "InProgress", currentWorkers: 1, deadline: seconds(deadlineMs) }),
  claimedAt: seconds(T0),
  expiresAt: 0
})

describe("portfolio-monitor", () => {
  it.scoped("alerts once per horizon, hourly runs in between stay quiet, and once when the deadline passes", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const deadline = T0 + 30 * HOUR
      market.portfolio = [claimed("TASKAAAAxyz", deadline), claimed("NODEADLN", 0)]
      const registration = registrationOf(portfolioMonitor)
      yield* Effect.gen(function*() {
        const outcomes: Array<string> = []
        for (let hour = 0; hour <= 32; hour++) {
          const report = yield* runAt(registration, T0 + hour * HOUR)
          outcomes.push(report.outcome === "notified" ? `${hour}: ${report.result!.message}` : report.outcome)
        }
        assert.deepStrictEqual(outcomes.filter((outcome) => outcome !== "quiet"), [
          "6: Alert: Task #TASKAAAA deadline in 24 hours (2025-06-02 06:00 UTC)",
          "28: Alert: Task #TASKAAAA deadline in 2 hours (2025-06-02 06:00 UTC)",
          "30: Alert: Task #TASKAAAA deadline passed (2025-06-02 06:00 UTC)"
        ])
        assert.strictEqual(gateway.sent.length, 3)
        assert.strictEqual((yield* ledger("portfolio-monitor")).filter((run) => run.outcome === "quiet").length, 30)
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("a task claimed inside the tightest horizon gets that alert only; custom horizons are sorted", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const registration = registrationOf(portfolioMonitor, { horizons: ["30m", "6h", 7_200_000] })
      yield* Effect.gen(function*() {
        market.portfolio = [claimed("LATECLAIM", T0 + 90 * 60_000)]
        const first = yield* runAt(registration, T0)
        assert.strictEqual(first.result?.message, "Alert: Task #LATECLAI deadline in 2 hours (2025-06-01 01:30 UTC)")
        assert.strictEqual((yield* runAt(registration, T0 + 30 * 60_000)).outcome, "quiet")
        const tight = yield* runAt(registration, T0 + 61 * 60_000)
        assert.strictEqual(tight.result?.message, "Alert: Task #LATECLAI deadline in 30 minutes (2025-06-01 01:30 UTC)")
        // Unclaimed (completed): its state goes, so the session does not grow with finished work.
        market.portfolio = []
        assert.strictEqual((yield* runAt(registration, T0 + 62 * 60_000)).outcome, "quiet")
        const alerts = yield* (yield* StateStore).sessionGet("portfolio-monitor", "alerts")
        assert.deepStrictEqual((alerts as any).value, {})
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("alerts when a dispute opens and each time its status changes, not every hour", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const registration = registrationOf(portfolioMonitor)
      market.portfolio = [claimed("DISPUTEDtask", 0), claimed("CALMtask", 0)]
      yield* Effect.gen(function*() {
        assert.strictEqual((yield* runAt(registration, T0)).outcome, "quiet")
        market.disputes = [makeDispute("d1", "DISPUTEDtask")]
        const opened = yield* runAt(registration, T0 + HOUR)
        assert.strictEqual(opened.result?.message, "Alert: dispute opened on task #DISPUTED")
        assert.strictEqual((yield* runAt(registration, T0 + 2 * HOUR)).outcome, "quiet")
        // The disputed task leaves the portfolio; the dispute is still followed until it ends.
        market.portfolio = [claimed("CALMtask", 0)]
        market.disputes = [makeDispute("d1", "DISPUTEDtask", { status: "Resolved", resolutionType: "Complete" })]
        const resolved = yield* runAt(registration, T0 + 3 * HOUR)
        assert.strictEqual(resolved.result?.message, "Alert: dispute on task #DISPUTED is now Resolved")
        assert.strictEqual((yield* runAt(registration, T0 + 4 * HOUR)).outcome, "quiet")
        const disputeCalls = market.calls.filter((call) => call.method === "disputes")
        assert.deepStrictEqual(disputeCalls.map((call) => (call as { taskIds: ReadonlyArray<string> }).taskIds), [
          ["DISPUTEDtask", "CALMtask"],
          ["DISPUTEDtask", "CALMtask"],
          ["DISPUTEDtask", "CALMtask"],
          ["CALMtask", "DISPUTEDtask"],
          // Resolved: no longer followed.
          ["CALMtask"]
        ])
        assert.deepStrictEqual(gateway.messages, [opened.result!.message!, resolved.result!.message!])
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("several alerts of one run go out as one message", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.portfolio = [claimed("AAAAAAAAa", T0 + HOUR), claimed("BBBBBBBBb", T0 - HOUR)]
      market.disputes = [makeDispute("d2", "AAAAAAAAa", { status: "Expired" })]
      const report = yield* runAt(registrationOf(portfolioMonitor), T0).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
      assert.strictEqual(report.result?.message, [
        "Alert: Task #AAAAAAAA deadline in 2 hours (2025-06-01 01:00 UTC)",
        "Alert: Task #BBBBBBBB deadline passed (2025-05-31 23:00 UTC)",
        "Alert: dispute opened on task #AAAAAAAA (now Expired)"
      ].join("\n"))
      assert.strictEqual(gateway.sent.length, 1)
    }))

  it.scoped("a runtime failure is a failed run and does not lose alerts", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.portfolio = [claimed("AAAAAAAAa", T0 + HOUR)]
      market.failure = new RpcError({ url: "https://rpc.example/…", message: "429 Too Many Requests" })
      yield* Effect.gen(function*() {
        const failed = yield* runAt(registrationOf(portfolioMonitor), T0)
        assert.strictEqual(failed.outcome, "failed")
        assert.strictEqual(failed.error, "RpcError: 429 Too Many Requests")
        market.failure = undefined
        const next = yield* runAt(registrationOf(portfolioMonitor), T0 + 60_000)
        assert.strictEqual(next.result?.message, "Alert: Task #AAAAAAAA deadline in 2 hours (2025-06-01 01:00 UTC)")
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("a bad horizon is a failed run naming it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const report = yield* runAt(registrationOf(portfolioMonitor, { horizons: ["24h", "soon"] }), T0).pipe(
        Effect.provide(actionLayer(home, gateway, market.layer))
      )
      assert.strictEqual(report.outcome, "failed")
      assert.match(report.error!, /config\.horizons\[1\]: "soon" is not a duration/)
    }))

  it.scoped("over the local ledger: a claimed task's deadline and a dispute on it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      const runtime = AgentRuntimeLocal(LocalRuntimeConfig.make({ source: "local", agent: "me", capabilities: 3n }))
      const registration = registrationOf(portfolioMonitor)
      yield* Effect.gen(function*() {
        const store = makeLedgerStore(yield* SqlClient.SqlClient, { name: "me", capabilities: 3n })
        yield* runAt(registration, T0)
        const task = yield* store.addTask({ rewardAmount: 1n, requiredCapabilities: 1n, deadline: seconds(T0 + 3 * HOUR), maxWorkers: 1, description: "x" })
        yield* store.claim(task.id)
        const claimedRun = yield* runAt(registration, T0 + 60_000)
        assert.strictEqual(claimedRun.result?.message, `Alert: Task #${task.id} deadline in 24 hours (2025-06-01 03:00 UTC)`)
        yield* store.dispute(task.id)
        const disputed = yield* runAt(registration, T0 + HOUR)
        assert.strictEqual(disputed.result?.message, [
          `Alert: Task #${task.id} deadline in 2 hours (2025-06-01 03:00 UTC)`,
          `Alert: dispute opened on task #${task.id}`
        ].join("\n"))
        assert.strictEqual((yield* runAt(registration, T0 + HOUR + 60_000)).outcome, "quiet")
      }).pipe(Effect.provide(actionLayer(home, gateway, runtime)))
    }))
})
