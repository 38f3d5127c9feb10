import { Context, Data, type Effect } from "effect"
import type { AgentSnapshot, Dispute, PortfolioEntry, Task, TaskFilter } from "../domain/Marketplace.js"

/** The data source did not answer (RPC down, 429 after retries, timeout). The URL is redacted. */
export class RpcError extends Data.TaggedError("RpcError")<{ readonly url: string; readonly message: string; readonly cause?: unknown }> {}

/** An account's bytes did not decode as the documented layout. */
export class DecodeError extends Data.TaggedError("DecodeError")<{ readonly account: string; readonly message: string }> {}

/** A task, agent or claim that was asked for does not exist; `hint` says what to check. */
export class NotFoundError extends Data.TaggedError("NotFoundError")<{ readonly what: string; readonly id: string; readonly hint?: string | undefined }> {
  override get message(): string {
    return this.hint ?? `no ${this.what} ${this.id}`
  }
}

/** The local ledger refused or failed (SQLite error, a rule the program enforces). */
export class LedgerError extends Data.TaggedError("LedgerError")<{ readonly message: string; readonly cause?: unknown }> {}

/** Everything `AgentRuntime` may fail with. */
export type RuntimeError = RpcError | DecodeError | NotFoundError | LedgerError

/** The AgenC marketplace from the agent's point of view. */
export interface AgentRuntimeService {
  /** Open tasks with a free worker slot that fit the filter and whose deadline is none or in the future. */
  readonly claimableTasks: (filter: TaskFilter) => Effect.Effect<ReadonlyArray<Task>, RuntimeError>
  /** The agent's counters as of now. */
  readonly agentSnapshot: () => Effect.Effect<AgentSnapshot, RuntimeError>
  /** Tasks the agent has claimed and not finished. */
  readonly portfolio: () => Effect.Effect<ReadonlyArray<PortfolioEntry>, RuntimeError>
  /** Disputes touching these tasks. */
  readonly disputes: (taskIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Dispute>, RuntimeError>
}

/** The AgenC marketplace: `AgentRuntimeSolana` or `AgentRuntimeLocal`, chosen by `runtime.source`. */
export class AgentRuntime extends Context.Tag("agenc/AgentRuntime")<AgentRuntime, AgentRuntimeService>() {}

/** The local ledger refused a change the program would refuse too (reward 0, deadline past, task not claimable ...). */
export class LedgerRuleError extends Data.TaggedError("LedgerRuleError")<{ readonly message: string }> {}
