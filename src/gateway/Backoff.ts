import { Duration, Effect, Random, Schedule } from "effect"
import type { DeliveryPolicy } from "../domain/ChannelsConfig.js"
import type { DeliveryError } from "../services/Gateway.js"

/** A `Retry-After` up to this long is waited out inside `send`; a longer one sends the message to the queue. */
export const QUICK_RETRY_AFTER_LIMIT = 5_000

/**
 * The retries `send` makes before queueing: exponential from `backoff`, jittered, capped at `maxBackoff`,
 * at most `retries` of them, and only after a fast retryable failure (a timed-out attempt already used
 * the caller's budget). A 429's `Retry-After` replaces the computed delay.
 */
export const quickRetry = (policy: DeliveryPolicy): Schedule.Schedule<DeliveryError, DeliveryError> =>
  Schedule.passthrough(
    Schedule.exponential(Duration.millis(policy.backoff)).pipe(
      Schedule.jittered,
      Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(policy.maxBackoff))),
      Schedule.intersect(Schedule.recurs(policy.retries))
    ) as Schedule.Schedule<unknown, DeliveryError> // cast: widens the schedule's input to the errors it is used with; it ignores its input
  ).pipe(
    Schedule.whileInput((error: DeliveryError) =>
      error.retryable && error.timedOut !== true && (error.retryAfter ?? 0) <= QUICK_RETRY_AFTER_LIMIT
    ),
    Schedule.modifyDelay((error, delay) => error.retryAfter === undefined ? delay : Duration.millis(error.retryAfter))
  )

/**
 * The wait before the next attempt after `failures` failed attempts in a row: `backoff · 2^(failures-1)`,
 * ±20 % jitter, at most `maxBackoff`; a channel's `Retry-After` wins when it is longer.
 */
export const backoffDelay = (policy: DeliveryPolicy, failures: number, retryAfter?: number): Effect.Effect<number> =>
  Random.nextRange(0.8, 1.2).pipe(Effect.map((jitter) => {
    const exponential = policy.backoff * 2 ** Math.max(0, failures - 1)
    return Math.max(retryAfter ?? 0, Math.round(Math.min(policy.maxBackoff, exponential * jitter)))
  }))

/** How long `send` may hold a message's lease: every quick attempt at its timeout, plus the waits between. */
export const sendLeaseMs = (policy: DeliveryPolicy, timeout: number): number =>
  (policy.retries + 1) * timeout +
  policy.retries * Math.max(QUICK_RETRY_AFTER_LIMIT, Math.min(policy.maxBackoff, policy.backoff * 2 ** policy.retries)) +
  LEASE_MARGIN

/** Slack between a lease's expected end and its expiry; a lease only outlives its holder after kill -9. */
export const LEASE_MARGIN = 2_000
