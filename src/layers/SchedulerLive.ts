import { Clock, Duration, Effect, FiberMap, Layer, Option } from "effect"
import { LoopHealth, supervise } from "../domain/LoopSupervisor.js"
import { testFault } from "../domain/TestFaults.js"
import * as CronSchedule from "../heartbeat/CronSchedule.js"
import { runSlot } from "../heartbeat/RunSlot.js"
import { SlotQueue } from "../heartbeat/SlotQueue.js"
import type { AgentRuntime } from "../services/AgentRuntime.js"
import type { Gateway } from "../services/Gateway.js"
import { type Registration, type RunReport, Scheduler, type ScheduledAction, UnknownActionError } from "../services/Scheduler.js"
import { StateStore } from "../services/StateStore.js"

/** Scheduler settings from `heartbeat` in `gateway.json`. */
export interface SchedulerOptions {
  /**
   * The longest single sleep before the wall clock is read again. Timers run on the monotonic clock and
   * effect treats a sleep over 2^31-1 ms as infinite, so sleeping straight to a slot months away would
   * never fire, and a suspend or a clock step would go unnoticed until the timer ends.
   */
  readonly wakeIntervalMs: number
}

/**
 * The scheduler: one dispatcher fiber sleeps until the earliest slot of all registered actions (in
 * bounded steps, re-reading the wall clock each time), then forks each due run into a `FiberMap` keyed
 * by action name. A run never outlives the layer's scope; a failing run is only an outcome.
 */
