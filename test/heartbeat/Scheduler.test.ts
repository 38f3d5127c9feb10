import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import { notify, quiet } from "../../src/services/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { registration, schedulerLayer, type SentLog, tempHome } from "./SchedulerHarness.js"

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

/** An action that records the slot and the instant each run started. */
const recorder = () => {
  const runs: Array<{ readonly slot: number; readonly startedAt: number }> = []
  const action = {
    description: "records its runs",
    execute: (ctx: { readonly scheduledAt: number }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        runs.push({ slot: ctx.scheduledAt, startedAt: now })
        return quiet()
      })
  }
  return { runs, action }
}

/** Runs `body` with a started scheduler over a temp home, the TestClock set to `start`. */
const withScheduler = <A, E>(
  start: number,
  body: (scheduler: Scheduler["Type"], log: SentLog) => Effect.Effect<A, E, StateStore>,
  wakeIntervalMs = 1_000,
  clock?: Clock.Clock
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(start)
    const home = yield* tempHome
    const log: SentLog = new GatewayTest()
    return yield* Effect.gen(function*() {
      return yield* body(yield* Scheduler, log)
    }).pipe(Effect.provide(schedulerLayer(home, log, wakeIntervalMs, clock)))
  })

describe("Scheduler", () => {
  it.scoped("dispatches cron, 6-field and interval schedules at their exact instants", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const fiveMinutes = recorder()
        const tenSeconds = recorder()
        const interval = recorder()
        yield* scheduler.schedule(registration("five", "*/5 * * * *", fiveMinutes.action))
        yield* scheduler.schedule(registration("ten", "*/10 * * * * *", tenSeconds.action))
        yield* scheduler.schedule(registration("every", "@every 90s", interval.action))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.minutes(11))
        assert.deepStrictEqual(fiveMinutes.runs.map((r) => iso(r.slot)), [
          "2026-03-01T00:00:00.000Z",
          "2026-03-01T00:05:00.000Z",
          "2026-03-01T00:10:00.000Z"
        ])
        assert.strictEqual(tenSeconds.runs.length, 11 * 6 + 1)
        assert.deepStrictEqual(interval.runs.map((r) => iso(r.slot)).slice(0, 3), [
          "2026-03-01T00:00:00.000Z",
          "2026-03-01T00:01:30.000Z",
          "2026-03-01T00:03:00.000Z"
        ])
        for (const run of [...fiveMinutes.runs, ...tenSeconds.runs, ...interval.runs]) {
          assert.strictEqual(run.startedAt, run.slot, "each run starts at its slot")
        }
      })
    ))

  for (const [zone, springDay, fallDay] of [
    ["America/New_York", "2026-03-08", "2026-11-01"],
    ["Europe/Berlin", "2026-03-29", "2026-10-25"]
  ] as const) {
    it.scoped(`${zone}: a daily slot fires once on DST days, a slot in the gap fires once after it`, () =>
      Effect.gen(function*() {
        for (const [day, expression] of [[springDay, "30 2 * * *"], [fallDay, "30 1 * * *"], [fallDay, "30 2 * * *"]] as const) {
          const daily = recorder()
          const start = at(`${day}T00:00:00.000Z`) - 2 * 86_400_000
          yield* withScheduler(start, (scheduler) =>
            Effect.gen(function*() {
              yield* scheduler.schedule(registration("daily", expression, daily.action, { timezone: zone }))
              yield* scheduler.start
              yield* TestClock.adjust(Duration.days(4))
            }), 3_600_000)
          const localDays = daily.runs.map((run) =>
            new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(run.slot)
          )
          assert.isAtLeast(daily.runs.length, 3, `${expression} on ${day}: ${daily.runs.map((r) => iso(r.slot))}`)
          assert.strictEqual(new Set(localDays).size, daily.runs.length, "at most one run per local day")
          assert.strictEqual(localDays.filter((d) => d === day).length, 1, "the DST day has its run, once")
          const onDay = daily.runs.find((_, i) => localDays[i] === day)!
          const hourMinute = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(onDay.slot)
          if (day === springDay) assert.strictEqual(hourMinute, "03:00", "02:30 does not exist: the slot fires once, at the end of the gap")
          else assert.strictEqual(hourMinute, expression.startsWith("30 1") ? "01:30" : "02:30")
        }
      }))
  }

  it.scoped("an hourly schedule keeps running through the repeated hour when clocks fall back", () =>
    withScheduler(at("2026-11-01T03:30:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const hourly = recorder()
        yield* scheduler.schedule(registration("hourly", "0 * * * *", hourly.action, { timezone: "America/New_York" }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.hours(5))
        assert.deepStrictEqual(hourly.runs.map((r) => iso(r.slot)), [
          "2026-11-01T04:00:00.000Z",
          "2026-11-01T05:00:00.000Z",
          "2026-11-01T06:00:00.000Z",
          "2026-11-01T07:00:00.000Z",
          "2026-11-01T08:00:00.000Z"
        ])
      }), 600_000))

  it.scoped("monthly and yearly schedules fire across gaps longer than 24.8 days, with every sleep bounded", () =>
    Effect.gen(function*() {
      const sleeps: Array<number> = []
      const clock = yield* Effect.clock
      const recordingClock: Clock.Clock = Object.assign(Object.create(clock) as Clock.Clock, {
        sleep: (duration: Duration.Duration) => {
          sleeps.push(Duration.toMillis(duration))
          return clock.sleep(duration)
        }
      })
      const monthly = recorder()
      const yearly = recorder()
      yield* withScheduler(at("2026-01-15T00:00:00.000Z"), (scheduler) =>
        Effect.gen(function*() {
          yield* scheduler.schedule(registration("monthly", "@monthly", monthly.action))
          yield* scheduler.schedule(registration("yearly", "0 12 1 7 *", yearly.action))
          yield* scheduler.start
          yield* TestClock.adjust(Duration.days(800))
        }), 86_400_000, recordingClock)
      assert.deepStrictEqual(monthly.runs.slice(0, 3).map((r) => iso(r.slot)), [
        "2026-02-01T00:00:00.000Z",
        "2026-03-01T00:00:00.000Z",
        "2026-04-01T00:00:00.000Z"
      ])
      assert.strictEqual(monthly.runs.length, 26)
      assert.deepStrictEqual(yearly.runs.map((r) => iso(r.slot)), ["2026-07-01T12:00:00.000Z", "2027-07-01T12:00:00.000Z"])
      assert.isTrue(sleeps.length > 0)
      assert.isTrue(Math.max(...sleeps) <= 86_400_000, "no sleep is longer than the wake interval")
    }))

  it.scoped("quiet heartbeat: nothing is sent unless shouldNotify with a message", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler, log) =>
      Effect.gen(function*() {
        const store = yield* StateStore
        yield* scheduler.schedule(registration("silent", "* * * * *", { description: "", execute: () => Effect.succeed(quiet()) }))
        yield* scheduler.schedule(registration("empty", "* * * * *", { description: "", execute: () => Effect.succeed({ shouldNotify: true, message: "  " }) }))
        yield* scheduler.schedule(registration("loud", "* * * * *", {
          description: "",
          execute: () => Effect.succeed(notify("3 new tasks", { count: 3 }))
        }, { channels: ["slack"] }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.seconds(30))
        assert.strictEqual(log.sent.length, 1)
        const [sent] = log.sent
        assert.deepStrictEqual(sent!.message, {
          id: "loud@2026-03-01T00:00:00.000Z",
          action: "loud",
          message: "3 new tasks",
          metadata: { count: 3 },
          scheduledAt: at("2026-03-01T00:00:00.000Z"),
          startedAt: at("2026-03-01T00:00:00.000Z")
        })
        assert.deepStrictEqual(sent!.channels, ["slack"])
        const outcomes = Object.fromEntries((yield* store.runs()).map((run) => [run.action, run.outcome]))
        assert.deepStrictEqual(outcomes, { silent: "quiet", empty: "quiet", loud: "notified" })
      })
    ))

  it.scoped("a failure, a defect or a timeout is recorded and stops nothing", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const store = yield* StateStore
        const healthy = recorder()
        yield* scheduler.schedule(registration("fails", "* * * * *", { description: "", execute: () => Effect.fail(new Error("rpc down")) }))
        yield* scheduler.schedule(registration("dies", "* * * * *", { description: "", execute: () => Effect.die(new TypeError("bug")) }))
        yield* scheduler.schedule(registration("hangs", "* * * * *", { description: "", execute: () => Effect.never }, { timeoutMs: 10_000, overlap: "allow" }))
        yield* scheduler.schedule(registration("healthy", "* * * * *", healthy.action))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.seconds(150))
        const runs = yield* store.runs({ limit: 100 })
        const byAction = (name: string) => runs.filter((run) => run.action === name)
        assert.deepStrictEqual(byAction("fails").map((r) => [r.outcome, r.error]), Array(3).fill(["failed", "rpc down"]))
        assert.deepStrictEqual(byAction("dies").map((r) => [r.outcome, r.error]), Array(3).fill(["failed", "bug"]))
        assert.deepStrictEqual(byAction("hangs").map((r) => [r.outcome, r.endedAt - r.startedAt]), Array(3).fill(["timed-out", 10_000]))
        assert.strictEqual(healthy.runs.length, 3)
        assert.strictEqual(yield* scheduler.inFlight, 0)
      })
    ))

  it.scoped("overlap: a slot that comes while the previous run is going is skipped and recorded", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const store = yield* StateStore
        const slow = recorder()
        yield* scheduler.schedule(registration("slow", "* * * * *", {
          description: "",
          execute: (ctx) => Effect.zipRight(Effect.sleep(Duration.seconds(90)), slow.action.execute(ctx))
        }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.seconds(240))
        assert.deepStrictEqual(slow.runs.map((r) => iso(r.slot)), ["2026-03-01T00:00:00.000Z", "2026-03-01T00:02:00.000Z"])
        const skipped = (yield* store.runs()).filter((run) => run.outcome === "skipped")
        assert.deepStrictEqual(skipped.map((r) => [iso(r.scheduledAt), r.reason]), [
          ["2026-03-01T00:03:00.000Z", "overlap"],
          ["2026-03-01T00:01:00.000Z", "overlap"]
        ])
      })
    ))

  it.scoped("catch-up latest runs the most recent missed slot once on start, within the window only", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const log: SentLog = new GatewayTest()
      const layer = schedulerLayer(home, log, 60_000)
      const hourly = recorder()
      const never = recorder()
      const stale = recorder()
      const start = at("2026-03-01T10:20:00.000Z")
      yield* TestClock.setTime(start)
      yield* Effect.gen(function*() {
        const store = yield* StateStore
        for (const name of ["hourly", "never", "stale"]) {
          yield* store.recordRun({ action: name, scheduledAt: at("2026-03-01T07:00:00.000Z"), startedAt: 0, endedAt: 0, outcome: "quiet" })
        }
        const scheduler = yield* Scheduler
        yield* scheduler.schedule(registration("hourly", "0 * * * *", hourly.action, { catchUp: "latest", catchUpWindowMs: 3_600_000 }))
        yield* scheduler.schedule(registration("never", "0 * * * *", never.action))
        yield* scheduler.schedule(registration("stale", "0 9 * * *", stale.action, { catchUp: "latest", catchUpWindowMs: 3_600_000 }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.minutes(1))
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(hourly.runs.map((r) => [iso(r.slot), iso(r.startedAt)]), [["2026-03-01T10:00:00.000Z", iso(start)]])
      assert.strictEqual(never.runs.length, 0, "catch-up is off by default")
      assert.strictEqual(stale.runs.length, 0, "the missed 09:00 slot is older than the window")
    }))

  it.scoped("unschedule and reschedule at runtime leave the other actions alone", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const a = recorder()
        const b = recorder()
        yield* scheduler.schedule(registration("a", "* * * * *", a.action))
        yield* scheduler.schedule(registration("b", "* * * * *", b.action))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.seconds(150))
        assert.isTrue(yield* scheduler.unschedule("a"))
        yield* scheduler.schedule(registration("b", "*/10 * * * *", b.action))
        yield* TestClock.adjust(Duration.minutes(30))
        assert.strictEqual(a.runs.length, 3)
        assert.deepStrictEqual(b.runs.map((r) => iso(r.slot)).slice(3), [
          "2026-03-01T00:10:00.000Z",
          "2026-03-01T00:20:00.000Z",
          "2026-03-01T00:30:00.000Z"
        ])
        assert.isFalse(yield* scheduler.unschedule("a"))
        const listed = yield* scheduler.list
        assert.deepStrictEqual(listed.map((l) => [l.name, l.schedule, l.nextRunAt && iso(l.nextRunAt)]), [
          ["b", "*/10 * * * *", "2026-03-01T00:40:00.000Z"]
        ])
      })
    ))

  it.scoped("reconcile touches only what changed", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const noop = { description: "", execute: () => Effect.succeed(quiet()) }
        yield* scheduler.reconcile([registration("a", "* * * * *", noop), registration("b", "@hourly", noop)])
        const result = yield* scheduler.reconcile([
          registration("a", "* * * * *", noop),
          registration("b", "@daily", noop),
          registration("c", "@daily", noop)
        ])
        assert.deepStrictEqual(result, { added: ["c"], changed: ["b"], removed: [] })
        assert.deepStrictEqual(yield* scheduler.reconcile([registration("c", "@daily", noop)]), { added: [], changed: [], removed: ["a", "b"] })
      })
    ))

  it.scoped("stop interrupts in-flight runs, records them, and leaves no fiber behind", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const store = yield* StateStore
        let interrupted = 0
        yield* scheduler.schedule(registration("long", "* * * * *", {
          description: "",
          execute: () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++)))
        }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.seconds(1))
        assert.strictEqual(yield* scheduler.inFlight, 1)
        yield* scheduler.stop
        assert.strictEqual(interrupted, 1)
        assert.strictEqual(yield* scheduler.inFlight, 0)
        yield* TestClock.adjust(Duration.minutes(5))
        const runs = yield* store.runs()
        assert.deepStrictEqual(runs.map((r) => [r.outcome, r.error]), [["failed", "interrupted"]])
        assert.strictEqual(yield* scheduler.inFlight, 0, "nothing was dispatched after stop")
      })
    ))

  it.scoped("drain lets a run finish within the grace period", () =>
    withScheduler(at("2026-03-01T00:00:00.000Z"), (scheduler) =>
      Effect.gen(function*() {
        const done = recorder()
        yield* scheduler.schedule(registration("short", "* * * * *", {
          description: "",
          execute: (ctx) => Effect.zipRight(Effect.sleep(Duration.seconds(2)), done.action.execute(ctx))
        }))
        yield* scheduler.start
        yield* TestClock.adjust(Duration.millis(10))
        const draining = yield* Effect.fork(scheduler.drain(3_000))
        yield* TestClock.adjust(Duration.seconds(3))
        yield* Fiber.join(draining)
        assert.strictEqual(done.runs.length, 1)
        assert.strictEqual(yield* scheduler.inFlight, 0)
      })
    ))

  it.scoped("a wall-clock step forward runs the latest passed slot once; a step back fires nothing twice", () =>
    Effect.gen(function*() {
      // The wall clock moves by `offset` while timers keep running on the (test) monotonic clock,
      // as when NTP steps the clock or the machine wakes from suspend.
      let offset = 0
      const clock = yield* Effect.clock
      const steppedClock: Clock.Clock = Object.assign(Object.create(clock) as Clock.Clock, {
        unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis() + offset,
        currentTimeMillis: Effect.map(clock.currentTimeMillis, (ms) => ms + offset)
      })
      const every5 = recorder()
      yield* withScheduler(at("2026-03-01T00:00:30.000Z"), (scheduler) =>
        Effect.gen(function*() {
          yield* scheduler.schedule(registration("every5", "*/5 * * * *", every5.action))
          yield* scheduler.start
          yield* TestClock.adjust(Duration.minutes(5))
          assert.deepStrictEqual(every5.runs.map((r) => iso(r.slot)), ["2026-03-01T00:05:00.000Z"])
          offset = 62 * 60_000 // now 01:07:30
          yield* TestClock.adjust(Duration.seconds(2))
          assert.deepStrictEqual(every5.runs.map((r) => iso(r.slot)).slice(1), ["2026-03-01T01:05:00.000Z"], "one run for all the passed slots")
          offset -= 20 * 60_000 // back to 00:47:32
          yield* TestClock.adjust(Duration.minutes(25))
          assert.deepStrictEqual(every5.runs.map((r) => iso(r.slot)).slice(1), ["2026-03-01T01:05:00.000Z", "2026-03-01T01:10:00.000Z"])
        }), 1_000, steppedClock)
    }))
})

describe("Scheduler on the real clock", () => {
  it.live("a 6-field every-second schedule fires within 100 ms of each slot for 5 slots", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const log: SentLog = new GatewayTest()
      const seconds = recorder()
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.schedule(registration("tick", "* * * * * *", seconds.action))
        yield* scheduler.start
        yield* Effect.sleep(Duration.millis(5_600))
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, log, 1_000)))
      assert.isAtLeast(seconds.runs.length, 5)
      for (const run of seconds.runs) {
        assert.strictEqual(run.slot % 1_000, 0, "slots are whole seconds")
        const lateness = run.startedAt - run.slot
        assert.isTrue(lateness >= 0 && lateness < 100, `run for ${iso(run.slot)} started ${lateness} ms after its slot`)
      }
      const slots = seconds.runs.map((r) => r.slot)
      assert.deepStrictEqual(slots, [...new Set(slots)], "no slot fired twice")
      for (let i = 1; i < slots.length; i++) assert.strictEqual(slots[i]! - slots[i - 1]!, 1_000, "no slot was lost")
    }).pipe(Effect.scoped), 20_000)
})

