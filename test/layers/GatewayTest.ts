import { Effect, Layer } from "effect"
import { type DeliveryOutcome, Gateway, type OutboundMessage } from "../../src/services/Gateway.js"

/** One `send` the gateway received. */
export interface RecordedSend {
  readonly message: OutboundMessage
  readonly channels: ReadonlyArray<string> | undefined
}

/**
 * A recording gateway: keeps every message and its options, and answers each send with `outcome`
 * for every channel it was sent to (default: delivered on the one channel "test"). It never sends a
 * message id twice as "delivered": a repeated id is a "duplicate", as the real outbox answers.
 */
export class GatewayTest {
  readonly sent: Array<RecordedSend> = []
  channels: ReadonlyArray<string> = ["test"]
  status: DeliveryOutcome["status"] = "delivered"

  /** The messages' texts, in order. */
  get messages(): ReadonlyArray<string> {
    return this.sent.map((send) => send.message.message)
  }

  get layer(): Layer.Layer<Gateway> {
    return Layer.succeed(Gateway, {
      channels: this.channels,
      send: (message, options) =>
        Effect.sync(() => {
          const duplicate = this.sent.some((send) => send.message.id === message.id)
          this.sent.push({ message, channels: options?.channels })
          return (options?.channels ?? this.channels).map((channel): DeliveryOutcome => ({
            channel,
            status: duplicate ? "duplicate" : this.status,
            attempts: 1
          }))
        }),
      pending: () => Effect.succeed(0),
      status: Effect.succeed([]),
      flush: Effect.succeed(0)
    })
  }
}
