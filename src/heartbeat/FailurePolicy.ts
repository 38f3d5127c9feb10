import { Clock, Effect, Option } from "effect"
import { Gateway } from "../services/Gateway.js"
import type { Registration, RunReport } from "../services/Scheduler.js"
import { StateStore } from "../services/StateStore.js"
import * as CronSchedule from "../domain/CronSchedule.js"
import { messageId } from "./RunSlot.js"

const iso = (ms: number) => new Date(ms).toISOString()

/** How many slots the backoff skips after `failures` consecutive failures: 1, 2, 4, ..., at most an hour's worth. */
export const backoffSlots = (registration: Registration, slot: number, failures: number): number => {
  const wanted = 2 ** Math.min(failures - 1, 20)
  let count = 0
  for (let at = CronSchedule.next(registration.schedule, slot); count < wanted && at <= slot + 3_600_000; at = CronSchedule.next(registration.schedule, at)) count++
  return Math.max(1, count)
}

/**
 * The failure policy after a scheduled run: counts consecutive `failed`/`timed-out` runs; after
 * `alertAfter` sends one alert (none again within `cooldown`); after `pauseAfter` pauses the action (by
 * failure-policy) and says so; with `backoff` the next slots are skipped (1, 2, 4, ...); the first success
 * after an alert sends one `recovered` message. Alerts go through the durable outbox with ids
 * `action@slot#alert` / `#recovered`.
 */
export const applyFailurePolicy = Effect.fn("Heartbeat.failurePolicy")(function*(registration: Registration, report: RunReport) {
  const policy = registration.onFailure
  if (policy === undefined) return
  const store = yield* StateStore
  const gateway = yield* Gateway
  const now = yield* Clock.currentTimeMillis
  const streak = Option.getOrUndefined(yield* store.failureStreak(registration.name))
  const channels = policy.alertChannels ?? registration.channels
  const send = (suffix: string, message: string, metadata: Record<string, unknown>) =>
    gateway.send({
      id: `${messageId(registration.name, report.scheduledAt)}#${suffix}`,
      action: registration.name,
      message,
      metadata,
      scheduledAt: report.scheduledAt,
      startedAt: now
    }, { channels })
  if (report.outcome !== "failed" && report.outcome !== "timed-out") {
    if (streak === undefined) return
    yield* store.setFailureStreak(registration.name, undefined)
    if (streak.alertedAt !== undefined) {
      yield* send("recovered", `${registration.name} recovered: ${report.outcome} at ${iso(report.scheduledAt)} after ${streak.failures} failed runs`, {
        failures: streak.failures
      })
    }
    return
  }
  const failures = (streak?.failures ?? 0) + 1
  const firstFailureAt = streak?.firstFailureAt ?? report.scheduledAt
  const lastError = report.error ?? report.outcome
  const pausing = policy.pauseAfter !== undefined && failures >= policy.pauseAfter
  // A pause replaces the backoff: after a resume the next slot runs.
  const skip = policy.backoff && !pausing ? backoffSlots(registration, report.scheduledAt, failures) : 0
  let nextSlot = report.scheduledAt
  for (let i = 0; i <= skip; i++) nextSlot = CronSchedule.next(registration.schedule, nextSlot)
  const alertDue = failures >= policy.alertAfter && (streak?.alertedAt === undefined || now - streak.alertedAt >= policy.cooldownMs)
  const metadata = { failures, firstFailureAt: iso(firstFailureAt), lastError, nextSlot: pausing ? null : iso(nextSlot) }
  if (pausing) {
    yield* store.pause({ action: registration.name, since: now, reason: `${failures} consecutive failures; last: ${lastError}`, by: "failure-policy" })
    yield* Effect.logWarning(`paused by the failure policy after ${failures} consecutive failures`)
    yield* send("alert", `${registration.name} paused after ${failures} consecutive failures (since ${iso(firstFailureAt)}); last error: ${lastError}. Resume with: agenc heartbeat resume ${registration.name}`, metadata)
  } else if (alertDue) {
    yield* send("alert", `${registration.name} failed ${failures} times in a row (since ${iso(firstFailureAt)}); last error: ${lastError}; next slot ${iso(nextSlot)}`, metadata)
  }
  yield* store.setFailureStreak(registration.name, {
    failures,
    firstFailureAt,
    lastError,
    alertedAt: pausing || alertDue ? now : streak?.alertedAt,
    skipRemaining: skip
  })
}, (effect, registration) =>
  Effect.catchAll(effect, (error) => Effect.logError(`failure policy: ${error.message}`)).pipe(Effect.annotateLogs({ action: registration.name })))
