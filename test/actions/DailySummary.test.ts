import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import type { HeartbeatResult } from "../../src/services/HeartbeatAction.js"
import { Effect, Either } from "effect"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import { dailySummary } from "../../src/heartbeat/actions/DailySummary.js"
import { LocalRuntimeConfig } from "../../src/domain/RuntimeConfig.js"
import { AgentRuntimeLocal } from "../../src/layers/AgentRuntimeLocal.js"
import { makeLedgerStore } from "../../src/runtime/LedgerStore.js"
import { DecodeError } from "../../src/services/AgentRuntime.js"
import { StateStore } from "../../src/services/StateStore.js"
import { makeDispute, makeTask, TestMarketplace } from "../layers/AgentRuntimeTest.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { actionLayer, HOUR, ledger, registrationOf, runAt, tempHome, utc } from "./ActionHarness.js"

const NINE = utc("2025-06-02T09:00:00")
const registration = registrationOf(dailySummary)

/** A summary's title with its note, as one line. */
const headline = (report: { readonly result?: HeartbeatResult | undefined }): string => {
  const content = report.result!.content!
  return content.note === undefined ? content.title : `${content.title} (${content.note})`
}

describe("daily-summary", () => {
  it.scoped("notifies every run: no history, then short history, then the full 24 h delta", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.complete(7n, 3_000_000_000n)
      yield* Effect.gen(function*() {
        const first = yield* runAt(registration, NINE - 24 * HOUR)
        assert.strictEqual(first.outcome, "notified")
        assert.strictEqual(headline(first), "Daily summary: 0 tasks completed, 0 SOL earned (no history yet: counting starts now)")

        market.complete(1n, 1n)
        const manual = yield* runAt(registration, NINE - 21 * HOUR)
        assert.strictEqual(headline(manual), "Daily summary: 1 task completed, 0.000000001 SOL earned (history covers only 3 h)")

        market.complete(2n, 1_499_999_999n)
        const daily = yield* runAt(registration, NINE + 40)
        // The snapshot nearest 24 h ago is the first one, not the manual run's.
        assert.strictEqual(headline(daily), "Daily summary: 3 tasks completed, 1.5 SOL earned")
        assert.deepStrictEqual(daily.result?.metadata?.completions, "3")
        assert.deepStrictEqual(gateway.messages, [first.result!.message!, manual.result!.message!, daily.result!.message!])
        assert.deepStrictEqual((yield* ledger("daily-summary")).map((run) => run.outcome), ["notified", "notified", "notified"])
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("a quiet day is still reported, and a longer gap says what it covers", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      yield* Effect.gen(function*() {
        yield* runAt(registration, NINE)
        const quietDay = yield* runAt(registration, NINE + 24 * HOUR)
        assert.strictEqual(headline(quietDay), "Daily summary: 0 tasks completed, 0 SOL earned")
        market.complete(4n, 2_000_000_001n)
        // The daemon was down for a day: the nearest snapshot is 48 h old.
        const late = yield* runAt(registration, NINE + 72 * HOUR)
        assert.strictEqual(headline(late), "Daily summary: 4 tasks completed, 2.000000001 SOL earned (over the last 2 d: no snapshot nearer to 24 h ago)")
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("keeps a bounded history however often it runs", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      yield* Effect.gen(function*() {
        // Every 30 minutes for three days, one completion before each run ...
        for (let k = 0; k <= 144; k++) {
          if (k > 0) market.complete(1n, 1_000_000n)
          yield* runAt(registration, NINE + k * 30 * 60_000)
        }
        // ... then every minute for an hour.
        for (let minute = 1; minute <= 60; minute++) yield* runAt(registration, NINE + 72 * HOUR + minute * 60_000)
        const stored = yield* (yield* StateStore).sessionGet("daily-summary", "snapshots")
        const snapshots = (stored as any).value as Array<{ at: number }>
        // 48 h at 30 min, plus the last hour at one per 5 minutes; nothing older than 48 h.
        assert.isAtMost(snapshots.length, 96 + 13)
        assert.isAtLeast(snapshots[0]!.at, NINE + 73 * HOUR - 48 * HOUR)
        // The baseline is the 49 h snapshot: completions of runs 99..144.
        const [last] = yield* ledger("daily-summary")
        assert.strictEqual(last?.message?.split("\n")[0], "Daily summary: 46 tasks completed, 0.046 SOL earned")
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))

  it.scoped("a runtime failure is a failed run", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      market.failure = new DecodeError({ account: "AgentRegistration", message: "account is 12 bytes, expected 413" })
      const report = yield* runAt(registration, NINE).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
      assert.strictEqual(report.outcome, "failed")
      assert.strictEqual(report.error, "DecodeError: account is 12 bytes, expected 413")
      assert.deepStrictEqual(gateway.sent, [])
    }))

  it.scoped("over the local ledger: counts completions and earnings of the day", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const gateway = new GatewayTest()
      const runtime = AgentRuntimeLocal(LocalRuntimeConfig.make({ source: "local", agent: "me", capabilities: 3n }))
      yield* Effect.gen(function*() {
        const store = makeLedgerStore(yield* SqlClient.SqlClient, { name: "me", capabilities: 3n })
        yield* runAt(registration, NINE)
        for (const reward of [1_000_000_000n, 500_000_000n]) {
          const task = yield* store.addTask({ rewardAmount: reward, requiredCapabilities: 1n, deadline: 0, maxWorkers: 1, description: "work" })
          yield* store.claim(task.id)
          yield* store.complete(task.id)
        }
        const report = yield* runAt(registration, NINE + 24 * HOUR)
        assert.strictEqual(headline(report), "Daily summary: 2 tasks completed, 1.5 SOL earned")
      }).pipe(Effect.provide(actionLayer(home, gateway, runtime)))
    }))
  it.scoped("fields: completions, earnings, reputation change, active tasks, open disputes, since when, in the action's zone", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const market = new TestMarketplace()
      const gateway = new GatewayTest()
      const berlin = { ...registration, schedule: Either.getOrThrow(CronSchedule.parse("0 9 * * *", "Europe/Berlin")) }
      yield* Effect.gen(function*() {
        yield* runAt(berlin, NINE - 24 * HOUR)
        market.complete(2n, 1_500_000_000n)
        market.agent = { ...market.agent, reputation: 5_120 }
        market.counters = { ...market.counters, activeTasks: 2 }
        market.portfolio = [
          { task: makeTask("A1"), claimedAt: 0, expiresAt: 0 },
          { task: makeTask("B2"), claimedAt: 0, expiresAt: 0 }
        ]
        market.disputes = [makeDispute("d1", "A1"), makeDispute("d2", "B2", { status: "Resolved" })]
        const report = yield* runAt(berlin, NINE)
        assert.deepStrictEqual(report.result!.content!.fields, [
          { label: "Completed", value: "2 tasks" },
          { label: "Earned", value: "1.5 SOL" },
          { label: "Reputation", value: "5120 (+120)" },
          { label: "Active tasks", value: "2" },
          { label: "Open disputes", value: "1" },
          // 09:00 UTC on 1 June is 11:00 in Berlin, summer time.
          { label: "Since", value: "2025-06-01 11:00 CEST" }
        ])
        assert.strictEqual(report.result!.metadata!.reputationChange, 120)
      }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
    }))
})
