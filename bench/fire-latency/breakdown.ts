/**
 * Where agenc's fire latency goes: the bench's every-second probe on the real `SchedulerLive`, with
 * the path between the slot and the action's first instruction instrumented from outside, so the same
 * file measures any version of the scheduler:
 * - every timer the process arms is recorded (requested delay, when it was armed, when it fired), so a
 *   sample knows the dispatcher's last wake-up and how many timers fired between the slot and the start;
 * - `StateStore.claim` is wrapped (start and end of the SQLite transaction);
 * - the action records its own start (`nowMs`, sub-millisecond wall time).
 * Segments per sample: slot → claim start (wake-up and dispatch), claim, claim end → action start (the
 * run's preamble: session, span, timeout fiber), and for reference the raw cost of an fsync of one page
 * on the same file system and the lateness of a bare `setTimeout`. Prints one `@@result`.
 */
import { Deferred, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { quiet } from "../../src/services/HeartbeatAction.js"
import { Database } from "../../src/layers/Database.js"
import { SchedulerLive } from "../../src/layers/SchedulerLive.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import { AgentRuntime, NotFoundError } from "../../src/services/AgentRuntime.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { registration, tempHome } from "../../test/heartbeat/SchedulerHarness.js"
import { GatewayTest } from "../../test/layers/GatewayTest.js"
import { nowMs, recalibrate } from "../lib/HiResClock.js"
import { argInt, emit } from "../lib/Report.js"
import { quantile } from "../lib/Stats.js"
import { EVERY_SECOND } from "../lib/Workload.js"

const slots = argInt("slots", 10)
const warmup = argInt("warmup", 2)

// ---- every timer, from outside -------------------------------------------------------------------
const fired: Array<{ readonly armedAt: number; readonly delay: number; readonly firedAt: number }> = []
const originalSetTimeout = globalThis.setTimeout
globalThis.setTimeout = ((callback: (...args: Array<unknown>) => void, delay?: number, ...args: Array<unknown>) => {
  const armedAt = nowMs()
  return originalSetTimeout(() => {
    fired.push({ armedAt, delay: delay ?? 0, firedAt: nowMs() })
    if (fired.length > 10_000) fired.splice(0, 5_000)
    callback(...args)
  }, delay)
}) as typeof setTimeout

const claims: Array<{ readonly start: number; readonly end: number }> = []
const timedStore = Layer.effect(
  StateStore,
  Effect.map(StateStore, (store) =>
    StateStore.of({
      ...store,
      claim: (request) =>
        Effect.suspend(() => {
          const start = nowMs()
          return Effect.tap(store.claim(request), () => Effect.sync(() => claims.push({ start, end: nowMs() })))
        })
    }))
)

const absentRuntime = Layer.succeed(AgentRuntime, {
  claimableTasks: () => Effect.fail(new NotFoundError({ what: "runtime", id: "bench" })),
  agentSnapshot: () => Effect.fail(new NotFoundError({ what: "runtime", id: "bench" })),
  portfolio: () => Effect.fail(new NotFoundError({ what: "runtime", id: "bench" })),
  disputes: () => Effect.fail(new NotFoundError({ what: "runtime", id: "bench" }))
})

interface Sample {
  readonly total: number
  readonly toClaim: number
  readonly claim: number
  readonly claimToStart: number
  /** Timers that fired between 5 ms before the slot and the start (the wake-up and any extra hops). */
  readonly timers: number
  /** How late the dispatcher's last timer fired against the delay it asked for. */
  readonly timerLate: number
}

const program = Effect.gen(function*() {
  const home = yield* tempHome
  const done = yield* Deferred.make<ReadonlyArray<Sample>>()
  const samples: Array<Sample> = []
  let runs = 0
  const probe = registration("probe", EVERY_SECOND, {
    description: "records its start",
    execute: (ctx) =>
      Effect.sync(() => {
        const startedAt = nowMs()
        if (++runs > warmup && samples.length < slots) {
          const claim = claims.at(-1)!
          const window = fired.filter((t) => t.firedAt >= ctx.scheduledAt - 25 && t.firedAt <= startedAt)
          const wake = window.at(-1)
          samples.push({
            total: startedAt - ctx.scheduledAt,
            toClaim: claim.start - ctx.scheduledAt,
            claim: claim.end - claim.start,
            claimToStart: startedAt - claim.end,
            timers: window.length,
            timerLate: wake === undefined ? Number.NaN : wake.firedAt - wake.armedAt - wake.delay
          })
          if (samples.length === slots) Deferred.unsafeDone(done, Effect.succeed(samples))
        }
        // Re-pin the sub-millisecond clock between samples (see HiResClock).
        originalSetTimeout(recalibrate, 300)
        return quiet()
      })
  })
  const layer = SchedulerLive({ wakeIntervalMs: 1_000 }).pipe(
    Layer.provideMerge(Layer.mergeAll(timedStore.pipe(Layer.provide(StateStoreSqlite({ ledgerSize: 10_000 }))), new GatewayTest().layer, absentRuntime)),
    Layer.provideMerge(Database(home))
  )
  const result = yield* Effect.gen(function*() {
    const scheduler = yield* Scheduler
    yield* scheduler.reconcile([probe])
    yield* scheduler.start
    return yield* Deferred.await(done)
  }).pipe(Effect.provide(layer))
  return { result, home }
})

/** The raw cost of making one 4 KB write durable on the file system the ledger lives on. */
const fsyncCost = (dir: string): Array<number> => {
  const file = path.join(dir, "fsync-probe")
  const fd = fs.openSync(file, "w", 0o600)
  const page = Buffer.alloc(4096, 1)
  const costs: Array<number> = []
  for (let i = 0; i < 20; i++) {
    fs.writeSync(fd, page, 0, page.length, 0)
    const start = nowMs()
    fs.fsyncSync(fd)
    costs.push(nowMs() - start)
  }
  fs.closeSync(fd)
  fs.rmSync(file)
  return costs
}

/** How late a bare `setTimeout(fn, 5)` fires on this machine, now. */
const timerLateness = async (): Promise<Array<number>> => {
  const late: Array<number> = []
  for (let i = 0; i < 20; i++) {
    const armed = nowMs()
    await new Promise((resolve) => originalSetTimeout(resolve, 5))
    late.push(nowMs() - armed - 5)
  }
  return late
}

const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "agenc-breakdown-"))
const fsyncs = fsyncCost(dir)
fs.rmSync(dir, { recursive: true, force: true })
const bareTimer = await timerLateness()
const { result } = await Effect.runPromise(Effect.scoped(program))
const summary = (values: ReadonlyArray<number>) => ({ min: Math.min(...values), p50: quantile(values, 0.5), max: Math.max(...values) })
const field = (key: keyof Sample) => summary(result.map((sample) => sample[key]))
emit("result", {
  samples: result,
  total: field("total"),
  toClaim: field("toClaim"),
  claim: field("claim"),
  claimToStart: field("claimToStart"),
  timers: field("timers"),
  timerLate: field("timerLate"),
  fsync: summary(fsyncs),
  bareTimerLate: summary(bareTimer)
})
process.exit(0)
