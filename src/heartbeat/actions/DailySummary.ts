import { Clock, Effect, Option, Schema } from "effect"
import { AgentRuntime } from "../../services/AgentRuntime.js"
import { Session } from "../../services/Session.js"
import * as Action from "../Action.js"
import { notifyContent } from "../../services/HeartbeatAction.js"
import { formatSol, plural } from "./FormatSol.js"
import { formatDuration, formatTime } from "./FormatTime.js"

const HOUR = 3_600_000

/** `config` of `daily-summary`. */
export const DailySummaryConfig = Schema.Struct({
  window: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 24 }).annotations({
    description: "hours the summary covers (default 24)"
  })
})

/** One stored snapshot: counters as decimal strings (u64 does not fit a JSON number). */
const StoredSnapshot = Schema.Struct({
  at: Schema.Number,
  agent: Schema.String,
  tasksCompleted: Schema.BigInt,
  totalEarned: Schema.BigInt,
  /** Absent in snapshots stored before the summary reported reputation. */
  reputation: Schema.optional(Schema.Number)
})
type StoredSnapshot = typeof StoredSnapshot.Type
const Snapshots = Schema.Array(StoredSnapshot)
const SNAPSHOTS = "snapshots"

// A daily run starts a few ms either side of yesterday's; that still counts as a full window.
const TOLERANCE = 10 * 60_000
// Snapshots closer together than this add nothing to a window measured in hours; skipping them bounds the list.
const MIN_SPACING = 5 * 60_000

const span = (ms: number): string => formatDuration(ms / 1000)

const signed = (n: number): string => (n > 0 ? `+${n}` : `${n}`)

/**
 * `daily-summary`: tasks completed, SOL earned and reputation change over the last `window` hours, as
 * the difference of the agent's counters between now and the stored snapshot nearest to `window` hours ago. The action
 * keeps its own snapshots (at most one per 5 minutes, none older than twice the window), so the
 * session stays small however often it runs. Active tasks and open disputes are as of now.
 */
export const dailySummary = Action.make({
  name: "daily-summary",
  description: "reports tasks completed and SOL earned over the last 24 hours",
  config: DailySummaryConfig,
  run: ({ config, timezone }) =>
    Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const session = yield* Session
      const snapshot = yield* runtime.agentSnapshot()
      const now = yield* Clock.currentTimeMillis
      const window = config.window * HOUR
      const current: StoredSnapshot = {
        at: now,
        agent: snapshot.agent,
        tasksCompleted: snapshot.tasksCompleted,
        totalEarned: snapshot.totalEarned,
        reputation: snapshot.reputation
      }
      const stored = Option.getOrElse(yield* session.getAs(SNAPSHOTS, Snapshots), () => [])
      // Another agent, or counters that went down (a reset ledger): the old history says nothing about this one.
      const history = stored.filter((old) =>
        old.agent === current.agent && old.at < now && old.at >= now - 2 * window &&
        old.tasksCompleted <= current.tasksCompleted && old.totalEarned <= current.totalEarned
      )
      const target = now - window
      const baseline = history.reduce<StoredSnapshot | undefined>(
        (best, old) => best === undefined || Math.abs(old.at - target) < Math.abs(best.at - target) ? old : best,
        undefined
      )
      const last = history.at(-1)
      yield* session.set(
        SNAPSHOTS,
        Schema.encodeSync(Snapshots)(last !== undefined && now - last.at < MIN_SPACING ? history : [...history, current])
      )
      const completions = baseline === undefined ? 0n : current.tasksCompleted - baseline.tasksCompleted
      const earnings = baseline === undefined ? 0n : current.totalEarned - baseline.totalEarned
      const covered = baseline === undefined ? 0 : now - baseline.at
      const note = baseline === undefined
        ? " (no history yet: counting starts now)"
        : covered < window - TOLERANCE
        ? ` (history covers only ${span(covered)})`
        : covered > window + TOLERANCE
        ? ` (over the last ${span(covered)}: no snapshot nearer to ${config.window} h ago)`
        : ""
      const claimed = yield* runtime.portfolio()
      const disputes = claimed.length === 0 ? [] : yield* runtime.disputes(claimed.map((entry) => entry.task.id))
      const openDisputes = disputes.filter((dispute) => dispute.status === "Active").length
      const reputationChange = baseline?.reputation === undefined ? undefined : snapshot.reputation - baseline.reputation
      return notifyContent(
        {
          title: `Daily summary: ${plural(completions, "task")} completed, ${formatSol(earnings)} earned`,
          severity: "info",
          fields: [
            { label: "Completed", value: plural(completions, "task") },
            { label: "Earned", value: formatSol(earnings) },
            {
              label: "Reputation",
              value: `${snapshot.reputation}${reputationChange === undefined ? "" : ` (${signed(reputationChange)})`}`
            },
            { label: "Active tasks", value: `${snapshot.activeTasks}` },
            { label: "Open disputes", value: `${openDisputes}` },
            { label: "Since", value: formatTime(Math.floor((baseline?.at ?? now) / 1000), timezone) }
          ],
          note: note === "" ? undefined : note.trim().replace(/^\((.*)\)$/, "$1")
        },
        {
          completions: completions.toString(),
          earnings: earnings.toString(),
          coveredMs: covered,
          reputation: snapshot.reputation,
          reputationChange,
          activeTasks: snapshot.activeTasks,
          openDisputes
        }
      )
    })
})
