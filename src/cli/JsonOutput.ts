/**
 * The one JSON convention of every `--json` output (README, "JSON output"):
 * - times are ISO-8601 UTC strings with milliseconds (`2026-12-01T09:00:00.000Z`);
 * - amounts are `{ "amount": "<decimal string>", "unit": "lamports" | "<mint> base units" }`;
 * - a value that is absent is `null`, never a missing key, `0` or `""`;
 * - the same thing has the same field name everywhere (`action`, `scheduledAt`, `nextRunAt`, ...).
 * Commands build their output with the helpers and Schemas here; the tests decode every output with them.
 */
import { Console, Effect, Schema } from "effect"
import type { Task } from "../domain/Marketplace.js"
import type { DeliveryOutcome } from "../services/Gateway.js"
import type { RunReport } from "../services/Scheduler.js"

/** ISO-8601 UTC with milliseconds, the only time format of JSON outputs. */
export const IsoTime = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  Schema.annotations({ identifier: "IsoTime" })
)

/** A decimal string (u64 amounts and masks do not fit a JSON number). */
export const DecimalString = Schema.String.pipe(Schema.pattern(/^\d+$/), Schema.annotations({ identifier: "DecimalString" }))

/** An amount with its unit: lamports, or the base units of an SPL mint. */
export const Amount = Schema.Struct({ amount: DecimalString, unit: Schema.String })
export type Amount = typeof Amount.Type

/** Epoch ms (or undefined/null) as an `IsoTime`, or `null`. */
export const isoTime = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString()

/** Unix seconds where `0` means none (on-chain deadlines), as an `IsoTime` or `null`. */
export const isoFromUnixSeconds = (seconds: number | bigint): string | null =>
  Number(seconds) === 0 ? null : isoTime(Number(seconds) * 1000)

/** An amount in lamports (`mint` null) or in the base units of `mint`. */
export const amount = (value: bigint | number | string, mint: string | null = null): Amount => ({
  amount: BigInt(value).toString(),
  unit: mint === null ? "lamports" : `${mint} base units`
})

/** One delivery of a message to a channel. */
export const DeliveryJson = Schema.Struct({
  channel: Schema.String,
  status: Schema.Literal("delivered", "duplicate", "queued", "dropped"),
  attempts: Schema.Number,
  error: Schema.NullOr(Schema.String)
})

export const deliveryJson = (delivery: DeliveryOutcome): typeof DeliveryJson.Type => ({
  channel: delivery.channel,
  status: delivery.status,
  attempts: delivery.attempts,
  error: delivery.error ?? null
})

/** One run of an action: `heartbeat run`, `heartbeat trigger` and each entry of `heartbeat runs`. */
export const RunJson = Schema.Struct({
  id: Schema.NullOr(Schema.Number),
  action: Schema.String,
  trigger: Schema.Literal("schedule", "manual"),
  scheduledAt: IsoTime,
  startedAt: IsoTime,
  endedAt: IsoTime,
  outcome: Schema.Literal("notified", "quiet", "failed", "timed-out", "skipped"),
  shouldNotify: Schema.Boolean,
  message: Schema.NullOr(Schema.String),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  error: Schema.NullOr(Schema.String),
  deliveries: Schema.Array(DeliveryJson)
})
export type RunJson = typeof RunJson.Type

/** A `RunReport` in the JSON convention. */
export const runJson = (report: RunReport): RunJson => ({
  // A dry run has no ledger record.
  id: report.id !== undefined && report.id > 0 ? report.id : null,
  action: report.action,
  trigger: report.trigger ?? "manual",
  scheduledAt: isoTime(report.scheduledAt)!,
  startedAt: isoTime(report.startedAt)!,
  endedAt: isoTime(report.endedAt)!,
  outcome: report.outcome as RunJson["outcome"], // cast: a RunReport's outcome is one of RunJson's (a subset of the ledger's); the report comes from this process or a decoded reply
  shouldNotify: report.result?.shouldNotify ?? false,
  message: report.result?.message ?? null,
  metadata: report.result?.metadata ?? {},
  error: report.error ?? null,
  deliveries: report.deliveries.map(deliveryJson)
})

/** One record of the run ledger: each entry of `heartbeat runs`; `scheduledAt` is its slot, as in `RunJson`. */
export const LedgerRunJson = Schema.Struct({
  id: Schema.NullOr(Schema.Number),
  action: Schema.String,
  scheduledAt: IsoTime,
  trigger: Schema.Literal("schedule", "manual"),
  startedAt: Schema.NullOr(IsoTime),
  endedAt: Schema.NullOr(IsoTime),
  outcome: Schema.String,
  reason: Schema.NullOr(Schema.String),
  error: Schema.NullOr(Schema.String),
  message: Schema.NullOr(Schema.String),
  /** A notified run's message id, `action@scheduledAt`: the link to its outbox rows. */
  messageId: Schema.NullOr(Schema.String),
  /** Each channel's delivery as the outbox has it now (`attempts` null once the row is pruned). */
  deliveries: Schema.Array(Schema.Struct({
    channel: Schema.String,
    status: Schema.String,
    attempts: Schema.NullOr(Schema.Number),
    error: Schema.NullOr(Schema.String)
  })),
  /** Slots a summary record of missed slots stands for (1 otherwise), and the last of them. */
  count: Schema.Number,
  lastScheduledAt: IsoTime,
  plannedAt: Schema.NullOr(IsoTime)
})
export type LedgerRunJson = typeof LedgerRunJson.Type

/** A configured action and when it runs: `heartbeat list`, `heartbeat next`, `daemon status` `actions[]`. */
export const ActionJson = Schema.Struct({
  name: Schema.String,
  schedule: Schema.String,
  timezone: Schema.String,
  nextRunAt: Schema.NullOr(IsoTime)
})

/** A task of the local ledger or the chain: `tasks list`. */
export const TaskJson = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  taskType: Schema.String,
  reward: Amount,
  requiredCapabilities: DecimalString,
  maxWorkers: Schema.Number,
  currentWorkers: Schema.Number,
  description: Schema.String,
  creator: Schema.String,
  createdAt: Schema.NullOr(IsoTime),
  deadline: Schema.NullOr(IsoTime),
  completedAt: Schema.NullOr(IsoTime),
  minReputation: Schema.Number,
  dependsOn: Schema.NullOr(Schema.String)
})

/** A `Task` in the JSON convention (its times are unix seconds, `0` for none). */
export const taskJson = (task: Task): typeof TaskJson.Type => ({
  id: task.id,
  status: task.status,
  taskType: task.taskType,
  reward: amount(task.rewardAmount, task.rewardMint),
  requiredCapabilities: task.requiredCapabilities.toString(),
  maxWorkers: task.maxWorkers,
  currentWorkers: task.currentWorkers,
  description: task.description,
  creator: task.creator,
  createdAt: isoFromUnixSeconds(task.createdAt),
  deadline: isoFromUnixSeconds(task.deadline),
  completedAt: isoFromUnixSeconds(task.completedAt),
  minReputation: task.minReputation,
  dependsOn: task.dependsOn
})

/** `JSON.stringify` in the convention: bigints as decimal strings, `undefined` as `null`, two-space indent. */
export const formatJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => typeof v === "bigint" ? v.toString() : v === undefined ? null : v, 2)

/** Prints one JSON document on stdout (and nothing else may go there under `--json`). */
export const printJson = (value: unknown): Effect.Effect<void> => Console.log(formatJson(value))
