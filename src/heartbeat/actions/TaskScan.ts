import { Clock, Effect, Option, Schema } from "effect"
import { explorerLink, type Links } from "../../domain/ChannelsConfig.js"
import type { ContentItem } from "../../domain/MessageContent.js"
import { TASK_TYPES, type Task, type TaskFilter, type TaskType } from "../../domain/Marketplace.js"
import { U64 } from "../../domain/RuntimeConfig.js"
import { AgentRuntime } from "../../services/AgentRuntime.js"
import { Session } from "../../services/Session.js"
import * as Action from "../Action.js"
import { notifyContent, quiet } from "../../services/HeartbeatAction.js"
import { formatReward, plural, shortId } from "./FormatSol.js"
import { capabilityNames, formatDeadline, oneLine } from "./FormatTime.js"

/** `config` of `task-scan`. */
export const TaskScanConfig = Schema.Struct({
  minReward: Schema.optional(U64).annotations({ description: "lamports (or mint base units); only tasks paying at least this" }),
  maxReward: Schema.optional(U64),
  capabilities: Schema.optional(U64).annotations({ description: "capability bitmask; a task's required capabilities must fit within it" }),
  taskTypes: Schema.optional(Schema.Array(Schema.Literal(...(TASK_TYPES as ReadonlyArray<Exclude<TaskType, "Unknown">>)))), // cast: the on-chain names without "Unknown", which TASK_TYPES lists last
  minDeadlineBufferSeconds: Schema.optional(Schema.NonNegativeInt),
  maxListed: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 20 }).annotations({
    description: "at most this many tasks per message; the rest are counted"
  }),
  forgetAfter: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 7 * 86_400 }).annotations({
    description: "seconds a task may be absent before it is forgotten (and announced again if it comes back)"
  })
})

/** Announced task ids with the unix second each was last seen claimable. */
const Announced = Schema.Record({ key: Schema.String, value: Schema.Number })
const ANNOUNCED = "announced"

/** One new task as a message item: what it is (its untrusted description, one line), then reward, deadline, type, capabilities. */
const taskItem = (task: Task, now: number, zone: string, links: Links): ContentItem => {
  const description = oneLine(task.description)
  return {
    text: `#${shortId(task.id)}${description === "" ? "" : ` ${description}`}`,
    link: explorerLink(links, task.id),
    fields: [
      { label: "Reward", value: formatReward(task.rewardAmount, task.rewardMint) },
      { label: "Deadline", value: task.deadline === 0 ? "none" : formatDeadline(task.deadline, now, zone) },
      { label: "Type", value: `${task.taskType}, ${task.currentWorkers}/${task.maxWorkers} workers` },
      { label: "Capabilities", value: capabilityNames(task.requiredCapabilities) }
    ]
  }
}

/**
 * `task-scan`: claimable tasks matching the config, announced once each. The announced set lives in
 * the session (so a restart does not announce again) and forgets tasks unseen for `forgetAfter`,
 * so it stays as small as the market; a task that flickers out of the result for a while (a claim
 * that expired, a filter edge) is not announced twice.
 */
export const taskScan = Action.make({
  name: "task-scan",
  description: "announces new claimable tasks matching the capabilities and reward filter",
  config: TaskScanConfig,
  run: ({ config, links, timezone }) =>
    Effect.gen(function*() {
      const runtime = yield* AgentRuntime
      const session = yield* Session
      const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
      const filter: TaskFilter = {
        minReward: config.minReward,
        maxReward: config.maxReward,
        capabilities: config.capabilities,
        taskTypes: config.taskTypes,
        minDeadlineBufferSeconds: config.minDeadlineBufferSeconds
      }
      const tasks = yield* runtime.claimableTasks(filter)
      const announced: Record<string, number> = { ...Option.getOrElse(yield* session.getAs(ANNOUNCED, Announced), () => ({})) }
      const fresh = tasks.filter((task) => announced[task.id] === undefined)
      for (const id of Object.keys(announced)) {
        if (now - announced[id]! > config.forgetAfter) delete announced[id]
      }
      for (const task of tasks) announced[task.id] = now
      yield* session.set(ANNOUNCED, announced)
      const metadata = {
        open: tasks.length,
        new: fresh.map((task) => ({
          id: task.id,
          reward: task.rewardAmount.toString(),
          mint: task.rewardMint,
          deadline: task.deadline,
          description: task.description,
          taskType: task.taskType,
          capabilities: task.requiredCapabilities.toString()
        }))
      }
      if (fresh.length === 0) return quiet(metadata)
      const items = fresh.slice(0, config.maxListed).map((task) => taskItem(task, now, timezone, links))
      const rest = fresh.length - items.length
      return notifyContent({
        title: `Found ${plural(fresh.length, "new task")} matching your capabilities`,
        severity: "info",
        items,
        note: rest > 0 ? `…and ${rest} more` : undefined
      }, metadata)
    })
})
