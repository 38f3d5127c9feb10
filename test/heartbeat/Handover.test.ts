import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import * as Handover from "../../src/heartbeat/Handover.js"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { registration, schedulerLayer, tempHome } from "./SchedulerHarness.js"

const at = (iso: string) => Date.parse(iso)

/** An action that records when (by the Clock) each run started; each run then lasts `runMs`. */
const timed = (runMs = 0) => {
  const starts: Array<{ readonly slot: number; readonly startedAt: number }> = []
  const action = {
    description: "records its starts",
    execute: (ctx: { readonly scheduledAt: number }) =>
      Clock.currentTimeMillis.pipe(
        Effect.tap((now) => Effect.sync(() => starts.push({ slot: ctx.scheduledAt, startedAt: now }))),
        Effect.zipRight(runMs > 0 ? Effect.sleep(Duration.millis(runMs)) : Effect.void),
        Effect.as(quiet())
      )
  }
  return { starts, action }
}

/**
 * From `startIso` on the TestClock, a started scheduler (20 ms early wake) with one action `name` on `cron`;
 * `body` then drives the clock and reads the ledger.
 */
const withScheduled = <E>(
  startIso: string,
  name: string,
  cron: string,
  action: ReturnType<typeof timed>["action"],
  body: (scheduler: Scheduler["Type"], store: StateStore["Type"]) => Effect.Effect<void, E>
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(at(startIso))
    const home = yield* tempHome
    yield* Effect.gen(function*() {
      const scheduler = yield* Scheduler
      const store = yield* StateStore
      yield* scheduler.schedule(registration(name, cron, action))
      yield* scheduler.start
      yield* body(scheduler, store)
    }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 1_000, undefined, 10_000, 20)))
  })

describe("Handover", () => {
  it("knows effect's live clock from others", () => {
    assert.isTrue(Handover.sleepsOnRealTimers(Clock.make()))
  })

  it.effect("on the TestClock, waits exactly until the instant", () =>
    Effect.gen(function*() {
      assert.isFalse(Handover.sleepsOnRealTimers(yield* Effect.clock))
      yield* TestClock.setTime(10_000)
      const fiber = yield* Effect.fork(Effect.zipRight(Handover.until(10_250), Clock.currentTimeMillis))
      yield* TestClock.adjust(Duration.millis(249))
      assert.isTrue(fiber.unsafePoll() === null, "still waiting 1 ms before")
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Fiber.join(fiber), 10_250)
    }))

  it.live("on the real clock, never returns before the instant, whatever its distance", () =>
    Effect.gen(function*() {
      for (const distance of [0, 1, 2, 3, 4, 5, 7, 20, 60, -5]) {
        const target = Date.now() + distance
        yield* Handover.until(target)
        const now = Date.now()
        assert.isAtLeast(now, target, `returned before ${distance} ms had passed`)
        // Generous: this is about correctness (no lost wake-up), not speed.
        assert.isBelow(now - target, 2_000)
      }
    }))
})

describe("Scheduler: early claim, on-time start", () => {
  it.scoped("the slot is claimed lead ms before it and the action starts at the slot, never before", () =>
    Effect.suspend(() => {
      const tick = timed()
      return withScheduled("2026-03-01T00:00:00.500Z", "tick", "* * * * * *", tick.action, (_scheduler, store) =>
        Effect.gen(function*() {
          yield* TestClock.adjust(Duration.millis(490)) // 00:00:00.990, within the 20 ms lead of 00:00:01
          const claimed = yield* store.runs({ action: "tick" })
          assert.deepStrictEqual(claimed.map((run) => [run.scheduledAt, run.outcome]), [[at("2026-03-01T00:00:01.000Z"), "running"]])
          assert.strictEqual(tick.starts.length, 0, "claimed, not started")
          yield* TestClock.adjust(Duration.millis(10))
          assert.strictEqual(tick.starts.length, 1)
          yield* TestClock.adjust(Duration.seconds(3))
          for (const start of tick.starts) assert.strictEqual(start.startedAt, start.slot, "started at its slot")
          assert.strictEqual(tick.starts.length, 4)
          const rows = yield* store.runs({ action: "tick" })
          assert.isTrue(rows.every((run) => run.outcome === "quiet" && run.startedAt === run.scheduledAt))
        }))
    }))

  it.scoped("a previous run still going when the next slot is claimed early, but done by the slot, does not skip it", () =>
    Effect.suspend(() => {
      // Each run lasts 9.99 s of a 10 s period: it is busy at the early wake, free at the slot.
      const slow = timed(9_990)
      return withScheduled("2026-03-01T00:00:00.000Z", "slow", "*/10 * * * * *", slow.action, (_scheduler, store) =>
        Effect.gen(function*() {
          yield* TestClock.adjust(Duration.seconds(35))
          assert.deepStrictEqual(slow.starts.map((start) => start.slot - at("2026-03-01T00:00:00.000Z")), [0, 10_000, 20_000, 30_000])
          const rows = yield* store.runs({ action: "slow" })
          assert.isFalse(rows.some((run) => run.outcome === "skipped"), "nothing skipped")
        }))
    }))

  it.scoped("a run still going at the slot itself is skipped (overlap), as before", () =>
    Effect.suspend(() => {
      const slower = timed(10_005)
      return withScheduled("2026-03-01T00:00:00.000Z", "slower", "*/10 * * * * *", slower.action, (_scheduler, store) =>
        Effect.gen(function*() {
          yield* TestClock.adjust(Duration.seconds(15))
          const rows = yield* store.runs({ action: "slower" })
          assert.deepStrictEqual(rows.map((run) => [run.scheduledAt - at("2026-03-01T00:00:00.000Z"), run.outcome, run.reason]).reverse(), [
            [0, "quiet", undefined],
            [10_000, "skipped", "overlap"]
          ])
        }))
    }))

  it.scoped("a stop between the early claim and the slot records the claimed slot as interrupted", () =>
    Effect.suspend(() => {
      const tick = timed()
      return withScheduled("2026-03-01T00:00:00.500Z", "tick", "* * * * * *", tick.action, (scheduler, store) =>
        Effect.gen(function*() {
          yield* TestClock.adjust(Duration.millis(495))
          yield* scheduler.stop
          yield* TestClock.adjust(Duration.seconds(2))
          const rows = yield* store.runs({ action: "tick" })
          assert.deepStrictEqual(rows.map((run) => [run.outcome, run.error]), [["failed", "interrupted"]])
          assert.strictEqual(tick.starts.length, 0, "never started")
        }))
    }))
})
