import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Option, Schema, TestClock } from "effect"
import { HeartbeatConfig } from "../../src/domain/HeartbeatConfig.js"
import * as ActiveHours from "../../src/domain/ActiveHours.js"
import { resolveActions } from "../../src/heartbeat/ActionRegistry.js"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { backoffSlots } from "../../src/heartbeat/FailurePolicy.js"
import { plannedStart } from "../../src/heartbeat/Jitter.js"
import { nextSlots } from "../../src/heartbeat/NextSlots.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { registration, schedulerLayer, tempHome } from "./SchedulerHarness.js"

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

const windowed = (expression: string, hours: { start?: string; end?: string; days?: string; timezone?: string }, timezone = "UTC") => {
  const schedule = Either.getOrThrow(CronSchedule.parse(expression, timezone))
  const zoneName = hours.timezone ?? timezone
  const window = Either.getOrThrow(ActiveHours.makeWindow({
    start: hours.start ?? "00:00",
    end: hours.end ?? "24:00",
    days: hours.days ?? "*",
    timezone: zoneName,
    zone: Option.getOrThrow(CronSchedule.zoneFor(zoneName))
  }))
  return Either.getOrThrow(CronSchedule.withinActiveHours(schedule, window, at("2025-01-01T00:00:00Z")))
}

const series = (schedule: CronSchedule.CronSchedule, from: string, count: number) => {
  const out: Array<string> = []
  for (let slot = at(from), i = 0; i < count; i++) out.push(iso(slot = CronSchedule.next(schedule, slot)))
  return out
}

/** Every slot of the plain schedule between two instants, and which of them the window keeps. */
const keptBetween = (expression: string, hours: Parameters<typeof windowed>[1], timezone: string, from: string, to: string) => {
  const plain = Either.getOrThrow(CronSchedule.parse(expression, timezone))
  const limited = windowed(expression, hours, timezone)
  const kept: Array<string> = []
  for (let slot = CronSchedule.next(limited, at(from)); slot < at(to); slot = CronSchedule.next(limited, slot)) kept.push(iso(slot))
  let all = 0
  for (let slot = CronSchedule.next(plain, at(from)); slot < at(to); slot = CronSchedule.next(plain, slot)) all++
  return { kept, all }
}

