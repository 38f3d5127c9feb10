import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Layer, Option, TestClock } from "effect"
import { notify, quiet } from "../../src/services/HeartbeatAction.js"
import { jitterOffset, plannedStart } from "../../src/heartbeat/Jitter.js"
import { nextSlots } from "../../src/heartbeat/NextSlots.js"
import { slotJson } from "../../src/cli/HeartbeatRuns.js"
import { Database } from "../../src/layers/Database.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import { type Registration, Scheduler } from "../../src/services/Scheduler.js"
import { type RunRecord, StateStore } from "../../src/services/StateStore.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { registration, schedulerLayer, tempHome } from "./SchedulerHarness.js"

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()
const hm = (ms: number) => iso(ms).slice(11, 16)

/** An action that counts its runs by slot. */
const counter = (result = quiet()) => {
  const slots: Array<number> = []
  return {
    slots,
    action: { description: "counts", execute: (ctx: { readonly scheduledAt: number }) => Effect.sync(() => (slots.push(ctx.scheduledAt), result)) }
  }
}

/** One scheduler "process" on `home` from `start` for `runFor`: registers, starts, lets the TestClock run, stops. */
const session = (home: string, start: number, registrations: ReadonlyArray<Registration>, runFor: Duration.DurationInput, log = new GatewayTest(), clock?: Clock.Clock) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(start)
    yield* Effect.gen(function*() {
      const scheduler = yield* Scheduler
      yield* scheduler.reconcile(registrations)
      yield* scheduler.start
      yield* TestClock.adjust(runFor)
      yield* scheduler.stop
    }).pipe(Effect.provide(schedulerLayer(home, log, 1_000, clock)))
    return log
  })

/** The ledger of `home`, oldest slot first. */
const ledger = (home: string, action?: string) =>
  Effect.flatMap(StateStore, (store) => store.runs({ action, limit: 100_000 })).pipe(
    Effect.map((runs) => [...runs].reverse()),
    Effect.provide(StateStoreSqlite({ ledgerSize: 100_000 }).pipe(Layer.provide(Database(home))))
  )

/** Runs `body` against the state store of `home`. */
const withStore = <A, E>(home: string, body: (store: StateStore["Type"]) => Effect.Effect<A, E>, ledgerSize = 10_000) =>
  Effect.flatMap(StateStore, body).pipe(Effect.provide(StateStoreSqlite({ ledgerSize }).pipe(Layer.provide(Database(home)))))

const brief = (runs: ReadonlyArray<RunRecord>) => runs.map((run) => [iso(run.scheduledAt), run.outcome, run.reason ?? run.error ?? null])