export const SchedulerLive = (options: SchedulerOptions) =>
  Layer.scoped(
    Scheduler,
    Effect.gen(function*() {
      const store = yield* StateStore
      const context = yield* Effect.context<StateStore | Gateway | AgentRuntime>()
      const runs = yield* FiberMap.make<string, RunReport, never>()
      const registrations = new Map<string, Registration>()
      const queue = new SlotQueue()
      const dispatcher = yield* FiberMap.make<"dispatcher", never, never>()
      let started = false
      let runSequence = 0
      const health = new LoopHealth()
      const fault = testFault("dispatcher")

      // A schedule change restarts the dispatcher (interrupting its sleep) so it sleeps toward the new
      // earliest slot. Cheaper than racing every sleep against a signal: the hot path is one timer.
      const restart = Effect.suspend(() => started ? FiberMap.run(dispatcher, "dispatcher", supervise("scheduler", health, loop)) : Effect.void)

      const enqueueNext = (registration: Registration, afterMs: number) =>
        queue.push(registration.name, CronSchedule.next(registration.schedule, afterMs))

      const recordSkip = (registration: Registration, slot: number, now: number, reason: string) =>
        Effect.logWarning(`slot ${new Date(slot).toISOString()} skipped: ${reason}`).pipe(
          Effect.zipRight(store.recordRun({
            action: registration.name,
            scheduledAt: slot,
            startedAt: now,
            endedAt: now,
            outcome: "skipped",
            error: reason
          })),
          Effect.catchAll((failure) => Effect.logError(`could not record the skip: ${failure.message}`)),
          Effect.annotateLogs({ action: registration.name })
        )

      /** Forks one run, honouring the overlap policy. */
      const launch = (registration: Registration, slot: number, now: number) => {
        const run = runSlot(registration, slot).pipe(Effect.provide(context))
        if (registration.overlap === "allow") {
          return FiberMap.run(runs, `${registration.name}#${++runSequence}`, run).pipe(Effect.asVoid)
        }
        return FiberMap.has(runs, registration.name).pipe(
          Effect.flatMap((busy) =>
            busy
              ? recordSkip(registration, slot, now, "the previous run is still going")
              : FiberMap.run(runs, registration.name, run).pipe(Effect.asVoid)
          )
        )
      }

      /** The slot to run for an entry that came due, and the one after it; late wakes collapse to the latest passed slot. */
      const plan = (registration: Registration, dueAt: number, now: number) =>
        Effect.try({
          try: () => {
            const nextAt = CronSchedule.next(registration.schedule, dueAt)
            if (nextAt > now) return { slot: dueAt, nextAt }
            const slot = Math.max(dueAt, CronSchedule.previous(registration.schedule, now))
            return { slot, nextAt: CronSchedule.next(registration.schedule, slot) }
          },
          catch: (cause) => cause
        })

      const dispatchDue = (now: number) =>
        Effect.gen(function*() {
          for (let due = queue.popDue(now); due !== undefined; due = queue.popDue(now)) {
            const registration = registrations.get(due.key)
            if (registration === undefined) continue
            const planned = yield* Effect.either(plan(registration, due.at, now))
            if (planned._tag === "Left") {
              // Slot arithmetic is validated at load; should it still throw, that action stops, not the scheduler.
              yield* Effect.logError("cannot compute the next slot; action unscheduled", planned.left).pipe(
                Effect.annotateLogs({ action: registration.name })
              )
              registrations.delete(registration.name)
              continue
            }
            const { nextAt, slot } = planned.right
            if (slot > due.at) {
              yield* Effect.logWarning(`woke ${now - due.at} ms after slot ${new Date(due.at).toISOString()}; running the latest passed slot once`).pipe(
                Effect.annotateLogs({ action: registration.name })
              )
            }
            queue.push(registration.name, nextAt)
            yield* launch(registration, slot, now)
          }
        })

      const loop: Effect.Effect<never> = Effect.gen(function*() {
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          // The watchdog pings only while this advances.
          health.tick(now)
          yield* fault.turn
          // Popping a slot and queueing its successor must not be split by a restart.
          yield* Effect.uninterruptible(dispatchDue(now))
          const next = queue.peek()
          // Dispatching took time: measure the sleep from now, not from the wake-up.
          const after = yield* Clock.currentTimeMillis
          const wait = next === undefined ? options.wakeIntervalMs : Math.min(Math.max(next.at - after, 0), options.wakeIntervalMs)
          yield* Clock.sleep(Duration.millis(wait))
        }
      })

      const catchUp = (registration: Registration, now: number) =>
        Effect.gen(function*() {
          if (registration.catchUp !== "latest") return
          const last = yield* store.lastSlot(registration.name).pipe(Effect.orElseSucceed(() => Option.none<number>()))
          if (Option.isNone(last)) return
          const missed = CronSchedule.previous(registration.schedule, now)
          if (missed > last.value && now - missed <= registration.catchUpWindowMs && missed < now) {
            yield* Effect.logInfo(`catching up missed slot ${new Date(missed).toISOString()}`).pipe(
              Effect.annotateLogs({ action: registration.name })
            )
            yield* launch(registration, missed, now)
          }
        })

      const start = Effect.gen(function*() {
        if (started) return
        started = true
        const now = yield* Clock.currentTimeMillis
        for (const registration of registrations.values()) {
          yield* catchUp(registration, now)
          // A start exactly on a slot runs that slot.
          enqueueNext(registration, now - 1)
        }
        yield* restart
      })

      const stopDispatching = Effect.gen(function*() {
        started = false
        yield* FiberMap.clear(dispatcher)
        for (const name of registrations.keys()) queue.remove(name)
      })

      /** Registers without waking the dispatcher; `schedule` and `reconcile` restart it once. */
      const register = (registration: Registration) =>
        Effect.gen(function*() {
          registrations.set(registration.name, registration)
          if (started) enqueueNext(registration, (yield* Clock.currentTimeMillis) - 1)
        })

      const forget = (name: string) =>
        Effect.sync(() => {
          queue.remove(name)
          return registrations.delete(name)
        })

      const schedule = (registration: Registration) => Effect.zipRight(register(registration), restart)

      const unschedule = (name: string) => Effect.tap(forget(name), (known) => known ? restart : Effect.void)

      const runNow = (name: string, runOptions: { readonly deliver?: boolean | undefined } = {}) =>
        Effect.gen(function*() {
          const registration = registrations.get(name)
          if (registration === undefined) return yield* Effect.fail(new UnknownActionError({ name }))
          const now = yield* Clock.currentTimeMillis
          const run = runSlot(registration, now, { waitForAttempts: true, ...runOptions }).pipe(Effect.provide(context))
          const key = registration.overlap === "allow" ? `${name}#${++runSequence}` : name
          const fiber = yield* FiberMap.run(runs, key, run, { onlyIfMissing: true })
          const report: RunReport = yield* fiber.await.pipe(
            Effect.flatMap((exit) => exit._tag === "Success" ? Effect.succeed(exit.value) : Effect.die(exit.cause))
          )
          return report
        })

      const list = Effect.map(Clock.currentTimeMillis, (now): ReadonlyArray<ScheduledAction> =>
        [...registrations.values()].map((registration) => ({
          name: registration.name,
          description: registration.action.description,
          schedule: registration.schedule.expression,
          timezone: CronSchedule.timezoneOf(registration.schedule),
          nextRunAt: started ? CronSchedule.next(registration.schedule, now - 1) : undefined,
          running: FiberMap.unsafeHas(runs, registration.name)
        })))

      return Scheduler.of({
        schedule,
        unschedule,
        reconcile: (next) =>
          Effect.gen(function*() {
            const wanted = new Map(next.map((registration) => [registration.name, registration]))
            const added: Array<string> = []
            const changed: Array<string> = []
            const removed: Array<string> = []
            for (const name of [...registrations.keys()]) {
              if (!wanted.has(name)) {
                removed.push(name)
                yield* forget(name)
              }
            }
            for (const registration of next) {
              const current = registrations.get(registration.name)
              if (current?.fingerprint === registration.fingerprint) continue
              ;(current === undefined ? added : changed).push(registration.name)
              yield* register(registration)
            }
            if (added.length + changed.length + removed.length > 0) yield* restart
            return { added, changed, removed }
          }),
        start,
        stop: Effect.zipRight(stopDispatching, FiberMap.clear(runs)),
        drain: (graceMs) =>
          stopDispatching.pipe(
            Effect.zipRight(FiberMap.awaitEmpty(runs).pipe(Effect.timeoutOption(Duration.millis(graceMs)))),
            Effect.zipRight(FiberMap.clear(runs))
          ),
        runNow,
        list,
        inFlight: FiberMap.size(runs),
        health: Effect.sync(() => health.snapshot)
      })
    })
  )
