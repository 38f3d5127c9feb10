import type { OutboundMessage } from "../services/Gateway.js"
import { toJson } from "../domain/Json.js"

/** The JSON object the `file` channel appends and the `webhook` channel posts. Times are ISO-8601 UTC with ms. */
export interface OutboxRecord {
  readonly id: string
  readonly action: string
  readonly message: string
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
  message: message.message,
  metadata: message.metadata,
  scheduledAt: iso(message.scheduledAt),
  startedAt: iso(message.startedAt),
  deliveredAt: iso(deliveredAt)
})

/** One line of JSON; bigints (lamports, slots) become strings rather than throwing. */
export const encodeRecord = (record: OutboxRecord): string =>
  toJson(record)
