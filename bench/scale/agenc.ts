/**
 * agenc at scale: a started `SchedulerLive` (SQLite state store in a temp home), then `--n` daily
 * actions registered with one `reconcile`, as the daemon does on load. Heap and RSS per action are the
 * after-GC growth over the started, empty scheduler; registration includes parsing the expressions.
 */
import { Effect } from "effect"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { registration, schedulerLayer, tempHome } from "../../test/heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../../test/layers/GatewayTest.js"
import { measureScale } from "../lib/Idle.js"
import { argInt, emit, memoryAfterGc } from "../lib/Report.js"
import { otherSchedule } from "../lib/Workload.js"

const n = argInt("n", 10_000)
const idleMs = argInt("idle-ms", 30_000)
const idle = { description: "never fires in the window", execute: () => Effect.succeed(quiet()) }

const program = Effect.gen(function*() {
  const home = yield* tempHome
  return yield* Effect.gen(function*() {
    const scheduler = yield* Scheduler
    yield* scheduler.start
    const baseline = memoryAfterGc()
    return yield* Effect.promise(() =>
      measureScale("agenc", n, idleMs, baseline, async () => {
        const now = Date.now()
        const registrations = Array.from({ length: n }, (_, i) => registration(`action-${i}`, otherSchedule(i, now), idle))
        await Effect.runPromise(scheduler.reconcile(registrations))
      }, () => emit("registered"))
    )
  }).pipe(Effect.provide(schedulerLayer(home, new GatewayTest())))
})

emit("result", await Effect.runPromise(Effect.scoped(program)))
process.exit(0)
