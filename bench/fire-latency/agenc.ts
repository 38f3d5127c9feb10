/**
 * Fire latency of agenc: the real `SchedulerLive` (one dispatcher fiber, SQLite run ledger in a temp
 * home, recording gateway) and an every-second probe: `--slots` samples idle, then `--others` daily
 * schedules are registered beside it (one `reconcile`, as a reload does) and `--slots` more are taken.
 * A sample is the instant the probe's `execute` starts minus its slot (`ctx.scheduledAt`).
 */
import { Deferred, Effect } from "effect"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { registration, schedulerLayer, tempHome } from "../../test/heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../../test/layers/GatewayTest.js"
import { nowMs } from "../lib/HiResClock.js"
import { emit } from "../lib/Report.js"
import { firePlan, Phases } from "../lib/Phases.js"
import { EVERY_SECOND, otherSchedule } from "../lib/Workload.js"

const plan = firePlan()

const program = Effect.gen(function*() {
  const home = yield* tempHome
  const idleDone = yield* Deferred.make<void>()
  const done = yield* Deferred.make<void>()
  const phases = new Phases(plan, () => Deferred.unsafeDone(idleDone, Effect.void), () => Deferred.unsafeDone(done, Effect.void))
  const probe = registration("probe", EVERY_SECOND, {
    description: "records its start",
    execute: (ctx) =>
      Effect.sync(() => {
        phases.sample(nowMs() - ctx.scheduledAt)
        return quiet()
      })
  })
  const idle = { description: "never fires in the window", execute: () => Effect.succeed(quiet()) }
  yield* Effect.gen(function*() {
    const scheduler = yield* Scheduler
    yield* scheduler.reconcile([probe])
    yield* scheduler.start
    yield* Deferred.await(idleDone)
    const now = Date.now()
    yield* scheduler.reconcile([probe, ...Array.from({ length: plan.others }, (_, i) => registration(`other-${i}`, otherSchedule(i, now), idle))])
    phases.registered()
    yield* Deferred.await(done)
  }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
  return phases.result("agenc")
})

emit("result", await Effect.runPromise(Effect.scoped(program)))
process.exit(0)
