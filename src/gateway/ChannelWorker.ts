import { Clock, Duration, Effect, Either, Option, Queue, Ref, Schedule, type Tracer } from "effect"
import type { DeliveryPolicy } from "../domain/ChannelsConfig.js"
import {
  type ChannelPlugin,
  type ChannelStatus,
  type DeliveryOutcome,
  DeliveryError,
  type OutboundMessage
} from "../services/Gateway.js"
import { LoopHealth } from "../domain/LoopSupervisor.js"
import { testFault } from "../domain/TestFaults.js"
import * as Metrics from "../services/Metrics.js"
import { backoffDelay, LEASE_MARGIN, quickRetry, sendLeaseMs } from "./Backoff.js"
import type { Outbox, OutboxError, OutboxKey } from "./Outbox.js"
import { decodePayload } from "./OutboxRecord.js"
import type { Redact } from "./Redactor.js"
import { errorMessage } from "../domain/DescribeError.js"

const outcome = (channel: string, status: DeliveryOutcome["status"], rest: Omit<DeliveryOutcome, "channel" | "status">): DeliveryOutcome =>
  ({ channel, status, ...rest })

/** Rows read from the outbox per query while draining. */
const BATCH = 100

/** Spans of sends kept per channel for the background attempts of their messages; the oldest goes first past this. */
const ORIGINS = 1_000

/** One channel's delivery: `send` for a new message, `run` as its background retry loop. */
export interface ChannelWorker {
  readonly name: string
  readonly send: (message: OutboundMessage) => Effect.Effect<DeliveryOutcome, OutboxError>
  /** Commits the message to the outbox and leaves the attempts to `run`; answers `queued` (or what is already known of the id). */
  readonly enqueue: (message: OutboundMessage) => Effect.Effect<DeliveryOutcome, OutboxError>
  /** One pass over the channel's queue; `force` ignores the channel's backoff. */
  readonly drain: (force: boolean) => Effect.Effect<void, OutboxError>
  /** Retries queued messages forever: after each backoff, on `wake`, and every `pollInterval` for rows other processes queued. */
  readonly run: Effect.Effect<never>
  /** `run`'s liveness and restarts, kept by the supervisor that runs it. */
  readonly health: LoopHealth
  readonly status: Effect.Effect<ChannelStatus, OutboxError>
}

interface ChannelState {
  /** Failed attempts in a row; the backoff grows with it. */
  readonly failures: number
  /** No attempts before this (epoch ms), unless forced. */
  readonly blockedUntil: number
  readonly lastError: string | undefined
}