describe("active hours: slot planning", () => {
  it("an overnight window (end before start) runs across midnight and opens only on its listed days", () => {
    // 22:00–06:00 mon-fri: Friday's window runs into Saturday morning; Saturday and Sunday open none.
    const schedule = windowed("0 * * * *", { start: "22:00", end: "06:00", days: "mon-fri" })
    assert.deepStrictEqual(series(schedule, "2026-03-06T20:00:00Z", 9), [
      "2026-03-06T22:00:00.000Z",
      "2026-03-06T23:00:00.000Z",
      "2026-03-07T00:00:00.000Z",
      "2026-03-07T01:00:00.000Z",
      "2026-03-07T02:00:00.000Z",
      "2026-03-07T03:00:00.000Z",
      "2026-03-07T04:00:00.000Z",
      "2026-03-07T05:00:00.000Z",
      // 06:00 is the end (exclusive); the next window is Monday's.
      "2026-03-09T22:00:00.000Z"
    ])
    assert.strictEqual(iso(CronSchedule.previous(schedule, at("2026-03-08T12:00:00Z"))), "2026-03-07T05:00:00.000Z")
    assert.strictEqual(iso(CronSchedule.previous(schedule, at("2026-03-09T22:00:00Z"))), "2026-03-09T22:00:00.000Z")
  })

  it("`sat,sun`, numeric days and `*` read as cron weekdays; start is inclusive, end exclusive", () => {
    assert.deepStrictEqual(series(windowed("0 12 * * *", { days: "sat,sun" }), "2026-03-02T00:00:00Z", 3), [
      "2026-03-07T12:00:00.000Z",
      "2026-03-08T12:00:00.000Z",
      "2026-03-14T12:00:00.000Z"
    ])
    assert.deepStrictEqual(series(windowed("0 12 * * *", { days: "1-5" }), "2026-03-06T00:00:00Z", 2), ["2026-03-06T12:00:00.000Z", "2026-03-09T12:00:00.000Z"])
    assert.deepStrictEqual(series(windowed("0 * * * *", { start: "08:00", end: "10:00" }), "2026-03-06T00:00:00Z", 3), [
      "2026-03-06T08:00:00.000Z",
      "2026-03-06T09:00:00.000Z",
      "2026-03-07T08:00:00.000Z"
    ])
  })

  it("a 6-field schedule keeps its seconds inside the window", () => {
    assert.deepStrictEqual(series(windowed("*/20 * * * * *", { start: "09:00", end: "09:01" }), "2026-03-06T00:00:00Z", 4), [
      "2026-03-06T09:00:00.000Z",
      "2026-03-06T09:00:20.000Z",
      "2026-03-06T09:00:40.000Z",
      "2026-03-07T09:00:00.000Z"
    ])
    assert.deepStrictEqual(series(windowed("@every 90s", { start: "10:00", end: "10:05" }), "2026-03-06T09:59:00Z", 5), [
      "2026-03-06T10:00:00.000Z",
      "2026-03-06T10:01:30.000Z",
      "2026-03-06T10:03:00.000Z",
      "2026-03-06T10:04:30.000Z",
      "2026-03-07T10:00:00.000Z"
    ])
  })

  it("the window is read in its own zone, which defaults to the schedule's", () => {
    // 07:00 UTC is 08:00 in Berlin in winter (inside 08:00–22:00) and 09:00 in summer.
    const schedule = windowed("30 6 * * *", { start: "08:00", end: "22:00", timezone: "Europe/Berlin" })
    assert.deepStrictEqual(series(schedule, "2026-03-27T00:00:00Z", 2), ["2026-03-29T06:30:00.000Z", "2026-03-30T06:30:00.000Z"])
    assert.deepStrictEqual(series(windowed("0 8 * * *", { start: "08:00", end: "09:00" }, "America/New_York"), "2026-07-01T00:00:00Z", 1), ["2026-07-01T12:00:00.000Z"])
  })

  it("America/New_York: a start inside the spring-forward gap opens when the gap ends; an end in the repeated hour closes at its first pass", () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist, the window opens at 03:00 EDT (07:00Z).
    const spring = keptBetween("*/30 * * * *", { start: "02:30", end: "04:00" }, "America/New_York", "2026-03-07T05:00:00Z", "2026-03-09T05:00:00Z")
    assert.deepStrictEqual(spring.kept, [
      "2026-03-07T07:30:00.000Z", // 02:30 EST
      "2026-03-07T08:00:00.000Z",
      "2026-03-07T08:30:00.000Z",
      "2026-03-08T07:00:00.000Z", // 03:00 EDT, the end of the gap
      "2026-03-08T07:30:00.000Z"
    ])
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:00–02:00 happens twice; the end 01:30 is its first pass.
    const fall = keptBetween("*/30 * * * *", { start: "00:00", end: "01:30" }, "America/New_York", "2026-11-01T03:00:00Z", "2026-11-02T08:00:00Z")
    assert.deepStrictEqual(fall.kept, [
      "2026-11-01T04:00:00.000Z", // 00:00 EDT
      "2026-11-01T04:30:00.000Z",
      "2026-11-01T05:00:00.000Z", // 01:00 EDT; 01:00 and 01:30 EST (06:00Z, 06:30Z) are after the close
      "2026-11-02T05:00:00.000Z", // 00:00 EST
      "2026-11-02T05:30:00.000Z",
      "2026-11-02T06:00:00.000Z"
    ])
  })

  it("Europe/Berlin: an overnight end inside the gap closes when the gap ends; a start in the repeated hour opens at its first pass", () => {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST: 22:00–02:30 closes at 03:00 CEST (01:00Z); the 03:00 slot is the end.
    const spring = keptBetween("*/30 * * * *", { start: "22:00", end: "02:30", days: "sat" }, "Europe/Berlin", "2026-03-28T20:00:00Z", "2026-04-05T00:00:00Z")
    assert.deepStrictEqual(spring.kept.slice(0, 8), [
      "2026-03-28T21:00:00.000Z",
      "2026-03-28T21:30:00.000Z",
      "2026-03-28T22:00:00.000Z",
      "2026-03-28T22:30:00.000Z",
      "2026-03-28T23:00:00.000Z",
      "2026-03-28T23:30:00.000Z",
      "2026-03-29T00:00:00.000Z",
      "2026-03-29T00:30:00.000Z" // 01:30 CET, the last slot before the gap
    ])
    assert.deepStrictEqual(spring.kept.slice(8, 9), ["2026-04-04T20:00:00.000Z"], "then next Saturday's 22:00 CEST")
    // 2026-10-25 03:00 CEST falls back to 02:00 CET: the window 02:30–04:00 opens at 02:30 CEST (00:30Z) and stays open.
    const fall = keptBetween("*/30 * * * *", { start: "02:30", end: "04:00" }, "Europe/Berlin", "2026-10-24T22:00:00Z", "2026-10-25T12:00:00Z")
    assert.deepStrictEqual(fall.kept, [
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T01:00:00.000Z", // 02:00 CET (the repeated hour: still inside)
      "2026-10-25T01:30:00.000Z",
      "2026-10-25T02:00:00.000Z",
      "2026-10-25T02:30:00.000Z" // 03:30 CET; 04:00 CET is the end
    ])
    assert.isBelow(fall.kept.length, fall.all)
  })

  it("jitter never moves a run past the end of the window that holds its slot", () => {
    const base = registration("late", "55 21 * * *", { description: "d", execute: () => Effect.succeed(quiet()) }, { jitterMs: 30 * 60_000 })
    const limited = { ...base, schedule: windowed("55 21 * * *", { start: "08:00", end: "22:00" }) }
    const slot = at("2026-03-06T21:55:00Z")
    assert.isAbove(plannedStart(base, slot), at("2026-03-06T22:00:00Z") - 1, "without a window the offset may cross 22:00")
    assert.isBelow(plannedStart(limited, slot), at("2026-03-06T22:00:00Z"))
    assert.isAtLeast(plannedStart(limited, slot), slot)
  })

  it("backoff counts only slots inside the window, and skips at least one (the next window's first) at the window's end", () => {
    const action = { description: "d", execute: () => Effect.succeed(quiet()) }
    const reg = { ...registration("b", "*/15 * * * *", action), schedule: windowed("*/15 * * * *", { start: "08:00", end: "22:00" }) }
    // Four slots in the hour after 10:00; at 21:45 none remains today, so the first of tomorrow is skipped.
    assert.strictEqual(backoffSlots(reg, at("2026-03-06T10:00:00Z"), 10), 4)
    assert.strictEqual(backoffSlots(reg, at("2026-03-06T21:45:00Z"), 10), 1)
    assert.strictEqual(iso(CronSchedule.next(reg.schedule, at("2026-03-06T21:45:00Z"))), "2026-03-07T08:00:00.000Z")
  })

  it("`heartbeat next` lists only slots inside the window", () => {
    const reg = { ...registration("hours", "0 * * * *", { description: "d", execute: () => Effect.succeed(quiet()) }), schedule: windowed("0 * * * *", { start: "08:00", end: "10:00", days: "mon-fri" }) }
    assert.deepStrictEqual(nextSlots(reg, at("2026-03-06T09:30:00Z"), 3).map(iso), [
      "2026-03-09T08:00:00.000Z",
      "2026-03-09T09:00:00.000Z",
      "2026-03-10T08:00:00.000Z"
    ])
  })
})

