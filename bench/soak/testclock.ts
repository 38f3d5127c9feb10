/**
 * 30 simulated days under `TestClock`: the real `SchedulerLive` and SQLite run ledger, the three default
 * schedules (task-scan, daily-summary, portfolio-monitor, as quiet actions: their work is not the
 * scheduler's) plus an every-minute action. `wakeIntervalMs` is one hour so the dispatcher's bounded
 * sleeps do not multiply the simulated wake-ups; the every-minute action wakes it each minute anyway.
 * Heap is read after GC at the end of every simulated day; day 1 is warm-up (JIT, statement cache,
 * ledger filling up to its cap).
 */
import { Duration, Effect, TestClock, TestContext } from "effect"
import { defaultActions } from "../../src/domain/HeartbeatConfig.js"
import { quiet } from "../../src/heartbeat/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { registration, schedulerLayer, tempHome } from "../../test/heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../../test/layers/GatewayTest.js"
import { argInt, emit, memoryAfterGc } from "../lib/Report.js"

const days = argInt("days", 30)
const DAY = 86_400_000

const program = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-01-01T00:00:00Z"))
  const home = yield* tempHome
  let runs = 0
  const action = { description: "counts its runs", execute: () => Effect.sync(() => (runs++, quiet())) }
  const registrations = [
    ...defaultActions().map((entry) => registration(entry.name, entry.schedule, action)),
    registration("every-minute", "* * * * *", action)
  ]
  return yield* Effect.gen(function*() {
    const scheduler = yield* Scheduler
    yield* scheduler.reconcile(registrations)
    yield* scheduler.start
    const heap: Array<{ day: number; heapUsed: number; rss: number }> = []
    const started = performance.now()
    for (let day = 1; day <= days; day++) {
      yield* TestClock.adjust(Duration.millis(DAY))
      heap.push({ day, ...memoryAfterGc() })
    }
    return { days, runs, heap, wallMs: performance.now() - started }
  }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest(), 3_600_000)))
})

emit("result", await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(TestContext.TestContext))))
process.exit(0)
