import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { registration, schedulerLayer, tempHome } from "./SchedulerHarness.js"

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()
const hm = (ms: number) => iso(ms).slice(11, 16)

/** A custom action that fails while `failing` is set. */
const flaky = () => {
  const state = { failing: true, runs: [] as Array<number> }
  return {
    state,
    action: {
      description: "fails on demand",
      execute: (ctx: { readonly scheduledAt: number }) =>
        Effect.suspend(() => {
          state.runs.push(ctx.scheduledAt)
          return state.failing ? Effect.fail(new Error("connect ECONNREFUSED 127.0.0.1:9")) : Effect.succeed(quiet())
        })
    }
  }
}

describe("failure policy", () => {
  it.scoped("alerts after alertAfter, then not again within cooldown; a success after an alert sends one recovered message", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const log = new GatewayTest()
      const failing = flaky()
      yield* TestClock.setTime(at("2026-03-01T00:00:00.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile([registration("flaky", "* * * * *", failing.action, {
          channels: ["main"],
          onFailure: { alertAfter: 2, alertChannels: ["ops"], cooldownMs: 3 * 60_000, backoff: false }
        })])
        yield* scheduler.start
        yield* TestClock.adjust(Duration.seconds(7 * 60 + 30)) // 00:00 .. 00:07 fail
        failing.state.failing = false
        yield* TestClock.adjust(Duration.minutes(2)) // 00:08, 00:09 succeed
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, log)))
      assert.deepStrictEqual(log.sent.map((sent) => [sent.message.id, sent.channels]), [
        ["flaky@2026-03-01T00:01:00.000Z#alert", ["ops"]],
        ["flaky@2026-03-01T00:04:00.000Z#alert", ["ops"]],
        ["flaky@2026-03-01T00:07:00.000Z#alert", ["ops"]],
        ["flaky@2026-03-01T00:08:00.000Z#recovered", ["ops"]]
      ])
      assert.strictEqual(
        log.sent[0]!.message.message,
        "flaky failed 2 times in a row (since 2026-03-01T00:00:00.000Z); last error: connect ECONNREFUSED 127.0.0.1:9; next slot 2026-03-01T00:02:00.000Z"
      )
      assert.strictEqual(log.sent[3]!.message.message, "flaky recovered: quiet at 2026-03-01T00:08:00.000Z after 8 failed runs")
    }))

  it.scoped("backoff skips 1, 2, 4, ... slots; pauseAfter pauses the action (by failure-policy) and says how to resume", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const log = new GatewayTest()
      const failing = flaky()
      yield* TestClock.setTime(at("2026-03-01T00:00:00.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        const store = yield* StateStore
        yield* scheduler.reconcile([registration("flaky", "* * * * *", failing.action, {
          onFailure: { alertAfter: 2, cooldownMs: 3_600_000, pauseAfter: 5, backoff: true }
        })])
        yield* scheduler.start
        yield* TestClock.adjust(Duration.minutes(25))
        const [pause] = yield* store.pauses(at("2026-03-01T00:25:00.000Z"))
        assert.strictEqual(pause!.by, "failure-policy")
        assert.strictEqual(pause!.reason, "5 consecutive failures; last: connect ECONNREFUSED 127.0.0.1:9")
        // The operator resumes; the action works again: it runs at the next slot and says it recovered.
        failing.state.failing = false
        yield* store.resume("flaky")
        yield* TestClock.adjust(Duration.minutes(1))
        const runs = (yield* store.runs({ action: "flaky", limit: 100 })).slice().reverse()
        const outcomes = runs.map((run) => `${hm(run.scheduledAt)} ${run.outcome}${run.reason === undefined ? "" : ` ${run.reason}`}`)
        assert.deepStrictEqual(outcomes.slice(0, 20), [
          "00:00 failed", "00:01 skipped backoff",
          "00:02 failed", "00:03 skipped backoff", "00:04 skipped backoff",
          "00:05 failed", "00:06 skipped backoff", "00:07 skipped backoff", "00:08 skipped backoff", "00:09 skipped backoff",
          "00:10 failed", ...["11", "12", "13", "14", "15", "16", "17", "18"].map((m) => `00:${m} skipped backoff`),
          "00:19 failed"
        ])
        assert.deepStrictEqual(outcomes.slice(20, 25), ["00:20 skipped paused", "00:21 skipped paused", "00:22 skipped paused", "00:23 skipped paused", "00:24 skipped paused"])
        assert.strictEqual(outcomes.at(-1), "00:26 quiet")
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, log)))
      assert.deepStrictEqual(log.sent.map((sent) => sent.message.id), [
        "flaky@2026-03-01T00:02:00.000Z#alert",
        "flaky@2026-03-01T00:19:00.000Z#alert",
        "flaky@2026-03-01T00:26:00.000Z#recovered"
      ])
      assert.strictEqual(
        log.sent[1]!.message.message,
        "flaky paused after 5 consecutive failures (since 2026-03-01T00:00:00.000Z); last error: connect ECONNREFUSED 127.0.0.1:9. Resume with: agenc heartbeat resume flaky"
      )
      assert.strictEqual(failing.state.runs.length, 6)
    }))

  it.scoped("backoff is capped at one hour's worth of slots", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const failing = flaky()
      yield* TestClock.setTime(at("2026-03-01T00:00:00.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile([registration("flaky", "*/10 * * * *", failing.action, { onFailure: { alertAfter: 100, cooldownMs: 0, backoff: true } })])
        yield* scheduler.start
        yield* TestClock.adjust(Duration.hours(6))
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 60_000)))
      // Gaps between runs: 1, 2, 4 slots skipped, then never more than the 6 slots of an hour.
      const gaps = failing.state.runs.slice(1).map((run, i) => (run - failing.state.runs[i]!) / 600_000 - 1)
      assert.deepStrictEqual(gaps.slice(0, 5), [1, 2, 4, 6, 6])
    }))
})
