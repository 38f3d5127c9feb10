import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { prometheusText } from "../../src/layers/PrometheusText.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { registration, schedulerLayer, tempHome } from "../heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { series } from "./RunHarness.js"

const at = (iso: string) => Date.parse(iso)

describe("metrics of the scheduler's slots", () => {
  it.scoped("skipped (overlap) and missed (daemon down) slots count as the ledger records them", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* TestClock.setTime(at("2026-03-01T10:20:00.000Z"))
      yield* Effect.gen(function*() {
        const store = yield* StateStore
        const scheduler = yield* Scheduler
        // The daemon was down since the 07:00 slot: 08:00, 09:00 and 10:00 were missed.
        yield* store.recordRun({ action: "sm-hourly", scheduledAt: at("2026-03-01T07:00:00.000Z"), startedAt: 0, endedAt: 0, outcome: "quiet" })
        yield* scheduler.schedule(registration("sm-hourly", "0 * * * *", { description: "", execute: () => Effect.succeed(quiet()) }))
        yield* scheduler.schedule(registration("sm-slow", "* * * * *", {
          description: "",
          execute: () => Effect.as(Effect.sleep(Duration.seconds(90)), quiet())
        }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.minutes(4))
        const records = yield* store.runs()
        const ledger = (action: string, outcome: string) => records.filter((r) => r.action === action && r.outcome === outcome).length
        const text = yield* prometheusText
        const metric = (action: string, outcome: string) => series(text, `agenc_runs_total{action="${action}",outcome="${outcome}"}`)

        assert.strictEqual(ledger("sm-hourly", "missed"), 3)
        assert.strictEqual(metric("sm-hourly", "missed"), 3)
        assert.isUndefined(series(text, `agenc_run_lateness_seconds_count{action="sm-hourly"}`))
        assert.isAtLeast(ledger("sm-slow", "skipped"), 1)
        assert.strictEqual(metric("sm-slow", "skipped"), ledger("sm-slow", "skipped"))
        assert.strictEqual(metric("sm-slow", "quiet"), ledger("sm-slow", "quiet"))
        // Runs the scheduler started on time under the TestClock: no lateness.
        assert.strictEqual(series(text, `agenc_run_lateness_seconds_bucket{action="sm-slow",le="0.005"}`), ledger("sm-slow", "quiet"))
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
    }))
})
