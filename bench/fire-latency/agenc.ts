/**
 * Fire latency of agenc: the real `SchedulerLive` (one dispatcher fiber, SQLite run ledger in a temp
 * home, recording gateway), an every-second probe plus `--others` daily schedules. A sample is the
 * instant the probe's `execute` starts minus its slot (`ctx.scheduledAt`).
 */
import { Deferred, Effect } from "effect"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { registration, schedulerLayer, tempHome } from "../../test/heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../../test/layers/GatewayTest.js"
import { nowMs } from "../lib/HiResClock.js"
import { argInt, emit } from "../lib/Report.js"
import { EVERY_SECOND, otherSchedule } from "../lib/Workload.js"

const slots = argInt("slots", 60)
const others = argInt("others", 0)
const warmup = argInt("warmup", 2)

const program = Effect.gen(function*() {
  const home = yield* tempHome
  const done = yield* Deferred.make<ReadonlyArray<number>>()
  const samples: Array<number> = []
  let fired = 0
  const probe = registration("probe", EVERY_SECOND, {
    description: "records its start",
    execute: (ctx) =>
      Effect.sync(() => {
        const startedAt = nowMs()
        // The first runs pay for JIT and SQLite statement preparation: a daemon pays that once.
        if (++fired > warmup && samples.length < slots) {
          samples.push(startedAt - ctx.scheduledAt)
          if (samples.length === slots) Deferred.unsafeDone(done, Effect.succeed(samples))
        }
        return quiet()
      })
  })
  const idle = { description: "never fires in the window", execute: () => Effect.succeed(quiet()) }
  const now = Date.now()
  const registrations = [probe, ...Array.from({ length: others }, (_, i) => registration(`other-${i}`, otherSchedule(i, now), idle))]
  return yield* Effect.gen(function*() {
    const scheduler = yield* Scheduler
    yield* scheduler.reconcile(registrations)
    yield* scheduler.start
    return yield* Deferred.await(done)
  }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
})

const samples = await Effect.runPromise(Effect.scoped(program))
emit("result", { library: "agenc", others, samples })
process.exit(0)
