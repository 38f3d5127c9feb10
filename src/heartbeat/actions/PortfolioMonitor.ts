import { Clock, Effect, Option, Schema } from "effect"
import type { Dispute, DisputeStatus } from "../../domain/Marketplace.js"
import { DurationMs } from "../../domain/DurationMs.js"
import { AgentRuntime } from "../../services/AgentRuntime.js"
import { Session } from "../../services/Session.js"
import * as Action from "../Action.js"
import { notify, quiet } from "../HeartbeatAction.js"
import { formatHorizon, formatUtc, shortId } from "./FormatSol.js"

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
/** Per dispute: its task and the last status announced. */
const SeenDispute = Schema.Struct({ task: Schema.String, status: Schema.String })
const Disputes = Schema.Record({ key: Schema.String, value: SeenDispute })
const ALERTS = "alerts"
const DISPUTES = "disputes"

const TERMINAL: ReadonlyArray<string> = ["Resolved", "Expired", "Cancelled"] satisfies ReadonlyArray<DisputeStatus>

const disputeLine = (dispute: Dispute, previous: string | undefined): string =>
  previous === undefined
    ? `Alert: dispute opened on task #${shortId(dispute.task)}${dispute.status === "Active" ? "" : ` (now ${dispute.status})`}`
    : `Alert: dispute on task #${shortId(dispute.task)} is now ${dispute.status}`

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
  run: ({ config }) =>
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
      const lines: Array<string> = []
      const alerts: Record<string, typeof TaskAlerts.Type> = {}

      for (const { task } of portfolio) {
        if (task.deadline === 0) continue
        const before = previousAlerts[task.id]
        // A changed deadline starts the alerts over.
        const state = before !== undefined && before.deadline === task.deadline ? before : { deadline: task.deadline, fired: [], passed: false }
        const remaining = task.deadline * 1000 - now
        if (remaining <= 0) {
          if (!state.passed) lines.push(`Alert: Task #${shortId(task.id)} deadline passed (${formatUtc(task.deadline)})`)
          alerts[task.id] = { deadline: task.deadline, fired: horizons, passed: true }
          continue
        }
        const reached = horizons.filter((horizon) => remaining <= horizon)
        const tightest = reached.at(-1)
        if (tightest !== undefined && !state.fired.includes(tightest)) {
          lines.push(`Alert: Task #${shortId(task.id)} deadline in ${formatHorizon(tightest)} (${formatUtc(task.deadline)})`)
        }
        alerts[task.id] = { deadline: task.deadline, fired: [...new Set([...state.fired, ...reached])], passed: false }
      }

      const nextDisputes: Record<string, typeof SeenDispute.Type> = {}
      for (const dispute of disputes) {
        const previous = seenDisputes[dispute.id]?.status
        if (previous !== dispute.status) lines.push(disputeLine(dispute, previous))
        nextDisputes[dispute.id] = { task: dispute.task, status: dispute.status }
      }

      yield* session.set(ALERTS, alerts)
      yield* session.set(DISPUTES, nextDisputes)
      const metadata = { claimed: portfolio.length, disputes: disputes.length, alerts: lines.length }
      return lines.length === 0 ? quiet(metadata) : notify(lines.join("\n"), metadata)
    })
})