describe("the ledger: one record per slot", () => {
  it.scoped("every outcome of a run, with its trigger", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const start = at("2026-03-01T00:00:00.000Z")
      yield* session(home, start, [
        registration("loud", "* * * * *", { description: "", execute: () => Effect.succeed(notify("hello")) }),
        registration("silent", "* * * * *", { description: "", execute: () => Effect.succeed(quiet()) }),
        registration("broken", "* * * * *", { description: "", execute: () => Effect.fail(new Error("rpc down")) }),
        registration("hangs", "* * * * *", { description: "", execute: () => Effect.never }, { timeoutMs: 5_000 }),
        registration("slow", "* * * * *", { description: "", execute: () => Effect.as(Effect.sleep(Duration.seconds(70)), quiet()) })
      ], Duration.seconds(90))
      const runs = yield* ledger(home)
      const of = (name: string) => brief(runs.filter((run) => run.action === name))
      assert.deepStrictEqual(of("loud"), [["2026-03-01T00:00:00.000Z", "notified", null], ["2026-03-01T00:01:00.000Z", "notified", null]])
      assert.deepStrictEqual(of("silent").map((r) => r[1]), ["quiet", "quiet"])
      assert.deepStrictEqual(of("broken").map((r) => r.slice(1)), [["failed", "rpc down"], ["failed", "rpc down"]])
      assert.deepStrictEqual(of("hangs").map((r) => r.slice(1)), [["timed-out", "timed out after 5s"], ["timed-out", "timed out after 5s"]])
      assert.deepStrictEqual(of("slow"), [["2026-03-01T00:00:00.000Z", "quiet", null], ["2026-03-01T00:01:00.000Z", "skipped", "overlap"]])
      const loud = runs.find((run) => run.action === "loud")!
      assert.strictEqual(loud.trigger, "schedule")
      assert.deepStrictEqual(loud.deliveries, [{ channel: "test", status: "delivered" }])
    }))

  it.scoped("a manual run is recorded with trigger manual and its own id; it does not count as a slot", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* TestClock.setTime(at("2026-03-01T00:00:30.000Z"))
      const log = new GatewayTest()
      const report = yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile([registration("loud", "* * * * *", { description: "", execute: () => Effect.succeed(notify("hi")) })])
        return yield* scheduler.runNow("loud")
      }).pipe(Effect.provide(schedulerLayer(home, log)))
      const [run] = yield* ledger(home)
      assert.strictEqual(run!.trigger, "manual")
      assert.strictEqual(run!.id, report.id)
      assert.strictEqual(log.sent[0]!.message.id, "loud@2026-03-01T00:00:30.000Z")
      assert.strictEqual((yield* withStore(home, (store) => store.lastSlot("loud")))._tag, "None")
    }))

  it.scoped("slots missed while the daemon was down: recorded at the next start (catchUp none), the slot at the start runs", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const minute = counter()
      const reg = registration("minute", "* * * * *", minute.action)
      yield* session(home, at("2026-03-01T00:00:00.000Z"), [reg], Duration.seconds(30))
      // Down from 00:00:30 until exactly 00:04:00.
      yield* session(home, at("2026-03-01T00:04:00.000Z"), [reg], Duration.seconds(1))
      assert.deepStrictEqual(brief(yield* ledger(home)), [
        ["2026-03-01T00:00:00.000Z", "quiet", null],
        ["2026-03-01T00:01:00.000Z", "missed", "daemon-down"],
        ["2026-03-01T00:02:00.000Z", "missed", "daemon-down"],
        ["2026-03-01T00:03:00.000Z", "missed", "daemon-down"],
        ["2026-03-01T00:04:00.000Z", "quiet", null]
      ])
      assert.deepStrictEqual(minute.slots.map(iso), ["2026-03-01T00:00:00.000Z", "2026-03-01T00:04:00.000Z"])
    }))

  it.scoped("catchUp latest: the latest missed slot runs once, the others are missed; a start exactly on a slot runs it once", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const minute = counter()
      const reg = registration("minute", "* * * * *", minute.action, { catchUp: "latest" })
      yield* session(home, at("2026-03-01T00:00:00.000Z"), [reg], Duration.seconds(30))
      yield* session(home, at("2026-03-01T00:03:20.000Z"), [reg], Duration.seconds(1))
      // Exactly on 00:04:00: the slot is not also "missed" and caught up.
      yield* session(home, at("2026-03-01T00:04:00.000Z"), [reg], Duration.seconds(1))
      assert.deepStrictEqual(brief(yield* ledger(home)), [
        ["2026-03-01T00:00:00.000Z", "quiet", null],
        ["2026-03-01T00:01:00.000Z", "missed", "daemon-down"],
        ["2026-03-01T00:02:00.000Z", "missed", "daemon-down"],
        ["2026-03-01T00:03:00.000Z", "quiet", null],
        ["2026-03-01T00:04:00.000Z", "quiet", null]
      ])
      assert.deepStrictEqual(minute.slots.map(iso), ["2026-03-01T00:00:00.000Z", "2026-03-01T00:03:00.000Z", "2026-03-01T00:04:00.000Z"])
    }))

  it.scoped("catchUp all: up to catchUpMax of the latest missed slots within the window run in slot order; older ones are missed", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const hourly = counter()
      const reg = registration("hourly", "0 * * * *", hourly.action, { catchUp: "all", catchUpMax: 3, catchUpWindowMs: 4 * 3_600_000 + 1 })
      yield* session(home, at("2026-03-01T00:00:00.000Z"), [reg], Duration.minutes(1))
      // Down until 10:30: 01:00 .. 10:00 passed; the window (4 h) holds 07:00 .. 10:00, the cap keeps 08:00 .. 10:00.
      yield* session(home, at("2026-03-01T10:30:00.000Z"), [reg], Duration.minutes(1))
      assert.deepStrictEqual(hourly.slots.map(iso), [
        "2026-03-01T00:00:00.000Z",
        "2026-03-01T08:00:00.000Z",
        "2026-03-01T09:00:00.000Z",
        "2026-03-01T10:00:00.000Z"
      ])
      const runs = yield* ledger(home)
      assert.deepStrictEqual(runs.filter((run) => run.outcome === "missed").map((run) => iso(run.scheduledAt).slice(11, 16)), [
        "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00"
      ])
      assert.isTrue(runs.every((run) => run.outcome !== "missed" || run.reason === "daemon-down"))

      // A window that holds none of them: nothing runs, all are missed.
      const home2 = yield* tempHome
      const narrow = counter()
      const reg2 = registration("hourly", "0 * * * *", narrow.action, { catchUp: "all", catchUpWindowMs: 60_000 })
      yield* session(home2, at("2026-03-01T00:00:00.000Z"), [reg2], Duration.minutes(1))
      yield* session(home2, at("2026-03-01T03:30:00.000Z"), [reg2], Duration.minutes(1))
      assert.deepStrictEqual(narrow.slots.map(iso), ["2026-03-01T00:00:00.000Z"])
      assert.strictEqual((yield* ledger(home2)).filter((run) => run.outcome === "missed").length, 3)
    }))

  it.scoped("beyond 1,000 missed slots of one action: one record each up to the cap, then one summary with the count and the last slot", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const reg = registration("minute", "* * * * *", counter().action)
      yield* session(home, at("2026-03-01T00:00:00.000Z"), [reg], Duration.seconds(1))
      // Two days down: 2,879 missed minutes.
      yield* session(home, at("2026-03-03T00:00:00.000Z"), [reg], Duration.seconds(1))
      const missed = (yield* ledger(home)).filter((run) => run.outcome === "missed")
      assert.strictEqual(missed.length, 1_001)
      const summary = missed.at(-1)!
      assert.strictEqual(iso(summary.scheduledAt), "2026-03-01T16:41:00.000Z", "the first slot after the 1,000 recorded one by one")
      assert.strictEqual(iso(summary.lastSlot!), "2026-03-02T23:59:00.000Z")
      assert.strictEqual(summary.count, 2_879 - 1_000)
      assert.strictEqual(summary.reason, "daemon-down")
      const counts = yield* withStore(home, (store) => store.outcomeCounts("minute", at("2026-03-01T00:00:00.000Z")))
      assert.deepStrictEqual(counts, { missed: 2_879, quiet: 2 })
    }))

  it.scoped("a late wake: the slots in between are missed (clock-jump); past catchUpWindow none runs (late)", () =>
    Effect.gen(function*() {
      let offset = 0
      const clock = yield* Effect.clock
      const stepped: Clock.Clock = Object.assign(Object.create(clock) as Clock.Clock, {
        unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis() + offset,
        currentTimeMillis: Effect.map(clock.currentTimeMillis, (ms) => ms + offset)
      })
      const home = yield* tempHome
      const every5 = counter()
      const reg = registration("every5", "*/5 * * * *", every5.action, { catchUpWindowMs: 30 * 60_000 })
      yield* TestClock.setTime(at("2026-03-01T00:00:30.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile([reg])
        yield* scheduler.start
        yield* TestClock.adjust(Duration.minutes(5)) // 00:05 runs
        offset = 17 * 60_000 // the wall clock jumps to 00:22:30: 00:10, 00:15 missed, 00:20 runs
        yield* TestClock.adjust(Duration.seconds(2))
        offset += 3 * 3_600_000 // a suspend of 3 h: 00:25 .. 03:20 all past the 30 min window of... the latest is 03:25, 2.5 min old
        yield* TestClock.adjust(Duration.seconds(2))
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 1_000, stepped)))
      const runs = yield* ledger(home)
      assert.deepStrictEqual(brief(runs).slice(0, 4), [
        ["2026-03-01T00:05:00.000Z", "quiet", null],
        ["2026-03-01T00:10:00.000Z", "missed", "clock-jump"],
        ["2026-03-01T00:15:00.000Z", "missed", "clock-jump"],
        ["2026-03-01T00:20:00.000Z", "quiet", null]
      ])
      assert.strictEqual(iso(every5.slots.at(-1)!), "2026-03-01T03:20:00.000Z")
      assert.strictEqual(runs.filter((run) => run.reason === "clock-jump").length, 2 + 35)

      // The wake comes after the window of even the latest passed slot: nothing runs, every slot is late.
      const home2 = yield* tempHome
      const hourly = counter()
      offset = 0
      yield* TestClock.setTime(at("2026-03-01T00:30:00.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile([registration("hourly", "0 * * * *", hourly.action, { catchUpWindowMs: 10 * 60_000 })])
        yield* scheduler.start
        offset = 2 * 3_600_000 - 60_000 // 02:29:00: 01:00 and 02:00 passed, 02:00 is 29 min old
        yield* TestClock.adjust(Duration.seconds(2))
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home2, new GatewayTest(), 1_000, stepped)))
      assert.deepStrictEqual(brief(yield* ledger(home2)), [
        ["2026-03-01T01:00:00.000Z", "missed", "late"],
        ["2026-03-01T02:00:00.000Z", "missed", "late"]
      ])
      assert.strictEqual(hourly.slots.length, 0)
    }))

  it.scoped("a restart or a reload landing on a slot that already ran does not run it again", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const minute = counter()
      const reg = registration("minute", "* * * * *", minute.action, { catchUp: "latest" })
      yield* session(home, at("2026-03-01T00:01:00.000Z"), [reg], Duration.seconds(10))
      // Restart exactly on the slot that ran (a clock stepped back, a fast restart).
      yield* session(home, at("2026-03-01T00:01:00.000Z"), [reg], Duration.seconds(10))
      // A reload (changed fingerprint) at the slot instant re-queues it: still one run.
      yield* TestClock.setTime(at("2026-03-01T00:01:00.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile([reg])
        yield* scheduler.start
        yield* scheduler.reconcile([{ ...reg, fingerprint: "edited" }])
        yield* TestClock.adjust(Duration.seconds(10))
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
      assert.deepStrictEqual(minute.slots.map(iso), ["2026-03-01T00:01:00.000Z"])
      assert.deepStrictEqual(brief(yield* ledger(home)), [["2026-03-01T00:01:00.000Z", "quiet", null]])
    }))

  it.scoped("missedAlert: one message after a start that found missed slots", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const reg = registration("task-scan", "*/5 * * * *", counter().action, { catchUp: "latest", missedAlert: true, channels: ["ops"] })
      yield* session(home, at("2026-12-01T01:55:00.000Z"), [reg], Duration.seconds(1))
      const log = yield* session(home, at("2026-12-01T03:07:00.000Z"), [reg], Duration.seconds(1))
      assert.deepStrictEqual(log.sent.map((sent) => [sent.message.id, sent.message.message, sent.channels]), [[
        "task-scan@2026-12-01T02:00:00.000Z#missed",
        "task-scan missed 13 slots between 2026-12-01T02:00Z and 03:00Z while the daemon was down; ran the latest",
        ["ops"]
      ]])
    }))

  it.scoped("the bound is per action: an every-second action does not evict a daily one's history or its catch-up", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const daily = counter()
      const regs = [
        registration("chatty", "* * * * * *", counter().action),
        registration("daily", "0 9 * * *", daily.action, { catchUp: "latest" })
      ]
      yield* TestClock.setTime(at("2026-03-01T08:59:59.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile(regs)
        yield* scheduler.start
        yield* TestClock.adjust(Duration.minutes(5)) // 300 chatty runs; ledgerSize is 100
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 1_000, undefined, 100)))
      yield* withStore(home, (store) =>
        Effect.gen(function*() {
          const chatty = yield* store.runs({ action: "chatty", limit: 10_000 })
          assert.isAtMost(chatty.length, 200)
          assert.isAbove(300, chatty.length, "the chatty action was trimmed")
          assert.isAtLeast(chatty.length, 100)
          assert.strictEqual((yield* store.runs({ action: "daily" })).length, 1, "the daily run is still there")
          assert.deepStrictEqual(yield* store.lastSlot("daily"), Option.some(at("2026-03-01T09:00:00.000Z")))
        }), 100)
    }), 120_000)
})

