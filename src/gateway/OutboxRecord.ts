import { Either, ParseResult, Schema } from "effect"
import { MessageContent, type Severity } from "../domain/MessageContent.js"
import type { OutboundMessage } from "../services/Gateway.js"
import { toJson } from "../domain/Json.js"

/**
 * The JSON object the `file` channel appends and the `webhook` channel posts. Times are ISO-8601 UTC with
 * ms; `slot` is the slot the run belonged to (the same instant as `scheduledAt`); `content` is the
 * structured form of `message` as data (null when the action gave only text), `severity` its severity.
 */
export interface OutboxRecord {
  readonly id: string
  readonly action: string
  readonly slot: string
  readonly severity: Severity
  readonly message: string
  readonly content: MessageContent | null
  readonly metadata: Record<string, unknown>
  readonly scheduledAt: string
  readonly startedAt: string
  readonly deliveredAt: string
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** The record for `message`, delivered at `deliveredAt` (epoch ms). */
export const toOutboxRecord = (message: OutboundMessage, deliveredAt: number): OutboxRecord => ({
  id: message.id,
  action: message.action,
  slot: iso(message.scheduledAt),
  severity: message.content?.severity ?? "info",
  message: message.message,
  content: message.content ?? null,
  metadata: message.metadata,
  scheduledAt: iso(message.scheduledAt),
  startedAt: iso(message.startedAt),
  deliveredAt: iso(deliveredAt)
})

/** One line of JSON; bigints (lamports, slots) become strings rather than throwing. */
export const encodeRecord = (record: OutboxRecord): string =>
  toJson(record)

/** An outbox row's `payload`: the `OutboundMessage` as `toJson` wrote it (bigints already strings). */
export const OutboxPayload = Schema.parseJson(Schema.Struct({
  id: Schema.String,
  action: Schema.String,
  message: Schema.String,
  content: Schema.optional(Schema.UndefinedOr(MessageContent)),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  scheduledAt: Schema.Number,
  startedAt: Schema.Number
}))

/** Reads a row's payload; a payload that is not a message answers why, in one line. */
export const decodePayload = (payload: string): Either.Either<OutboundMessage, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(OutboxPayload)(payload), (error) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
    const text = `unreadable payload: ${issue === undefined ? error.message : `${issue.path.join(".") || "payload"}: ${issue.message}`}`.replace(/\s+/g, " ")
    return text.length > 300 ? `${text.slice(0, 297)}...` : text
  })
