import { Cause, Clock, Duration, Effect, Exit, Option, Schema } from "effect"
import { AgentRuntime } from "../services/AgentRuntime.js"
import { Gateway, type DeliveryOutcome } from "../services/Gateway.js"
import * as Metrics from "../services/Metrics.js"
import type { Registration, RunReport } from "../services/Scheduler.js"
import { Session, makeSession } from "../services/Session.js"
import { StateStore, type RunOutcome } from "../services/StateStore.js"
import { Links } from "../domain/ChannelsConfig.js"
import { MessageContent } from "../domain/MessageContent.js"
import * as CronSchedule from "../domain/CronSchedule.js"
import { describeFailure } from "../domain/DescribeError.js"
import type { HeartbeatResult } from "../services/HeartbeatAction.js"
import * as Handover from "./Handover.js"

/** The idempotency key of a slot's message: stable across retries and restarts. */
export const messageId = (action: string, scheduledAt: number): string => `${action}@${new Date(scheduledAt).toISOString()}`

const defaultLinks = new Links({})

/** An action's structured content, if it decodes; otherwise the plain message goes alone and a warning says why. */
const validContent = (content: unknown): Effect.Effect<{ readonly content?: MessageContent }> =>
  content === undefined ? Effect.succeed({}) : Schema.decodeUnknown(MessageContent)(content).pipe(
    Effect.map((decoded) => ({ content: decoded })),
    Effect.catchAll((error) => Effect.logWarning(`action content ignored: ${error.message.split("\n")[0]}`).pipe(Effect.as({})))
  )

/**
 * One run of one claimed slot: executes the action in its own session with its timeout, applies the
 * quiet contract, delivers, and ends the claim's ledger record. Never fails: a failure, defect or
 * timeout of the action becomes the run's outcome.
 */
export const runSlot = Effect.fn("Heartbeat.runSlot")(function*(
  registration: Registration,
  scheduledAt: number,
  options: {
    readonly claimId: number
    readonly trigger: "schedule" | "manual"
    readonly deliver?: boolean | undefined
    /** Wait for the channels' first attempts (`heartbeat run`, `trigger`); a scheduled run ends once the outbox has the message. */
    readonly waitForAttempts?: boolean | undefined
    /** A slot claimed early: the action's body starts at this instant (`Handover.until`), not before. */
    readonly startAt?: number | undefined
  }
) {
  const store = yield* StateStore
  const gateway = yield* Gateway
  const runtime = yield* AgentRuntime
  const session = makeSession(store, registration.name)
  // The handover is the last step before the body, inside the run's own fiber: everything above is done
  // ahead of the instant. It returns within microseconds of `startAt`, which is therefore the start.
  const startedAt = Math.max(yield* Clock.currentTimeMillis, options.startAt ?? 0)
  yield* Effect.annotateCurrentSpan({ action: registration.name, slot: new Date(scheduledAt).toISOString() })
  const body = Effect.suspend(() => registration.action.execute({
    action: registration.name,
    scheduledAt,
    timezone: CronSchedule.timezoneOf(registration.schedule),
    links: registration.links ?? defaultLinks,
    config: registration.config,
    gateway,
    runtime,
    session
  }))
  const execution = (options.startAt === undefined ? body : Effect.zipRight(Handover.until(options.startAt), body)).pipe(
    Effect.provideService(Session, session),
    Effect.provideService(Gateway, gateway),
    Effect.provideService(AgentRuntime, runtime),
    Effect.timeoutOption(Duration.millis(registration.timeoutMs)),
    Effect.exit
  )
  const exit = yield* execution.pipe(
    // Shutdown interrupts the run from outside: the ledger still gets a line for it.
    Effect.onInterrupt(() =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((endedAt) =>
          store.finish(options.claimId, { endedAt, outcome: "failed", error: "interrupted" }).pipe(
            Effect.ensuring(Metrics.recordRun({ action: registration.name, scheduledAt, startedAt, endedAt, outcome: "failed" }))
          )
        ),
        Effect.ignore
      )
    )
  )
  let outcome: RunOutcome
  let result: HeartbeatResult | undefined
  let error: string | undefined
  let deliveries: ReadonlyArray<DeliveryOutcome> = []
  if (Exit.isFailure(exit)) {
    outcome = "failed"
    error = Cause.isInterruptedOnly(exit.cause) ? "interrupted" : describeFailure(exit.cause)
    yield* Effect.logError("action failed", Cause.isInterruptedOnly(exit.cause) ? undefined : exit.cause)
  } else if (Option.isNone(exit.value)) {
    outcome = "timed-out"
    error = `timed out after ${Duration.format(Duration.millis(registration.timeoutMs))}`
    yield* Effect.logWarning(`action ${error}`)
  } else {
    result = exit.value.value
    const message = result.message?.trim() ?? ""
    if (result.shouldNotify && message === "") {
      yield* Effect.logWarning("action asked to notify with an empty message; nothing sent")
    }
    if (result.shouldNotify && message !== "") {
      outcome = "notified"
      if (options.deliver !== false) {
        deliveries = yield* gateway.send({
          id: messageId(registration.name, scheduledAt),
          action: registration.name,
          message,
          ...(yield* validContent(result.content)),
          metadata: result.metadata ?? {},
          scheduledAt,
          startedAt
        }, { channels: registration.channels, waitForAttempts: options.waitForAttempts ?? options.trigger === "manual" })
      }
    } else {
      outcome = "quiet"
    }
  }
  const endedAt = yield* Clock.currentTimeMillis
  const report: RunReport = { action: registration.name, id: options.claimId, trigger: options.trigger, scheduledAt, startedAt, endedAt, outcome, result, deliveries, error }
  yield* store.finish(options.claimId, { endedAt, outcome, error, message: result?.message, deliveries }).pipe(
    Effect.catchAll((failure) => Effect.logError(`could not record the run: ${failure.message}`))
  )
  yield* Effect.annotateCurrentSpan("outcome", outcome).pipe(Effect.zipRight(Metrics.recordRun(report)))
  yield* Effect.logDebug(`run ${outcome}`).pipe(Effect.annotateLogs({ durationMs: endedAt - startedAt }))
  return report
}, (effect, registration) => Effect.annotateLogs(effect, { action: registration.name }))