/** Builds the worker for one channel plugin. */
export const makeChannelWorker = (options: {
  readonly plugin: ChannelPlugin
  readonly timeout: number
  readonly policy: DeliveryPolicy
  readonly outbox: Outbox
  readonly redact: Redact
  readonly pollInterval: number
}) =>
  Effect.gen(function*() {
    const { outbox, plugin, policy, redact, timeout } = options
    const name = plugin.name
    const resumeAt = yield* outbox.resumeAt(name).pipe(Effect.orElseSucceed(() => 0))
    const state = yield* Ref.make<ChannelState>({ failures: 0, blockedUntil: resumeAt, lastError: undefined })
    const wake = yield* Queue.sliding<void>(1)
    const health = new LoopHealth()
    const fault = testFault(`channel:${name}`)
    /**
     * The span that enqueued each message this process still has to deliver (`Gateway.send`), so that the
     * background attempts are its children, in the run's trace, though the run has ended. Messages that other
     * processes queued, or queued before a restart, have none: their attempts start traces of their own.
     */
    const origins = new Map<string, Tracer.AnySpan>()
    const remember = (id: string, span: Tracer.AnySpan) => {
      origins.delete(id)
      origins.set(id, span)
      if (origins.size > ORIGINS) origins.delete(origins.keys().next().value!)
    }
    const underOrigin = <A, E, R>(id: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
      const origin = origins.get(id)
      return origin === undefined ? effect : Effect.withParentSpan(effect, origin)
    }

    /** One attempt, counted in the outbox before it starts; every failure becomes a `DeliveryError`. */
    const attemptOnce = Effect.fn("Gateway.attempt")(function*(key: OutboxKey, message: OutboundMessage, attempts: Ref.Ref<number>) {
      const row = yield* outbox.beginAttempt(key).pipe(
        Effect.mapError((error) => new DeliveryError({ message: `outbox: ${error.message}`, retryable: true }))
      )
      yield* Ref.set(attempts, row.attempts)
      yield* Effect.annotateCurrentSpan({ channel: name, messageId: message.id, attempt: row.attempts })
      yield* plugin.send({
        message,
        attempt: row.attempts,
        partsDone: row.parts_done,
        savePartsDone: (n) =>
          outbox.savePartsDone(key, n).pipe(Effect.catchAll((error) => Effect.logWarning(`cannot record progress: ${error.message}`)))
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(timeout),
          onTimeout: () => new DeliveryError({ message: `no answer within ${timeout} ms`, retryable: true, timedOut: true })
        }),
        Effect.catchAllDefect((defect) =>
          Effect.fail(new DeliveryError({ message: `channel failed: ${errorMessage(defect)}`, retryable: true }))
        )
      )
    })

    /** Attempts a leased row (with `schedule`'s retries) and records the result in the outbox and the channel state. */
    const deliverLeased = (
      key: OutboxKey,
      message: OutboundMessage,
      attemptsSoFar: number,
      schedule: Schedule.Schedule<unknown, DeliveryError>
    ): Effect.Effect<DeliveryOutcome, OutboxError> =>
      Effect.gen(function*() {
        const attempts = yield* Ref.make(attemptsSoFar)
        const result = yield* attemptOnce(key, message, attempts).pipe(Effect.retry(schedule), Effect.either)
        const tried = yield* Ref.get(attempts)
        const made = tried - attemptsSoFar
        const now = yield* Clock.currentTimeMillis
        if (Either.isRight(result)) {
          yield* outbox.delivered(key, now)
          yield* Ref.set(state, { failures: 0, blockedUntil: 0, lastError: undefined })
          yield* Effect.logInfo(`delivered ${message.id} (attempt ${tried})`)
          // The channel answers again: older queued messages need not wait for their backoff.
          yield* Queue.offer(wake, undefined)
          return outcome(name, "delivered", { attempts: tried })
        }
        const error = redact(result.left.message)
        if (result.left.detail !== undefined) yield* Effect.logDebug(`${message.id}: the receiver answered: ${redact(result.left.detail)}`)
        if (!result.left.retryable) {
          yield* outbox.dropped(key, now, error)
          yield* Metrics.recordDeadLetter(name)
          yield* Ref.update(state, (s) => ({ ...s, failures: 0, lastError: error }))
          yield* Effect.logError(`refused ${message.id}, dropped: ${error}`)
          return outcome(name, "dropped", { attempts: tried, error })
        }
        const failures = (yield* Ref.get(state)).failures + Math.max(1, made)
        const delay = yield* backoffDelay(policy, failures, result.left.retryAfter)
        yield* outbox.retryLater(key, now + delay, error)
        yield* Ref.set(state, { failures, blockedUntil: now + delay, lastError: error })
        yield* Effect.logWarning(`queued ${message.id} after attempt ${tried}: ${error}; next try in ${delay} ms`)
        yield* Queue.offer(wake, undefined)
        return outcome(name, "queued", { attempts: tried, error })
      }).pipe(
        Effect.onInterrupt(() => outbox.release(key).pipe(Effect.ignore)),
        Effect.annotateLogs({ action: message.action, messageId: message.id })
      )

    const send = (message: OutboundMessage): Effect.Effect<DeliveryOutcome, OutboxError> =>
      Effect.gen(function*() {
        const key = { id: message.id, channel: name }
        const now = yield* Clock.currentTimeMillis
        const claim = yield* outbox.open(message, name, now, sendLeaseMs(policy, timeout))
        const { attempts, last_error } = claim.row
        const lastError = last_error ?? undefined
        switch (claim._tag) {
          case "Finished":
            return claim.row.status === "delivered"
              ? outcome(name, "duplicate", { attempts })
              : outcome(name, "dropped", { attempts, error: lastError })
          case "Busy":
            return outcome(name, "queued", { attempts, error: lastError })
        }
        const current = yield* Ref.get(state)
        if (current.blockedUntil > now) {
          // The channel is backing off: the message joins the queue without making the caller wait.
          yield* outbox.release(key)
          yield* Effect.logInfo(`queued ${message.id}: channel backing off for ${current.blockedUntil - now} ms`)
          return outcome(name, "queued", { attempts, error: current.lastError })
        }
        return yield* deliverLeased(key, message, attempts, quickRetry(policy))
      }).pipe(Effect.annotateLogs({ channel: name }))

    const drain = (force: boolean): Effect.Effect<void, OutboxError> =>
      Effect.gen(function*() {
        if (!force && (yield* Ref.get(state)).blockedUntil > (yield* Clock.currentTimeMillis)) return
        while (true) {
          const rows = yield* outbox.pendingRows(name, yield* Clock.currentTimeMillis, BATCH)
          for (const pending of rows) {
            const now = yield* Clock.currentTimeMillis
            if (Either.isLeft(pending)) {
              // A column that does not decode: like an unreadable payload, set aside with the reason.
              yield* outbox.deadLetter(pending.left.key, now, pending.left.reason)
              origins.delete(pending.left.key.id)
              yield* Metrics.recordDeadLetter(name)
              yield* Effect.logError(`dead letter ${pending.left.key.id}: ${pending.left.reason}`)
              continue
            }
            const row = pending.right
            const key = { id: row.id, channel: name }
            const claim = yield* outbox.claim(key, now, timeout + LEASE_MARGIN)
            if (claim?._tag !== "Claimed") continue
            if (now - row.created_at >= policy.expireAfter) {
              const error = `expired: undelivered after ${row.attempts} attempts in ${now - row.created_at} ms (last error: ${row.last_error ?? "none"})`
              yield* outbox.dropped(key, now, error)
              origins.delete(row.id)
              yield* Metrics.recordDeadLetter(name).pipe(Effect.zipRight(Metrics.recordDelivery(name, "dropped")))
              yield* Effect.logError(`dropped ${row.id}: ${error}`)
              continue
            }
            const message = decodePayload(row.payload)
            if (Either.isLeft(message)) {
              // Not a message: it can never be delivered, and must not stop the rows behind it.
              yield* outbox.deadLetter(key, now, message.left)
              origins.delete(row.id)
              yield* Metrics.recordDeadLetter(name)
              yield* Effect.logError(`dead letter ${row.id}: ${message.left}`)
              continue
            }
            const outcome = yield* underOrigin(row.id, deliverLeased(key, message.right, row.attempts, Schedule.stop))
            if (outcome.status !== "queued") origins.delete(row.id)
            yield* Metrics.recordDelivery(name, outcome.status)
            // Down again: the rest waits for the backoff rather than each failing in turn.
            if (outcome.status === "queued") return
          }
          if (rows.length < BATCH) return
        }
      }).pipe(Effect.annotateLogs({ channel: name }))

    const enqueue = (message: OutboundMessage): Effect.Effect<DeliveryOutcome, OutboxError> =>
      Effect.gen(function*() {
        const row = yield* outbox.enqueue(message, name, yield* Clock.currentTimeMillis)
        if (row.status === "pending") {
          const span = yield* Effect.option(Effect.currentParentSpan)
          if (Option.isSome(span)) remember(message.id, span.value)
        }
        yield* Queue.offer(wake, undefined)
        const error = row.last_error ?? undefined
        return row.status === "delivered"
          ? outcome(name, "duplicate", { attempts: row.attempts })
          : row.status === "pending"
          ? outcome(name, "queued", { attempts: row.attempts, error })
          : outcome(name, "dropped", { attempts: row.attempts, error })
      }).pipe(Effect.annotateLogs({ channel: name }))

    const run: Effect.Effect<never> = Effect.gen(function*() {
      health.tick(yield* Clock.currentTimeMillis)
      yield* fault.turn
      yield* drain(false).pipe(
        Effect.catchAll((error) => Effect.logError(`outbox: ${error.message}`).pipe(Effect.annotateLogs({ channel: name })))
      )
      const now = yield* Clock.currentTimeMillis
      const { blockedUntil } = yield* Ref.get(state)
      const wait = blockedUntil > now ? blockedUntil - now : options.pollInterval
      yield* Effect.race(Effect.sleep(Duration.millis(wait)), Queue.take(wake))
    }).pipe(Effect.forever)

    const status: Effect.Effect<ChannelStatus, OutboxError> = Effect.gen(function*() {
      const plugged = yield* plugin.health.pipe(
        Effect.catchAllDefect((defect) => Effect.succeed({ healthy: false, target: "?", detail: String(defect) }))
      )
      const current = yield* Ref.get(state)
      return {
        channel: name,
        type: plugin.type,
        healthy: plugged.healthy && current.failures === 0,
        target: redact(plugged.target),
        detail: plugged.detail === undefined ? undefined : redact(plugged.detail),
        pending: yield* outbox.pendingCount(name),
        lastDeliveredAt: yield* outbox.lastDeliveredAt(name),
        lastError: current.lastError,
        deadLetters: yield* outbox.deadLetterCount(name),
        alive: health.alive,
        restarts: health.restarts
      }
    })

    return { name, send, enqueue, drain, run, health, status } satisfies ChannelWorker
  })
