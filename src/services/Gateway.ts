import { Context, Data, type Effect } from "effect"
import type { MessageContent } from "../domain/MessageContent.js"

/** A heartbeat result on its way to the channels. */
export interface OutboundMessage {
  /** Idempotency key, stable across retries and restarts: `action@scheduledSlotISO`. */
  readonly id: string
  readonly action: string
  readonly message: string
  /** The structured form of `message`, when the action gave one; chat channels render it natively. */
  readonly content?: MessageContent | undefined
  readonly metadata: Record<string, unknown>
  /** Epoch ms of the slot the run belonged to. */
  readonly scheduledAt: number
  /** Epoch ms the run started. */
  readonly startedAt: number
}

/** What happened on one channel. */
export interface DeliveryOutcome {
  readonly channel: string
  /** delivered: now; duplicate: this id was delivered before; queued: kept durably, retried later; dropped: expired or refused (4xx). */
  readonly status: "delivered" | "duplicate" | "queued" | "dropped"
  readonly attempts: number
  readonly error?: string | undefined
}

/** One attempt to hand a message to a channel. */
export interface Delivery {
  readonly message: OutboundMessage
  /** 1 on the first attempt; counts attempts across restarts, so a plugin can tell a possible replay. */
  readonly attempt: number
  /** Parts of a split message already delivered by earlier attempts; send the rest. */
  readonly partsDone: number
  /** Records that the first `n` parts are delivered, so a retry does not post them again. */
  readonly savePartsDone: (n: number) => Effect.Effect<void>
}

/**
 * A channel refused or failed a delivery. `retryable` false (a 4xx other than 429) drops the message;
 * otherwise it is retried, no sooner than `retryAfter` ms when the channel said so.
 */
export class DeliveryError extends Data.TaggedError("DeliveryError")<{
  readonly message: string
  readonly retryable: boolean
  readonly retryAfter?: number | undefined
  /** The attempt ran out of time: no quick retry, it waits in the queue. */
  readonly timedOut?: boolean | undefined
  /** What the receiver answered (a truncated body): logged at debug level only, redacted. */
  readonly detail?: string | undefined
}> {}

/** A plugin's own view of whether it can deliver. */
export interface PluginHealth {
  readonly healthy: boolean
  /** Where it delivers, secrets redacted: `stdout`, a file path, `https://hooks.slack.com/…`. */
  readonly target: string
  readonly detail?: string | undefined
}

/** A delivery channel; built-ins are in `src/gateway/`, and a user can supply more to `GatewayLiveWith`. */
export interface ChannelPlugin {
  readonly name: string
  readonly type: string
  /** Delivers once (the gateway adds timeout, retries and the durable queue); must not fail with a defect. */
  readonly send: (delivery: Delivery) => Effect.Effect<void, DeliveryError>
  readonly health: Effect.Effect<PluginHealth>
}

/** A channel's state, for `status`. */
export interface ChannelStatus extends PluginHealth {
  readonly channel: string
  readonly type: string
  /** Messages waiting in the durable queue. */
  readonly pending: number
  readonly lastDeliveredAt?: number | undefined
  /** The last attempt's error, when the last attempt failed (secrets redacted). */
  readonly lastError?: string | undefined
  /** Outbox rows of this channel that could not be read, set aside with their reason. */
  readonly deadLetters: number
  /** Whether the channel's retry loop runs, and how often it was restarted after a defect. */
  readonly alive: boolean
  readonly restarts: number
}

/** Sends heartbeat messages to the configured chat channels. */
export interface GatewayService {
  /** Names of the configured channels. */
  readonly channels: ReadonlyArray<string>
  /**
   * Delivers to every channel, or only to `channels`; never fails: each channel reports its outcome.
   * Channels are tried concurrently, each within its timeout plus a few quick retries; what still fails
   * stays in the durable queue (`queued`) and a background fiber keeps retrying it.
   */
  readonly send: (
    message: OutboundMessage,
    options?: {
      readonly channels?: ReadonlyArray<string> | undefined
      /**
       * false: answer as soon as the message is committed to the outbox (every channel `queued`) and leave
       * the attempts to the channel workers, so a slow channel never holds the caller up. Default true.
       */
      readonly waitForAttempts?: boolean | undefined
    }
  ) => Effect.Effect<ReadonlyArray<DeliveryOutcome>>
  /** Messages waiting in the durable queue, for one channel or all. */
  readonly pending: (channel?: string) => Effect.Effect<number>
  /** Each channel's health and queue. */
  readonly status: Effect.Effect<ReadonlyArray<ChannelStatus>>
  /**
   * Tries every queued message once now, ignoring backoff, and returns how many are still queued.
   * Not needed on shutdown: the queue is durable and picked up by the next process.
   */
  readonly flush: Effect.Effect<number>
}

/** The delivery service. */
export class Gateway extends Context.Tag("agenc/Gateway")<Gateway, GatewayService>() {}