describe("pause and resume", () => {
  it.scoped("a paused action's slots are skipped (paused) while the scheduler runs; a pause with an end resumes by itself; resume applies at the next slot", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const minute = counter()
      const reg = registration("minute", "* * * * *", minute.action)
      yield* TestClock.setTime(at("2026-03-01T00:00:30.000Z"))
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        const store = yield* StateStore
        yield* scheduler.reconcile([reg])
        yield* scheduler.start
        const paused = yield* store.pause({ action: "minute", since: at("2026-03-01T00:00:30.000Z"), reason: "maintenance", by: "operator" })
        assert.isTrue(paused.created)
        const again = yield* store.pause({ action: "minute", since: at("2026-03-01T00:00:40.000Z"), by: "operator" })
        assert.deepStrictEqual([again.created, again.pause.reason], [false, "maintenance"], "pausing a paused action changes nothing")
        yield* TestClock.adjust(Duration.minutes(2)) // 00:01, 00:02 paused
        assert.strictEqual((yield* store.resume("minute"))._tag, "Some")
        yield* TestClock.adjust(Duration.minutes(1)) // 00:03 runs
        yield* store.pause({ action: "minute", since: at("2026-03-01T00:03:30.000Z"), until: at("2026-03-01T00:05:00.000Z"), by: "operator" })
        assert.deepStrictEqual((yield* store.pauses(at("2026-03-01T00:03:30.000Z"))).map((pause) => pause.action), ["minute"])
        yield* TestClock.adjust(Duration.minutes(2)) // 00:04 paused, 00:05 runs: the pause ended
        assert.deepStrictEqual(yield* store.pauses(at("2026-03-01T00:05:30.000Z")), [])
        yield* scheduler.stop
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
      assert.deepStrictEqual(brief(yield* ledger(home)), [
        ["2026-03-01T00:01:00.000Z", "skipped", "paused"],
        ["2026-03-01T00:02:00.000Z", "skipped", "paused"],
        ["2026-03-01T00:03:00.000Z", "quiet", null],
        ["2026-03-01T00:04:00.000Z", "skipped", "paused"],
        ["2026-03-01T00:05:00.000Z", "quiet", null]
      ])
      assert.deepStrictEqual(minute.slots.map(iso), ["2026-03-01T00:03:00.000Z", "2026-03-01T00:05:00.000Z"])
    }))

  it("next shows no slot while paused without an end, and only slots from the end of a pause", () => {
    const reg = registration("hourly", "0 * * * *", counter().action)
    const from = at("2026-03-01T00:30:00.000Z")
    assert.deepStrictEqual(nextSlots(reg, from, 2, { action: "hourly", since: from, by: "operator" }), [])
    assert.deepStrictEqual(nextSlots(reg, from, 2, { action: "hourly", since: from, until: at("2026-03-01T03:00:00.000Z"), by: "failure-policy" }).map(iso), [
      "2026-03-01T03:00:00.000Z",
      "2026-03-01T04:00:00.000Z"
    ])
  })
})

