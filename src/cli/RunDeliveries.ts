import { Effect } from "effect"
import { makeOutboxAdmin, type OutboxEntry } from "../gateway/OutboxAdmin.js"
import { messageId } from "../heartbeat/RunSlot.js"
import type { RunRecord } from "../services/StateStore.js"

/** One delivery of a run's message as `heartbeat runs` shows it: the outbox row's state now. */
export interface RunDeliveryNow {
  readonly channel: string
  /** queued (pending, to be retried), delivered, duplicate (delivered before, by an earlier run), dropped, dead. */
  readonly status: string
  /** Attempts so far; null when the outbox row is gone (pruned by retention) and only the run's record is left. */
  readonly attempts: number | null
  readonly error: string | null
}

const statusOf = (entry: OutboxEntry): string => (entry.status === "pending" ? "queued" : entry.status)

/**
 * A notified run's message id and its deliveries as they stand now. The run's message id is always
 * `action@slotISO` (`messageId`, the id `runSlot` gives the message), so the ledger row and its outbox rows
 * (one per channel) are linked by `(action, scheduledAt)`: no column holds the link. A scheduled run ends
 * when its message is committed (its record says `queued`); the channel workers deliver it afterwards, so
 * the record alone would never show the delivery. A channel the record called `duplicate` keeps that
 * status: the outbox row is the earlier delivery's.
 */
export const runDeliveries = Effect.fn("HeartbeatRuns.deliveries")(function*(run: RunRecord) {
  if (run.outcome !== "notified") return { messageId: null, deliveries: [] as ReadonlyArray<RunDeliveryNow> } // cast: an empty literal's element type
  const id = messageId(run.action, run.scheduledAt)
  const rows = yield* Effect.flatMap(makeOutboxAdmin, (outbox) => outbox.find(id, undefined))
  const recorded = run.deliveries ?? []
  const channels = [...new Set([...recorded.map((delivery) => delivery.channel), ...rows.map((row) => row.channel)])]
  const deliveries = channels.map((channel): RunDeliveryNow => {
    const row = rows.find((entry) => entry.channel === channel)
    const status = recorded.find((delivery) => delivery.channel === channel)?.status
    if (row === undefined || status === "duplicate") return { channel, status: status ?? "unknown", attempts: null, error: null }
    return { channel, status: statusOf(row), attempts: row.attempts, error: row.lastError ?? null }
  })
  return { messageId: id, deliveries }
})
