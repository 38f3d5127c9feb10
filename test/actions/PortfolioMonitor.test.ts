import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import type { RunReport } from "../../src/services/Scheduler.js"
import { Effect, Either } from "effect"
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

/** The alerts of a run's message, the first prefixed with the message's severity. */
const alertsOf = (report: RunReport): Array<string> =>
  report.result!.content!.items!.map((item, index) => index === 0 ? `${report.result!.content!.severity} ${item.text}` : item.text)

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
          outcomes.push(report.outcome === "notified" ? `${hour}: ${alertsOf(report).join(" | ")}` : report.outcome)
        }
        assert.deepStrictEqual(outcomes.filter((outcome) => outcome !== "quiet"), [
          "6: warning Task #TASKAAAA due in 1 d",
          "28: alert Task #TASKAAAA due in 2 h",
          "30: alert Task #TASKAAAA deadline passed"
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
        // The 2 h horizon fires; the message says the time actually left.
        assert.deepStrictEqual(alertsOf(first), ["warning Task #LATECLAI due in 1 h 30 min"])
        assert.strictEqual((yield* runAt(registration, T0 + 30 * 60_000)).outcome, "quiet")
        const tight = yield* runAt(registration, T0 + 61 * 60_000)
        assert.deepStrictEqual(alertsOf(tight), ["alert Task #LATECLAI due in 29 min"])
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
        assert.deepStrictEqual(alertsOf(opened), ["alert Dispute opened on task #DISPUTED"])
        assert.strictEqual((yield* runAt(registration, T0 + 2 * HOUR)).outcome, "quiet")
        // The disputed task leaves the portfolio; the dispute is still followed until it ends.
        market.portfolio = [claimed("CALMtask", 0)]
        market.disputes = [makeDispute("d1", "DISPUTEDtask", { status: "Resolved", resolutionType: "Complete" })]
        const resolved = yield* runAt(registration, T0 + 3 * HOUR)
        assert.deepStrictEqual(alertsOf(resolved), ["warning Dispute on task #DISPUTED is now Resolved"])
        // The task left the portfolio: its reward is remembered from when the dispute opened.
        assert.deepStrictEqual(resolved.result!.content!.items![0]!.fields!.map((field) => field.label), ["Reward at stake", "Votes", "Resolution"])
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
      assert.deepStrictEqual(alertsOf(report), [
        "alert Task #AAAAAAAA due in 1 h",
        "Task #BBBBBBBB deadline passed 1 h ago",
        "Dispute opened on task #AAAAAAAA (now Expired)"
      ])
      assert.strictEqual(report.result!.content!.title, "Portfolio: 3 alerts")
      assert.strictEqual(report.result!.content!.severity, "alert")
      assert.strictEqual(gateway.sent.length, 1)
    }))

  it.scoped("says the exact time left, the dispute's stake, votes and voting deadline, every time in the action's zone", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const registration = { ...registrationOf(portfolioMonitor), schedule: Either.getOrThrow(CronSchedule.parse("@hourly", "America/New_York")) }
      // Due in 5 h 59 min: inside the 24 h horizon, which decides only when to alert.
      market.portfolio = [claimed("SOONtask", T0 + 5 * HOUR + 59 * 60_000), claimed("DISPUTEDtask", 0)]
      market.portfolio[1] = { ...market.portfolio[1]!, task: { ...market.portfolio[1]!.task, rewardAmount: 2_500_000_000n } }
      market.disputes = [makeDispute("d9", "DISPUTEDtask", { votesFor: 3n, votesAgainst: 1n, votingDeadline: seconds(T0 + 26 * HOUR) })]
      const report = yield* runAt(registration, T0).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
      const [due, dispute] = report.result!.content!.items!
      assert.strictEqual(due!.text, "Task #SOONtask due in 5 h 59 min")
      // T0 is 2025-06-01 00:00 UTC: 05:59 UTC is 01:59 in New York (EDT).
      assert.deepStrictEqual(due!.fields![0], { label: "Deadline", value: "2025-06-01 01:59 EDT" })
      assert.deepStrictEqual(dispute!.fields, [
        { label: "Reward at stake", value: "2.5 SOL" },
        { label: "Votes", value: "3 for, 1 against" },
        { label: "Voting deadline", value: "2025-06-01 22:00 EDT (in 1 d 2 h)" }
      ])
      assert.strictEqual(report.result!.content!.severity, "alert")
      assert.include(report.result!.message!, "Task #SOONtask due in 5 h 59 min")
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
        assert.deepStrictEqual(alertsOf(next), ["alert Task #AAAAAAAA due in 59 min"])
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
        assert.deepStrictEqual(alertsOf(claimedRun), [`warning Task #${task.id} due in 2 h 59 min`])
        yield* store.dispute(task.id)
        const disputed = yield* runAt(registration, T0 + HOUR)
        assert.deepStrictEqual(alertsOf(disputed), [`alert Task #${task.id} due in 2 h`, `Dispute opened on task #${task.id}`])
        assert.strictEqual((yield* runAt(registration, T0 + HOUR + 60_000)).outcome, "quiet")
      }).pipe(Effect.provide(actionLayer(home, gateway, runtime)))
    }))
})
