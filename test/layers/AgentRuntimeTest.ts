import { Clock, Effect, Layer } from "effect"
import {
  type AgentSnapshot,
  byRewardDesc,
  type Dispute,
  isClaimable,
  type PortfolioEntry,
  type Task,
  type TaskFilter
} from "../../src/domain/Marketplace.js"
import { AgentRuntime, type RuntimeError } from "../../src/services/AgentRuntime.js"

/** One call the runtime received. */
export type RuntimeCall =
  | { readonly method: "claimableTasks"; readonly filter: TaskFilter }
  | { readonly method: "agentSnapshot" }
  | { readonly method: "portfolio" }
  | { readonly method: "disputes"; readonly taskIds: ReadonlyArray<string> }

/**
 * A marketplace the test edits: open tasks, the agent's counters, its claims and disputes. The
 * runtime over it applies the program's claimable rule (`isClaimable`, the same as the real layers)
 * to the tasks and the filter it is given, records every call, and fails with `failure` while set.
 */
export class TestMarketplace {
  tasks: Array<Task> = []
  portfolio: Array<PortfolioEntry> = []
  disputes: Array<Dispute> = []
  agent = { name: "test-agent", capabilities: 0x3ffn, reputation: 5000 }
  counters = { tasksCompleted: 0n, totalEarned: 0n, activeTasks: 0, stake: 0n }
  failure: RuntimeError | undefined
  readonly calls: Array<RuntimeCall> = []

  /** Completes `count` tasks paying `earned` lamports in total. */
  complete(count: bigint, earned: bigint): void {
    this.counters = { ...this.counters, tasksCompleted: this.counters.tasksCompleted + count, totalEarned: this.counters.totalEarned + earned }
  }

  private answer<A>(call: RuntimeCall, value: () => A): Effect.Effect<A, RuntimeError> {
    this.calls.push(call)
    return this.failure === undefined ? Effect.sync(value) : Effect.fail(this.failure)
  }

  /** The `AgentRuntime` over this marketplace. */
  get layer(): Layer.Layer<AgentRuntime> {
    return Layer.succeed(AgentRuntime, {
      claimableTasks: (filter) =>
        Effect.flatMap(Clock.currentTimeMillis, (ms) =>
          this.answer({ method: "claimableTasks", filter }, () =>
            this.tasks
              .filter((task) => isClaimable(task, this.agent, filter, Math.floor(ms / 1000)))
              .sort(byRewardDesc)
              .slice(0, filter.limit))),
      agentSnapshot: () =>
        Effect.flatMap(Clock.currentTimeMillis, (at) =>
          this.answer({ method: "agentSnapshot" }, (): AgentSnapshot => ({
            agent: this.agent.name,
            capabilities: this.agent.capabilities,
            reputation: this.agent.reputation,
            ...this.counters,
            at
          }))),
      portfolio: () => this.answer({ method: "portfolio" }, () => [...this.portfolio]),
      disputes: (taskIds) =>
        this.answer({ method: "disputes", taskIds }, () => this.disputes.filter((dispute) => taskIds.includes(dispute.task)))
    })
  }
}

/** A task with sensible defaults: open, one free slot, COMPUTE|INFERENCE required, 1 SOL, no deadline. */
export const makeTask = (id: string, fields: Partial<Task> = {}): Task => ({
  id,
  creator: "creator",
  requiredCapabilities: 3n,
  description: `task ${id}`,
  rewardAmount: 1_000_000_000n,
  rewardMint: null,
  maxWorkers: 1,
  currentWorkers: 0,
  status: "Open",
  taskType: "Exclusive",
  createdAt: 0,
  deadline: 0,
  completedAt: 0,
  minReputation: 0,
  dependsOn: null,
  ...fields
})

/** A dispute on `task` with sensible defaults. */
export const makeDispute = (id: string, task: string, fields: Partial<Dispute> = {}): Dispute => ({
  id,
  task,
  status: "Active",
  resolutionType: "Refund",
  createdAt: 0,
  resolvedAt: 0,
  votesFor: 0n,
  votesAgainst: 0n,
  votingDeadline: 0,
  ...fields
})
