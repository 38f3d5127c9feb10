import { Clock, Duration, Effect, FiberMap, FiberSet, Layer, Option } from "effect"
import { LoopHealth, supervise } from "../domain/LoopSupervisor.js"
import { testFault } from "../domain/TestFaults.js"
import * as CronSchedule from "../domain/CronSchedule.js"
import { applyFailurePolicy } from "../heartbeat/FailurePolicy.js"
import * as Handover from "../heartbeat/Handover.js"
import { firstPending, plannedStart } from "../heartbeat/Jitter.js"
import { missedAlertText } from "../heartbeat/MissedAlert.js"
import { messageId, runSlot } from "../heartbeat/RunSlot.js"
import { type SlotSpan, slotSpan } from "../heartbeat/SlotSpan.js"
import { SlotQueue } from "../heartbeat/SlotQueue.js"
import type { AgentRuntime } from "../services/AgentRuntime.js"
import { Gateway } from "../services/Gateway.js"
import * as Metrics from "../services/Metrics.js"
import {
  ActionBusyError,
  type Registration,
  type RunReport,
  Scheduler,
  type ScheduledAction,
  UnknownActionError
} from "../services/Scheduler.js"
import { StateStore } from "../services/StateStore.js"

/** Scheduler settings from `heartbeat` in `gateway.json`. */
export interface SchedulerOptions {
  /**
   * The longest single sleep before the wall clock is read again. Timers run on the monotonic clock and
   * effect treats a sleep over 2^31-1 ms as infinite, so sleeping straight to a slot months away would
   * never fire, and a suspend or a clock step would go unnoticed until the timer ends.
   */
  readonly wakeIntervalMs: number
  /**
   * How long before a slot the dispatcher wakes to claim it, so that the claim's SQLite transaction (and
   * its fsync) is done when the slot comes and the run is handed over at the instant (`Handover.until`).
   * Default `CLAIM_LEAD_MS` on the live clock; 0 on any other (a `TestClock` has no timer to be late).
   */
  readonly leadMs?: number | undefined
}

/** The default `leadMs`: covers the claim's transaction with a wide margin on an idle machine (~1 ms). */
export const CLAIM_LEAD_MS = 20

/** Missed slots get one record each up to this many per action and event; the rest one summary record. */
export const MISSED_RECORDS_CAP = 1_000

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The scheduler: one dispatcher fiber sleeps until the earliest slot of all registered actions (in
 * bounded steps, re-reading the wall clock each time), then forks each due run into a `FiberMap` keyed
 * by action name. Each run first claims its slot in the ledger, so no slot runs twice. A run never
 * outlives the layer's scope; a failing run is only an outcome.
 */
