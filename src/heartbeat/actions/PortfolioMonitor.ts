import { Clock, Effect, Option, Schema } from "effect"
import { explorerLink, type Links } from "../../domain/ChannelsConfig.js"
import type { Dispute, DisputeStatus, Task } from "../../domain/Marketplace.js"
import type { ContentField, ContentItem, Severity } from "../../domain/MessageContent.js"
import { DurationMs } from "../../domain/DurationMs.js"
import { AgentRuntime } from "../../services/AgentRuntime.js"
import { Session } from "../../services/Session.js"
import * as Action from "../Action.js"
import { notifyContent, quiet } from "../../services/HeartbeatAction.js"
import { formatReward, shortId } from "./FormatSol.js"
import { formatDeadline, formatDuration, formatTime, oneLine } from "./FormatTime.js"

/** `config` of `portfolio-monitor`. */
export const PortfolioMonitorConfig = Schema.Struct({
  horizons: Schema.optionalWith(
    Schema.Array(DurationMs.pipe(Schema.filter((ms) => ms > 0 || "a horizon must be longer than 0"))),
    { default: () => [86_400_000, 7_200_000] }
  ).annotations({ description: "alert once when a claimed task's deadline comes within each of these (default [\"24h\", \"2h\"])" })
})

/** Per claimed task: the deadline the alerts were for, the horizons (ms) already alerted, and whether "passed" was sent. */
const TaskAlerts = Schema.Struct({ deadline: Schema.Number, fired: Schema.Array(Schema.Number), passed: Schema.Boolean })
const Alerts = Schema.Record({ key: Schema.String, value: TaskAlerts })
/** Per dispute: its task, the last status announced, and the task's reward (the task may leave the portfolio). */
const SeenDispute = Schema.Struct({ task: Schema.String, status: Schema.String, reward: Schema.optional(Schema.String) })
const Disputes = Schema.Record({ key: Schema.String, value: SeenDispute })
const ALERTS = "alerts"
const DISPUTES = "disputes"

const TERMINAL: ReadonlyArray<string> = ["Resolved", "Expired", "Cancelled"] satisfies ReadonlyArray<DisputeStatus>

/** One alert: a message item and how urgent it is. */
interface Alert {
  readonly item: ContentItem
  readonly severity: Severity
}

const rewardOf = (task: Task): string => formatReward(task.rewardAmount, task.rewardMint)

const taskFields = (task: Task, zone: string): Array<ContentField> => {
  const description = oneLine(task.description)
  return [
    { label: "Deadline", value: formatTime(task.deadline, zone) },
    { label: "Reward", value: rewardOf(task) },
    ...(description === "" ? [] : [{ label: "Task", value: description }])
  ]
}

const disputeAlert = (dispute: Dispute, previous: string | undefined, reward: string | undefined, now: number, zone: string, links: Links): Alert => ({
  severity: previous === undefined ? "alert" : "warning",
  item: {
    text: previous === undefined
      ? `Dispute opened on task #${shortId(dispute.task)}${dispute.status === "Active" ? "" : ` (now ${dispute.status})`}`
      : `Dispute on task #${shortId(dispute.task)} is now ${dispute.status}`,
    link: explorerLink(links, dispute.id),
    fields: [
      ...(reward === undefined ? [] : [{ label: "Reward at stake", value: reward }]),
      { label: "Votes", value: `${dispute.votesFor} for, ${dispute.votesAgainst} against` },
      ...(dispute.votingDeadline === 0 ? [] : [{ label: "Voting deadline", value: formatDeadline(dispute.votingDeadline, now, zone) }]),
      ...(dispute.status === "Resolved" && dispute.resolutionType !== "Unknown" ? [{ label: "Resolution", value: dispute.resolutionType }] : [])
    ]
  }
})

const RANK: Record<Severity, number> = { info: 0, warning: 1, alert: 2 }

/**
 * `portfolio-monitor`: alerts on claimed tasks whose deadline comes within a horizon or passes, and on
 * disputes that open or change status. Each (task, horizon) alerts once, only the tightest horizon
 * reached (a task claimed 1 h before its deadline gets the 2 h alert, not also the 24 h one); each
 * dispute status once. State is kept only for tasks still claimed and disputes still reported.
 */