const decode = (heartbeat: unknown) => Schema.decodeUnknownSync(HeartbeatConfig)(heartbeat)
const configError = (heartbeat: unknown) =>
  Effect.runSync(resolveActions(decode(heartbeat), "/tmp").pipe(Effect.flip, Effect.map((error) => `${error.path}: ${error.message}`)))

describe("active hours: config", () => {
  it("rejects a window that no slot ever meets, naming the path", () => {
    const actions = [
      { name: "task-scan", schedule: "*/5 * * * *" },
      { name: "daily-summary", schedule: "0 9 * * *" },
      { name: "portfolio-monitor", schedule: "0 3 * * *", activeHours: { start: "08:00", end: "22:00", days: "mon-fri" } }
    ]
    assert.strictEqual(configError({ actions }), `heartbeat.actions[2].activeHours: no slot of "0 3 * * *" falls within 08:00–22:00 mon-fri`)
    assert.strictEqual(
      configError({ activeHours: { days: "mon-fri" }, actions: [{ name: "task-scan", schedule: "0 12 * * sat" }] }),
      `heartbeat.activeHours: no slot of "0 12 * * sat" falls within 00:00–24:00 mon-fri (action task-scan)`
    )
    assert.strictEqual(
      configError({ actions: [{ name: "task-scan", schedule: "0 12 * * *", activeHours: { start: "09:00", end: "09:00" } }] }),
      "heartbeat.actions[0].activeHours: start and end are both 09:00; for the whole day use 00:00 to 24:00"
    )
    assert.throws(() => decode({ actions: [{ name: "task-scan", schedule: "0 12 * * *", activeHours: { start: "25:00" } }] }), /start[\s\S]*"25:00" is not a time of day/)
    assert.throws(() => decode({ actions: [{ name: "task-scan", schedule: "0 12 * * *", activeHours: { days: "weekdays" } }] }), /days[\s\S]*"weekdays" is not a list of weekdays/)
  })

  it("accepts windows that meet the schedule only rarely or only in another zone; the action's window wins, null opts out", () => {
    // Feb 29 falls on a Monday in 2044.
    assert.strictEqual(Effect.runSync(resolveActions(decode({ actions: [{ name: "task-scan", schedule: "0 8 29 2 *", activeHours: { days: "mon" } }] }), "/tmp")).length, 1)
    // 03:00 Berlin is 01:00 UTC in summer only.
    assert.strictEqual(Effect.runSync(resolveActions(decode({ timezone: "Europe/Berlin", actions: [{ name: "task-scan", schedule: "0 3 * * *", activeHours: { start: "01:00", end: "01:30", timezone: "UTC" } }] }), "/tmp")).length, 1)
    const [own, optOut, inherited] = Effect.runSync(resolveActions(decode({
      activeHours: { start: "08:00", end: "09:00" },
      actions: [
        { name: "task-scan", schedule: "0 * * * *", activeHours: { start: "20:00", end: "21:00" } },
        { name: "daily-summary", schedule: "0 * * * *", activeHours: null },
        { name: "portfolio-monitor", schedule: "0 * * * *" }
      ]
    }), "/tmp"))
    const from = at("2026-03-06T12:30:00Z")
    assert.strictEqual(iso(CronSchedule.next(own!.schedule, from)), "2026-03-06T20:00:00.000Z")
    assert.strictEqual(iso(CronSchedule.next(optOut!.schedule, from)), "2026-03-06T13:00:00.000Z")
    assert.strictEqual(iso(CronSchedule.next(inherited!.schedule, from)), "2026-03-07T08:00:00.000Z")
  })
})

