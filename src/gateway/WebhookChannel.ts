import type { HttpClient } from "@effect/platform"
import { Clock, Effect, Redacted } from "effect"
import * as crypto from "node:crypto"
import type { ChannelPlugin } from "../services/Gateway.js"
import { postJson } from "./HttpPost.js"
import { encodeRecord, toOutboxRecord } from "./OutboxRecord.js"
import { describeUrl } from "../domain/RedactUrl.js"

/** Header carrying the message id, so a receiver can drop a replay. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key"
/** Header carrying `sha256=<hex HMAC-SHA256 of the exact body>` when the channel has a `secret`. */
export const SIGNATURE_HEADER = "X-Agenc-Signature"

/** The signature header's value for `body`. */
export const signBody = (secret: string, body: string): string =>
  `sha256=${crypto.createHmac("sha256", secret).update(body, "utf8").digest("hex")}`

/** POSTs the outbox record as JSON to `url`, with the id in `Idempotency-Key` and an HMAC when `secret` is set. */
export const WebhookChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
  readonly headers: Readonly<Record<string, Redacted.Redacted<string>>>
  readonly secret?: Redacted.Redacted<string> | undefined
}): ChannelPlugin => ({
  name: options.name,
  type: "webhook",
  send: ({ message }) =>
    Effect.gen(function*() {
      const body = encodeRecord(toOutboxRecord(message, yield* Clock.currentTimeMillis))
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries(options.headers)) headers[key] = Redacted.value(value)
      headers[IDEMPOTENCY_HEADER] = message.id
      if (options.secret !== undefined) headers[SIGNATURE_HEADER] = signBody(Redacted.value(options.secret), body)
      yield* postJson(options.client, Redacted.value(options.url), body, headers)
    }),
  health: Effect.succeed({ healthy: true, target: describeUrl(Redacted.value(options.url)) })
})