export const portfolioMonitor = Action.make({
  name: "portfolio-monitor",
  description: "alerts on approaching or passed deadlines of claimed tasks and on dispute changes",
  config: PortfolioMonitorConfig,
  run: ({ config, links, timezone }) =>
    Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const session = yield* Session
      const horizons = [...new Set(config.horizons)].sort((a, b) => b - a)
      const portfolio = yield* runtime.portfolio()
      const seenDisputes = Option.getOrElse(yield* session.getAs(DISPUTES, Disputes), (): typeof Disputes.Type => ({}))
      // Disputes on tasks that left the portfolio (a Disputed task may no longer count as claimed) are followed until they end.
      const taskIds = [...new Set([
        ...portfolio.map((entry) => entry.task.id),
        ...Object.values(seenDisputes).filter((seen) => !TERMINAL.includes(seen.status)).map((seen) => seen.task)
      ])]
      const disputes = taskIds.length === 0 ? [] : yield* runtime.disputes(taskIds)
      const now = yield* Clock.currentTimeMillis
      const previousAlerts = Option.getOrElse(yield* session.getAs(ALERTS, Alerts), (): typeof Alerts.Type => ({}))
      const lines: Array<Alert> = []
      const tightestHorizon = horizons.at(-1)
      const alerts: Record<string, typeof TaskAlerts.Type> = {}

      for (const { task } of portfolio) {
        if (task.deadline === 0) continue
        const before = previousAlerts[task.id]
        // A changed deadline starts the alerts over.
        const state = before !== undefined && before.deadline === task.deadline ? before : { deadline: task.deadline, fired: [], passed: false }
        const remaining = task.deadline * 1000 - now
        if (remaining <= 0) {
          if (!state.passed) {
            lines.push({
              severity: "alert",
              item: { text: `Task #${shortId(task.id)} deadline passed${-remaining < 60_000 ? "" : ` ${formatDuration(-remaining / 1000)} ago`}`, link: explorerLink(links, task.id), fields: taskFields(task, timezone) }
            })
          }
          alerts[task.id] = { deadline: task.deadline, fired: horizons, passed: true }
          continue
        }
        const reached = horizons.filter((horizon) => remaining <= horizon)
        const tightest = reached.at(-1)
        if (tightest !== undefined && !state.fired.includes(tightest)) {
          // The horizon decides when to alert; the message says the time actually left.
          lines.push({
            severity: tightest === tightestHorizon ? "alert" : "warning",
            item: { text: `Task #${shortId(task.id)} due in ${formatDuration(remaining / 1000)}`, link: explorerLink(links, task.id), fields: taskFields(task, timezone) }
          })
        }
        alerts[task.id] = { deadline: task.deadline, fired: [...new Set([...state.fired, ...reached])], passed: false }
      }

      const nextDisputes: Record<string, typeof SeenDispute.Type> = {}
      const claimedTasks = new Map(portfolio.map((entry) => [entry.task.id, entry.task]))
      for (const dispute of disputes) {
        const seen = seenDisputes[dispute.id]
        const claimed = claimedTasks.get(dispute.task)
        const reward = claimed !== undefined ? rewardOf(claimed) : seen?.reward
        if (seen?.status !== dispute.status) lines.push(disputeAlert(dispute, seen?.status, reward, Math.floor(now / 1000), timezone, links))
        nextDisputes[dispute.id] = { task: dispute.task, status: dispute.status, reward }
      }

      yield* session.set(ALERTS, alerts)
      yield* session.set(DISPUTES, nextDisputes)
      const metadata = { claimed: portfolio.length, disputes: disputes.length, alerts: lines.length }
      if (lines.length === 0) return quiet(metadata)
      const severity = lines.reduce<Severity>((worst, line) => RANK[line.severity] > RANK[worst] ? line.severity : worst, "info")
      return notifyContent({
        title: lines.length === 1 ? "Portfolio alert" : `Portfolio: ${lines.length} alerts`,
        severity,
        items: lines.map((line) => line.item)
      }, metadata)
    })
})