describe("active hours: the scheduler", () => {
  it.scoped("runs only slots inside the window, records none outside it, and plans its next run at the next opening", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(at("2026-03-06T20:30:00Z"))
      const home = yield* tempHome
      const runs: Array<number> = []
      const action = { description: "records", execute: (ctx: { readonly scheduledAt: number }) => Effect.sync(() => (runs.push(ctx.scheduledAt), quiet())) }
      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        const store = yield* StateStore
        yield* scheduler.schedule({ ...registration("hours", "*/30 * * * *", action), schedule: windowed("*/30 * * * *", { start: "22:00", end: "23:00", days: "fri,mon" }) })
        yield* scheduler.start
        const [listed] = yield* scheduler.list
        assert.strictEqual(iso(listed!.nextRunAt!), "2026-03-06T22:00:00.000Z")
        yield* TestClock.adjust(Duration.hours(3))
        assert.deepStrictEqual(runs.map(iso), ["2026-03-06T22:00:00.000Z", "2026-03-06T22:30:00.000Z"])
        const [afterClose] = yield* scheduler.list
        assert.strictEqual(iso(afterClose!.nextRunAt!), "2026-03-09T22:00:00.000Z", "the next slot that will run is Monday's")
        yield* TestClock.adjust(Duration.days(3))
        assert.deepStrictEqual(runs.slice(2).map(iso), ["2026-03-09T22:00:00.000Z", "2026-03-09T22:30:00.000Z"])
        const ledger = yield* store.runs({ action: "hours", limit: 100 })
        assert.deepStrictEqual(ledger.map((run) => run.outcome), ["quiet", "quiet", "quiet", "quiet"], "no record for slots outside the window")
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 3_600_000)))
    }))

  it.scoped("slots missed while the daemon was down are counted inside the window only", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      const action = { description: "records", execute: () => Effect.succeed(quiet()) }
      yield* TestClock.setTime(at("2026-03-07T12:00:00Z"))
      yield* Effect.gen(function*() {
        const store = yield* StateStore
        // Last run Friday 09:00; hourly 08:00–10:00 on weekdays. Back on Tuesday at noon: Monday's and
        // Tuesday's 08:00 and 09:00 were missed, and none of the 90 hourly slots outside the window.
        yield* store.recordRun({ action: "hours", scheduledAt: at("2026-03-06T09:00:00Z"), startedAt: 0, endedAt: 0, outcome: "quiet" })
        yield* TestClock.setTime(at("2026-03-10T12:00:00Z"))
        const scheduler = yield* Scheduler
        yield* scheduler.schedule({ ...registration("hours", "0 * * * *", action), schedule: windowed("0 * * * *", { start: "08:00", end: "10:00", days: "mon-fri" }) })
        yield* scheduler.start
        const missed = yield* store.runs({ action: "hours", outcome: "missed", limit: 100 })
        assert.deepStrictEqual(missed.map((run) => [iso(run.scheduledAt), run.reason]).reverse(), [
          ["2026-03-09T08:00:00.000Z", "daemon-down"],
          ["2026-03-09T09:00:00.000Z", "daemon-down"],
          ["2026-03-10T08:00:00.000Z", "daemon-down"],
          ["2026-03-10T09:00:00.000Z", "daemon-down"]
        ])
      }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 3_600_000)))
    }))
})