describe("jitter", () => {
  it.scoped("each slot starts later by a stable offset from the action's name, the same after a restart; the ledger keeps slot and planned start", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const starts: Array<{ slot: number; at: number }> = []
      const action = {
        description: "",
        execute: (ctx: { readonly scheduledAt: number }) =>
          Effect.map(Clock.currentTimeMillis, (now) => (starts.push({ slot: ctx.scheduledAt, at: now }), quiet()))
      }
      const reg = registration("task-scan", "*/10 * * * *", action, { jitterMs: 5 * 60_000 })
      const offset = jitterOffset("task-scan", 5 * 60_000)
      assert.strictEqual(jitterOffset("task-scan", 5 * 60_000), offset, "stable")
      assert.isTrue(offset >= 0 && offset < 5 * 60_000)
      assert.notStrictEqual(jitterOffset("daily-summary", 5 * 60_000), offset, "another action gets another offset")
      yield* session(home, at("2026-03-01T00:00:00.000Z"), [reg], Duration.minutes(25))
      // Restart after the 00:30 slot but before its planned start: that slot still runs, at its planned start.
      yield* session(home, at("2026-03-01T00:30:00.000Z") + Math.floor(offset / 2), [reg], Duration.minutes(20))
      assert.deepStrictEqual(starts.map((start) => hm(start.slot)), ["00:00", "00:10", "00:20", "00:30", "00:40"])
      for (const start of starts) assert.strictEqual(start.at - start.slot, offset, `slot ${iso(start.slot)}`)
      const runs = yield* ledger(home)
      assert.isTrue(runs.every((run) => run.outcome === "quiet" && run.plannedAt === run.scheduledAt + offset), JSON.stringify(brief(runs)))
      // heartbeat next shows the moved times.
      assert.deepStrictEqual(nextSlots(reg, at("2026-03-01T00:30:00.000Z"), 2), [at("2026-03-01T00:30:00.000Z") + offset, at("2026-03-01T00:40:00.000Z") + offset])
    }))

  it("never moves a slot to or past the next one", () => {
    const reg = registration("task-scan", "* * * * * *", counter().action, { jitterMs: 3_600_000 })
    for (let slot = at("2026-03-01T00:00:00.000Z"); slot < at("2026-03-01T00:00:10.000Z"); slot += 1_000) {
      const planned = plannedStart(reg, slot)
      assert.isTrue(planned >= slot && planned < slot + 1_000)
    }
  })
})

describe("heartbeat next", () => {
  it("honours DST: Berlin's spring-forward day, a daily 02:30 fires once after the gap, local times carry the offset", () => {
    const reg = registration("daily", "30 2 * * *", counter().action, { timezone: "Europe/Berlin" })
    const slots = nextSlots(reg, at("2026-03-27T12:00:00.000Z"), 4).map((slot) => slotJson(slot, "Europe/Berlin"))
    assert.deepStrictEqual(slots, [
      { at: "2026-03-28T01:30:00.000Z", local: "2026-03-28T02:30:00.000+01:00" },
      // 02:30 does not exist that day: the slot fires once, at the end of the gap (CronSchedule's rule).
      { at: "2026-03-29T01:00:00.000Z", local: "2026-03-29T03:00:00.000+02:00" },
      { at: "2026-03-30T00:30:00.000Z", local: "2026-03-30T02:30:00.000+02:00" },
      { at: "2026-03-31T00:30:00.000Z", local: "2026-03-31T02:30:00.000+02:00" }
    ])
  })
})
