import { Effect, Metric, MetricBoundaries, MetricState, Schema } from "effect"

/**
 * The daemon's metrics, as effect `Metric`s in effect's global registry; names follow the Prometheus
 * conventions (base units, `_total` on counters). `src/layers/MetricsServer.ts` serves them in the
 * Prometheus text format, `daemon status --json` summarises them (`summary`).
 */

const seconds = MetricBoundaries.fromIterable([0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600])

/** Runs and slots by how they ended: the outcome string the ledger records (notified, quiet, failed, timed-out, skipped, missed, ...). */
export const runs = Metric.counter("agenc_runs_total", { description: "heartbeat runs and slots by action and outcome", incremental: true })
/** Run start minus its slot. */
export const runLateness = Metric.histogram("agenc_run_lateness_seconds", seconds, "how late a run started after its slot")
/** Run end minus run start. */
export const runDuration = Metric.histogram("agenc_run_duration_seconds", seconds, "how long a run took, delivery included")
/** Epoch seconds of each action's last run that ended notified or quiet. */
export const lastSuccess = Metric.gauge("agenc_last_success_timestamp_seconds", { description: "when each action last ran successfully (notified or quiet)" })
/** One count per channel outcome of a delivery (delivered, duplicate, queued, dropped). */
export const deliveries = Metric.counter("agenc_deliveries_total", { description: "delivery outcomes by channel and status", incremental: true })
/** Messages waiting in the durable outbox; set when scraped. */
export const outboxDepth = Metric.gauge("agenc_outbox_depth", { description: "messages waiting in the outbox per channel" })
/** Messages given up on: refused by the channel or expired. */
export const deadLetters = Metric.counter("agenc_dead_letters_total", { description: "messages dropped for good per channel", incremental: true })
/** A background loop (a channel worker, the dispatcher) restarted after a failure. */
export const loopRestarts = Metric.counter("agenc_loop_restarts_total", { description: "background loops restarted after a failure", incremental: true })

const SUCCESS = new Set(["notified", "quiet"])

/** Counts one ledger record; lateness and duration only for a slot that ran (it has a start). */
export const recordRun = (run: {
  readonly action: string
  readonly outcome: string
  readonly scheduledAt: number
  readonly startedAt: number
  readonly endedAt: number
}): Effect.Effect<void> =>
  Effect.gen(function*() {
    yield* Metric.increment(Metric.tagged(Metric.tagged(runs, "action", run.action), "outcome", run.outcome))
    if (run.outcome === "skipped" || run.outcome === "missed") return
    yield* Metric.update(Metric.tagged(runLateness, "action", run.action), Math.max(0, run.startedAt - run.scheduledAt) / 1000)
    yield* Metric.update(Metric.tagged(runDuration, "action", run.action), Math.max(0, run.endedAt - run.startedAt) / 1000)
    if (SUCCESS.has(run.outcome)) yield* setLastSuccess(run.action, run.endedAt)
  })

/** Sets an action's last success (epoch ms), e.g. from the ledger when the daemon starts. */
export const setLastSuccess = (action: string, endedAt: number): Effect.Effect<void> =>
  Metric.set(Metric.tagged(lastSuccess, "action", action), endedAt / 1000)

/** Counts `count` slots of `action` that did not run (`skipped`, `missed`): no lateness, no duration. */
export const recordSlots = (action: string, outcome: string, count = 1): Effect.Effect<void> =>
  Metric.incrementBy(Metric.tagged(Metric.tagged(runs, "action", action), "outcome", outcome), count)

/** Counts one channel's delivery outcome: what `Gateway.send` answered, or how a background retry ended. */
export const recordDelivery = (channel: string, status: string): Effect.Effect<void> =>
  Metric.increment(Metric.tagged(Metric.tagged(deliveries, "channel", channel), "status", status))

