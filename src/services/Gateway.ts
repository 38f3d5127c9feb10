import { Context, type Effect } from "effect"

/** A heartbeat result on its way to the channels. */
export interface OutboundMessage {
  /** Idempotency key, stable across retries and restarts: `action@scheduledSlotISO`. */
  readonly id: string
  readonly action: string
  readonly message: string
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

/** Sends heartbeat messages to the configured chat channels. */
export interface GatewayService {
  /** Names of the configured channels. */
  readonly channels: ReadonlyArray<string>
  /** Delivers to every channel, or only to `channels`; never fails: each channel reports its outcome. */
  readonly send: (
    message: OutboundMessage,
    options?: { readonly channels?: ReadonlyArray<string> | undefined }
  ) => Effect.Effect<ReadonlyArray<DeliveryOutcome>>
}

/** The delivery service. */
export class Gateway extends Context.Tag("agenc/Gateway")<Gateway, GatewayService>() {}
