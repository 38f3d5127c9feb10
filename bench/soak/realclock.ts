/**
 * Real-clock soak: the real `SchedulerLive` and SQLite ledger with one every-second action for
 * `--seconds`. Every 10 s it samples RSS and heap (heap after GC, so the slope shows retained memory,
 * not garbage waiting for a collection).
 */
import { Deferred, Effect } from "effect"
import { quiet } from "../../src/heartbeat/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { registration, schedulerLayer, tempHome } from "../../test/heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../../test/layers/GatewayTest.js"
import { argInt, emit, memoryAfterGc } from "../lib/Report.js"
import { EVERY_SECOND } from "../lib/Workload.js"

const seconds = argInt("seconds", 600)
const sampleEveryMs = argInt("sample-ms", 10_000)

const program = Effect.gen(function*() {
  const home = yield* tempHome
  let runs = 0
  const action = { description: "counts its runs", execute: () => Effect.sync(() => (runs++, quiet())) }
  return yield* Effect.gen(function*() {
    const scheduler = yield* Scheduler
    yield* scheduler.reconcile([registration("every-second", EVERY_SECOND, action)])
    yield* scheduler.start
    const done = yield* Deferred.make<void>()
    const samples: Array<{ t: number; heapUsed: number; rss: number }> = []
    const started = performance.now()
    // A plain timer, outside the scheduler, so sampling does not ride on the thing being measured.
    const timer = setInterval(() => {
      const t = (performance.now() - started) / 1000
      samples.push({ t, ...memoryAfterGc() })
      if (t >= seconds) Deferred.unsafeDone(done, Effect.void)
    }, sampleEveryMs)
    yield* Deferred.await(done)
    clearInterval(timer)
    return { seconds, runs, samples }
  }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
})

emit("result", await Effect.runPromise(Effect.scoped(program)))
process.exit(0)