/** Counts an outbox row dropped for good: refused by the channel (4xx) or expired. */
export const recordDeadLetter = (channel: string): Effect.Effect<void> => Metric.increment(Metric.tagged(deadLetters, "channel", channel))

/** Counts a restart of a background loop, named e.g. `channel:slack` or `dispatcher`. */
export const recordLoopRestart = (loop: string): Effect.Effect<void> => Metric.increment(Metric.tagged(loopRestarts, "loop", loop))

/** Sets a channel's outbox depth. */
export const setOutboxDepth = (channel: string, depth: number): Effect.Effect<void> =>
  Metric.set(Metric.tagged(outboxDepth, "channel", channel), depth)

/** A histogram in seconds. */
export const HistogramSummary = Schema.Struct({ count: Schema.Number, sum: Schema.Number, max: Schema.Number })
export type HistogramSummary = typeof HistogramSummary.Type

const counts = Schema.Record({ key: Schema.String, value: Schema.Number })
const countsBy = Schema.Record({ key: Schema.String, value: counts })
const histograms = Schema.Record({ key: Schema.String, value: HistogramSummary })

/** `daemon status --json`'s `metrics`: this process's counters since it started, by label (a Schema: the control socket carries it). */
export const MetricsSummary = Schema.Struct({
  runs: countsBy,
  deliveries: countsBy,
  outboxDepth: counts,
  deadLetters: counts,
  loopRestarts: counts,
  lastSuccess: Schema.Record({ key: Schema.String, value: Schema.String }),
  lateness: histograms,
  duration: histograms
})
export type MetricsSummary = typeof MetricsSummary.Type

const tag = (tags: ReadonlyArray<{ readonly key: string; readonly value: string }>, key: string) =>
  tags.find((t) => t.key === key)?.value ?? ""

/** Reads the registry into a `MetricsSummary`. */
export const summary: Effect.Effect<MetricsSummary> = Effect.map(Metric.snapshot, (pairs) => {
  type Mutable<T> = { -readonly [K in keyof T]: T[K] }
  const out: { -readonly [K in keyof MetricsSummary]: Mutable<MetricsSummary[K]> } = {
    runs: {},
    deliveries: {},
    outboxDepth: {},
    deadLetters: {},
    loopRestarts: {},
    lastSuccess: {},
    lateness: {},
    duration: {}
  }
  const nested = (into: Record<string, Record<string, number>>, outer: string, inner: string, value: number) => {
    into[outer] = { ...into[outer], [inner]: value }
  }
  for (const { metricKey: key, metricState: state } of pairs) {
    const tags = key.tags
    const value = MetricState.isCounterState(state) ? Number(state.count) : MetricState.isGaugeState(state) ? Number(state.value) : undefined
    if (value !== undefined) {
      switch (key.name) {
        case "agenc_runs_total":
          nested(out.runs, tag(tags, "action"), tag(tags, "outcome"), value)
          break
        case "agenc_deliveries_total":
          nested(out.deliveries, tag(tags, "channel"), tag(tags, "status"), value)
          break
        case "agenc_outbox_depth":
          out.outboxDepth[tag(tags, "channel")] = value
          break
        case "agenc_dead_letters_total":
          out.deadLetters[tag(tags, "channel")] = value
          break
        case "agenc_loop_restarts_total":
          out.loopRestarts[tag(tags, "loop")] = value
          break
        case "agenc_last_success_timestamp_seconds":
          out.lastSuccess[tag(tags, "action")] = new Date(value * 1000).toISOString()
          break
      }
    } else if (MetricState.isHistogramState(state) && (key.name === "agenc_run_lateness_seconds" || key.name === "agenc_run_duration_seconds")) {
      const into = key.name === "agenc_run_lateness_seconds" ? out.lateness : out.duration
      into[tag(tags, "action")] = { count: state.count, sum: state.sum, max: state.count === 0 ? 0 : state.max }
    }
  }
  return out satisfies MetricsSummary
})