export const SchedulerLive = (options: SchedulerOptions) =>
  Layer.scoped(
    Scheduler,
    Effect.gen(function*() {
      const store = yield* StateStore
      const gateway = yield* Gateway
      const context = yield* Effect.context<StateStore | Gateway | AgentRuntime>()
      const runs = yield* FiberMap.make<string, RunReport | undefined, ActionBusyError>()
      const background = yield* FiberSet.make<void, never>()
      const registrations = new Map<string, Registration>()
      const queue = new SlotQueue()
      const dispatcher = yield* FiberMap.make<"dispatcher", never, never>()
      // Launches held until their slot because the action's previous run was still going when they were claimed early.
      const deferred = yield* FiberSet.make<void, never>()
      const leadMs = options.leadMs ?? (Handover.sleepsOnRealTimers(yield* Effect.clock) ? CLAIM_LEAD_MS : 0)
      let started = false
      let runSequence = 0
      const health = new LoopHealth()
      const fault = testFault("dispatcher")

      // A schedule change restarts the dispatcher (interrupting its sleep) so it sleeps toward the new
      // earliest slot. Cheaper than racing every sleep against a signal: the hot path is one timer.
      const restart = Effect.suspend(() => started ? FiberMap.run(dispatcher, "dispatcher", supervise("scheduler", health, loop)) : Effect.void)

      // The queue holds each action's planned start; `nominal` its slot (they differ only with jitter).
      const nominal = new Map<string, number>()
      const enqueue = (registration: Registration, slot: number) => {
        nominal.set(registration.name, slot)
        queue.push(registration.name, plannedStart(registration, slot))
      }

      /** Records a slot that did not run; a slot that already has its record keeps it. */
      const recordSlot = (registration: Registration, slot: number, now: number, outcome: "skipped" | "missed", reason: string) =>
        Effect.logWarning(`slot ${iso(slot)} ${outcome}: ${reason}`).pipe(
          Effect.zipRight(store.recordRun({ action: registration.name, scheduledAt: slot, startedAt: now, endedAt: now, outcome, reason })),
          Effect.tap((recorded) => (recorded ? Metrics.recordSlots(registration.name, outcome) : Effect.void)),
          Effect.catchAll((failure) => Effect.logError(`could not record the ${outcome} slot: ${failure.message}`)),
          Effect.annotateLogs({ action: registration.name })
        )

      /**
       * Records the slots of `span` that did not run (all but its last `ran`) as missed: one record each up
       * to the cap, then one summary. Answers how many, and the first and last of them.
       */
      const recordMissed = (registration: Registration, span: SlotSpan, ran: number, reason: string, now: number) =>
        Effect.gen(function*() {
          const count = span.count - ran
          if (count <= 0) return undefined
          const individual = span.head.slice(0, Math.min(MISSED_RECORDS_CAP, count))
          const last = span.tail[span.tail.length - ran - 1]!
          yield* Effect.logWarning(`${count} slot(s) ${reason === "daemon-down" ? "missed while the daemon was down" : `missed (${reason})`}: ${iso(individual[0]!)} .. ${iso(last)}`).pipe(
            Effect.annotateLogs({ action: registration.name })
          )
          yield* Effect.forEach(individual, (slot) =>
            store.recordRun({ action: registration.name, scheduledAt: slot, startedAt: now, endedAt: now, outcome: "missed", reason }), { discard: true })
          yield* Metrics.recordSlots(registration.name, "missed", count)
          if (count > individual.length) {
            const first = CronSchedule.next(registration.schedule, individual.at(-1)!)
            yield* store.recordRun({
              action: registration.name,
              scheduledAt: first,
              lastSlot: last,
              count: count - individual.length,
              startedAt: now,
              endedAt: now,
              outcome: "missed",
              reason,
              error: span.exact ? undefined : "at least this many slots (too many to count)"
            })
          }
          return { count, first: individual[0]!, last }
        }).pipe(
          Effect.catchAll((failure) =>
            Effect.as(Effect.logError(`could not record missed slots: ${failure.message}`).pipe(Effect.annotateLogs({ action: registration.name })), undefined)
          )
        )

      /**
       * Claims a scheduled slot and runs it, starting at `startAt` (the slot, or its planned start with
       * jitter): the claim may come up to `leadMs` early, the run never does. A slot with a record
       * already, or an action busy elsewhere, does not run.
       */
      const claimAndRun = (registration: Registration, slot: number, startAt: number) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const claim = yield* store.claim({
            action: registration.name,
            scheduledAt: slot,
            trigger: "schedule",
            startedAt: Math.max(now, startAt),
            exclusive: registration.overlap === "skip",
            backoff: registration.onFailure?.backoff,
            plannedAt: (registration.jitterMs ?? 0) > 0 ? plannedStart(registration, slot) : undefined
          }).pipe(Effect.either)
          if (claim._tag === "Left") {
            yield* Effect.logError(`cannot claim slot ${iso(slot)}; not running it: ${claim.left.message}`)
            return undefined
          }
          switch (claim.right._tag) {
            case "AlreadyRecorded":
              yield* Effect.logInfo(`slot ${iso(slot)} already has its record (${claim.right.outcome}); not running it again`)
              return undefined
            case "Paused":
              yield* Effect.logInfo(`slot ${iso(slot)} skipped: paused${claim.right.pause.reason === undefined ? "" : ` (${claim.right.pause.reason})`}`)
              return undefined
            case "Backoff":
              yield* Effect.logInfo(`slot ${iso(slot)} skipped: backoff after consecutive failures`)
              return undefined
            case "Busy":
              yield* Effect.logWarning(`slot ${iso(slot)} skipped: overlap (process ${claim.right.holder.pid} is running the action)`)
              yield* Metrics.recordSlots(registration.name, "skipped")
              return undefined
            case "Claimed": {
              // runSlot waits for `startAt` as its last step before the action's body (a stop during the wait
              // is an interrupted run, recorded as such).
              const report = yield* runSlot(registration, slot, { claimId: claim.right.id, trigger: "schedule", startAt })
              yield* applyFailurePolicy(registration, report)
              return report
            }
          }
        }).pipe(Effect.annotateLogs({ action: registration.name }), Effect.provide(context))

      /**
       * Forks one run, honouring the overlap policy. Woken before `startAt` and finding the action's
       * previous run still going, it decides at `startAt` instead: that run may end in time.
       */
      const launch = (registration: Registration, slot: number, startAt: number, now: number): Effect.Effect<void> => {
        const run = claimAndRun(registration, slot, startAt)
        if (registration.overlap === "allow") {
          return FiberMap.run(runs, `${registration.name}#${++runSequence}`, run).pipe(Effect.asVoid)
        }
        return FiberMap.has(runs, registration.name).pipe(
          Effect.flatMap((busy) =>
            !busy
              ? FiberMap.run(runs, registration.name, run).pipe(Effect.asVoid)
              : startAt > now
              ? FiberSet.run(deferred, Handover.until(startAt).pipe(Effect.zipRight(Effect.flatMap(Clock.currentTimeMillis, (at) => launch(registration, slot, startAt, at))))).pipe(Effect.asVoid)
              : recordSlot(registration, slot, now, "skipped", "overlap")
          )
        )
      }

      /** Runs caught-up slots one after another, in slot order, as one occupant of the action's overlap key. */
      const launchSequence = (registration: Registration, slots: ReadonlyArray<number>) => {
        const sequence = Effect.forEach(slots, (slot) => claimAndRun(registration, slot, slot), { discard: true }).pipe(Effect.as(undefined))
        const key = registration.overlap === "allow" ? `${registration.name}#${++runSequence}` : registration.name
        return FiberMap.run(runs, key, sequence).pipe(Effect.asVoid)
      }

      /** How many of the latest passed slots the catch-up policy runs. */
      const catchUpCount = (registration: Registration) =>
        registration.catchUp === "all" ? registration.catchUpMax ?? 10 : 1

      /**
       * What to do with an entry that came due: run it, and queue the next one. A late wake (a stall, a
       * suspend, a clock step) that finds several passed slots runs the latest (or, with `catchUp: "all"`,
       * up to `catchUpMax` of them) and records the others as missed (`clock-jump`); when even the latest is
       * older than `catchUpWindow`, none runs and all are missed (`late`).
       */
      const plan = (registration: Registration, dueAt: number, now: number) =>
        Effect.try({
          try: () => {
            const nextAt = CronSchedule.next(registration.schedule, dueAt)
            const latest = nextAt > now ? dueAt : CronSchedule.previous(registration.schedule, now)
            const k = catchUpCount(registration)
            const span = nextAt > now
              ? { head: [dueAt], tail: [dueAt], count: 1, exact: true }
              : slotSpan(registration.schedule, dueAt - 1, latest + 1, { head: MISSED_RECORDS_CAP, tail: k + 1 })
            const late = now - latest > registration.catchUpWindowMs
            const run = late ? [] : span.tail.slice(-k).filter((slot) => now - slot <= registration.catchUpWindowMs)
            return { span, run, late, nextAt: CronSchedule.next(registration.schedule, latest) }
          },
          catch: (cause) => cause
        })

      const dispatchDue = (now: number) =>
        Effect.gen(function*() {
          // Entries due within the lead are taken now: their claims run before their slots come.
          for (let due = queue.popDue(now + leadMs); due !== undefined; due = queue.popDue(now + leadMs)) {
            const registration = registrations.get(due.key)
            if (registration === undefined) continue
            const dueAt = nominal.get(due.key) ?? due.at
            const planned = yield* Effect.either(plan(registration, dueAt, now))
            if (planned._tag === "Left") {
              // Slot arithmetic is validated at load; should it still throw, that action stops, not the scheduler.
              yield* Effect.logError("cannot compute the next slot; action unscheduled", planned.left).pipe(
                Effect.annotateLogs({ action: registration.name })
              )
              registrations.delete(registration.name)
              continue
            }
            const { late, nextAt, run, span } = planned.right
            enqueue(registration, nextAt)
            if (span.count > run.length) {
              yield* Effect.logWarning(`woke ${now - due.at} ms after slot ${iso(dueAt)}; ${run.length === 0 ? "past catchUpWindow, running none" : `running the latest ${run.length}`}`).pipe(
                Effect.annotateLogs({ action: registration.name })
              )
              yield* recordMissed(registration, span, run.length, late ? "late" : "clock-jump", now)
            }
            // On time, the run starts at the planned start; a late wake runs its slot at once.
            if (run.length === 1) yield* launch(registration, run[0]!, run[0] === dueAt ? due.at : now, now)
            else if (run.length > 1) yield* launchSequence(registration, run)
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
          const wait = next === undefined ? options.wakeIntervalMs : Math.min(Math.max(next.at - leadMs - after, 0), options.wakeIntervalMs)
          yield* Clock.sleep(Duration.millis(wait))
        }
      })

      /**
       * At start, every slot since the action's last record and before now is accounted for: the catch-up
       * policy runs some (the latest within `catchUpWindow`), the rest are recorded as missed (`daemon-down`).
       * A slot exactly at the start is not missed: the schedule runs it.
       */
      const catchUp = (registration: Registration, last: number, now: number) =>
        Effect.gen(function*() {
          const k = registration.catchUp === "none" ? 0 : catchUpCount(registration)
          // Slots before the first one still to come (with jitter, a slot just passed may still be pending).
          const span = slotSpan(registration.schedule, last, firstPending(registration, now), { head: MISSED_RECORDS_CAP, tail: k + 1 })
          if (span.count === 0) return
          const run = span.tail.slice(span.tail.length - Math.min(k, span.count)).filter((slot) => now - slot <= registration.catchUpWindowMs)
          const missed = yield* recordMissed(registration, span, run.length, "daemon-down", now)
          if (run.length > 0) {
            yield* Effect.logInfo(`catching up ${run.length} missed slot(s): ${run.map(iso).join(", ")}`).pipe(Effect.annotateLogs({ action: registration.name }))
            yield* launchSequence(registration, run)
          }
          if (missed !== undefined && registration.missedAlert === true) {
            yield* FiberSet.run(background, gateway.send({
              id: `${messageId(registration.name, missed.first)}#missed`,
              action: registration.name,
              message: missedAlertText(registration.name, missed, run.length),
              metadata: { missed: missed.count, firstSlot: iso(missed.first), lastSlot: iso(missed.last), ran: run.length },
              scheduledAt: missed.first,
              startedAt: now
            }, { channels: registration.channels }).pipe(Effect.asVoid))
          }
        })

      const start = Effect.gen(function*() {
        if (started) return
        started = true
        const released = yield* store.releaseAbandoned.pipe(Effect.orElseSucceed(() => 0))
        if (released > 0) yield* Effect.logWarning(`${released} run(s) left in progress by a process that is gone, recorded as failed (interrupted)`)
        const now = yield* Clock.currentTimeMillis
        // Every action's last slot in one read; should it fail, each action's own read is tried.
        const lastSlots = yield* store.lastSlots.pipe(Effect.option)
        for (const registration of registrations.values()) {
          const last = Option.isSome(lastSlots)
            ? lastSlots.value.get(registration.name)
            : Option.getOrUndefined(yield* store.lastSlot(registration.name).pipe(Effect.orElseSucceed(() => Option.none<number>())))
          // An action with no record yet is new: nothing of it was missed.
          if (last !== undefined) yield* catchUp(registration, last, now)
          // A start exactly on a slot runs that slot.
          enqueue(registration, firstPending(registration, now))
        }
        yield* restart
      })

      const stopDispatching = Effect.gen(function*() {
        started = false
        yield* FiberMap.clear(dispatcher)
        yield* FiberSet.clear(deferred)
        for (const name of registrations.keys()) {
          queue.remove(name)
          nominal.delete(name)
        }
      })

      /** Registers without waking the dispatcher; `schedule` and `reconcile` restart it once. */
      const registerAt = (registration: Registration, now: number) => {
        registrations.set(registration.name, registration)
        if (started) enqueue(registration, firstPending(registration, now))
      }

      const register = (registration: Registration) => Effect.map(Clock.currentTimeMillis, (now) => registerAt(registration, now))

      const forget = (name: string) =>
        Effect.sync(() => {
          queue.remove(name)
          nominal.delete(name)
          return registrations.delete(name)
        })

      const schedule = (registration: Registration) => Effect.zipRight(register(registration), restart)

      const unschedule = (name: string) => Effect.tap(forget(name), (known) => known ? restart : Effect.void)

      /** A manual run: recorded with `trigger: "manual"`, claimed like a slot so it never runs beside another run of the action. */
      const manualRun = (registration: Registration, deliver: boolean | undefined) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const claim = yield* store.claim({ action: registration.name, scheduledAt: now, trigger: "manual", startedAt: now, exclusive: registration.overlap === "skip" }).pipe(
            Effect.orDie
          )
          if (claim._tag === "Busy") return yield* Effect.fail(new ActionBusyError({ name: registration.name, holder: claim.holder }))
          if (claim._tag !== "Claimed") return yield* Effect.dieMessage(`a manual run of ${registration.name} found its own record`)
          return yield* runSlot(registration, now, { claimId: claim.id, trigger: "manual", deliver })
        }).pipe(Effect.provide(context))

      const runNow = (name: string, runOptions: { readonly deliver?: boolean | undefined } = {}) =>
        Effect.gen(function*() {
          const registration = registrations.get(name)
          if (registration === undefined) return yield* Effect.fail(new UnknownActionError({ name }))
          const key = registration.overlap === "allow" ? `${name}#${++runSequence}` : name
          // A run of the action already in flight here answers for this one (it is the run that happens now).
          const fiber = yield* FiberMap.run(runs, key, manualRun(registration, runOptions.deliver), { onlyIfMissing: true })
          const report = yield* fiber.await.pipe(
            Effect.flatMap((exit) => exit._tag === "Success" ? Effect.succeed(exit.value) : Effect.failCause(exit.cause))
          )
          if (report === undefined) {
            return yield* Effect.fail(new ActionBusyError({ name, holder: { pid: process.pid, trigger: "schedule", scheduledAt: yield* Clock.currentTimeMillis } }))
          }
          return report
        })

      const list = Effect.map(Clock.currentTimeMillis, (now): ReadonlyArray<ScheduledAction> =>
        [...registrations.values()].map((registration) => ({
          name: registration.name,
          description: registration.action.description,
          schedule: registration.schedule.expression,
          timezone: CronSchedule.timezoneOf(registration.schedule),
          nextRunAt: started ? plannedStart(registration, firstPending(registration, now)) : undefined,
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
            // One clock read and a plain loop: 10,000 registrations are 10,000 map and heap updates, not 10,000 effects.
            const now = yield* Clock.currentTimeMillis
            for (const registration of next) {
              const current = registrations.get(registration.name)
              if (current?.fingerprint === registration.fingerprint) continue
              ;(current === undefined ? added : changed).push(registration.name)
              registerAt(registration, now)
            }
            if (added.length + changed.length + removed.length > 0) yield* restart
            return { added, changed, removed }
          }),
        start,
        stop: Effect.zipRight(stopDispatching, FiberMap.clear(runs)),
        drain: (graceMs) =>
          stopDispatching.pipe(
            Effect.zipRight(FiberMap.awaitEmpty(runs).pipe(Effect.ignore, Effect.timeoutOption(Duration.millis(graceMs)))),
            Effect.zipRight(FiberMap.clear(runs))
          ),
        runNow,
        list,
        inFlight: FiberMap.size(runs),
        health: Effect.sync(() => health.snapshot)
      })
    })
  )
