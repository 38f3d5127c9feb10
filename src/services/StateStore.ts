import { Context, Data, type Effect, type Option } from "effect"

/** SQLite failed underneath the state store. */
export class StateError extends Data.TaggedError("StateError")<{ readonly message: string; readonly cause?: unknown }> {}

/** How a run ended. */
export type RunOutcome = "notified" | "quiet" | "failed" | "timed-out" | "skipped"

/** One row of the run ledger. Times are epoch ms. */
export interface RunRecord {
  readonly action: string
  readonly scheduledAt: number
  readonly startedAt: number
  readonly endedAt: number
  readonly outcome: RunOutcome
  readonly error?: string | undefined
  readonly message?: string | undefined
}

/** Durable state under `$AGENC_HOME`: the run ledger and each action's session. */
export interface StateStoreService {
  readonly recordRun: (run: RunRecord) => Effect.Effect<void, StateError>
  /** Newest first. */
  readonly runs: (options?: { readonly action?: string | undefined; readonly limit?: number | undefined }) => Effect.Effect<ReadonlyArray<RunRecord>, StateError>
  /** The latest slot of this action that actually ran (any outcome but skipped). */
  readonly lastSlot: (action: string) => Effect.Effect<Option.Option<number>, StateError>
  readonly sessionGet: (action: string, key: string) => Effect.Effect<Option.Option<unknown>, StateError>
  readonly sessionSet: (action: string, key: string, value: unknown) => Effect.Effect<void, StateError>
  readonly sessionDelete: (action: string, key: string) => Effect.Effect<void, StateError>
  /** Keys of this action's session, optionally only those starting with `prefix`. */
  readonly sessionKeys: (action: string, prefix?: string) => Effect.Effect<ReadonlyArray<string>, StateError>
}

/** The state store (SQLite via `@effect/sql-sqlite-node`). */
export class StateStore extends Context.Tag("agenc/StateStore")<StateStore, StateStoreService>() {}
