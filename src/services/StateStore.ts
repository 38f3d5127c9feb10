import { Context, Data, type Effect, type Option } from "effect"

/** SQLite failed underneath the state store. */
export class StateError extends Data.TaggedError("StateError")<{ readonly message: string; readonly cause?: unknown }> {}

/** How a slot or a run ended: it ran (`notified`, `quiet`, `failed`, `timed-out`), or it did not (`skipped`, `missed`, with a reason). */
export type RunOutcome = "notified" | "quiet" | "failed" | "timed-out" | "skipped" | "missed"

/** Every outcome `heartbeat runs --outcome` accepts; `running` is a run still in progress. */
export const RUN_OUTCOMES = ["notified", "quiet", "failed", "timed-out", "skipped", "missed", "running"] as const

/** A run in progress has this outcome until it ends. */
export type LedgerOutcome = RunOutcome | "running"

/** What started a run: its schedule (one record per slot), or an operator (`heartbeat run`, `heartbeat trigger`). */
export type RunTrigger = "schedule" | "manual"

/** One delivery of a run's message, as the ledger keeps it. */
export interface RunDelivery {
  readonly channel: string
  readonly status: string
}

/** One row of the run ledger. Times are epoch ms. */
export interface RunRecord {
  readonly id?: number | undefined
  readonly action: string
  /** The slot (nominal time); for a manual run, when it was asked for. For a summary, the first slot. */
  readonly scheduledAt: number
  readonly trigger?: RunTrigger | undefined
  readonly startedAt: number
  readonly endedAt: number
  readonly outcome: LedgerOutcome
  /** Why a slot was skipped or missed: overlap, paused, daemon-down, late, clock-jump, ... */
  readonly reason?: string | undefined
  readonly error?: string | undefined
  readonly message?: string | undefined
  readonly deliveries?: ReadonlyArray<RunDelivery> | undefined
  /** A summary record stands for this many missed slots, from `scheduledAt` to `lastSlot`. */
  readonly count?: number | undefined
  readonly lastSlot?: number | undefined
  /** When the run was planned to start (the slot moved by jitter); undefined: at the slot. */
  readonly plannedAt?: number | undefined
}

/** What claiming a slot (or a manual run) found. */
export type Claim =
  /** The slot is ours to run: its ledger row (outcome `running`) has this id. */
  | { readonly _tag: "Claimed"; readonly id: number }
  /** The slot already has its record (it ran, or is running, or was skipped or missed): not run again. */
  | { readonly _tag: "AlreadyRecorded"; readonly outcome: string }
  /** The action is paused: recorded as skipped (paused). */
  | { readonly _tag: "Paused"; readonly pause: Pause }
  /** The failure policy's backoff skips this slot: recorded as skipped (backoff). */
  | { readonly _tag: "Backoff" }
  /** Another run of the action is in progress (this or another process): recorded as skipped, overlap. */
  | { readonly _tag: "Busy"; readonly holder: { readonly pid: number; readonly trigger: string; readonly scheduledAt: number } }

/** An action's pause: since when, why, until when (undefined: until resumed), and by whom. */
export interface Pause {
  readonly action: string
  readonly since: number
  readonly reason?: string | undefined
  readonly until?: number | undefined
  readonly by: "operator" | "failure-policy"
}

/** A claim request: `exclusive` means one run of the action at a time on this `$AGENC_HOME`. */
export interface ClaimRequest {
  readonly action: string
  readonly scheduledAt: number
  readonly trigger: RunTrigger
  readonly startedAt: number
  readonly exclusive: boolean
  readonly plannedAt?: number | undefined
  /** Honour the failure policy's backoff (skip while the action's streak has slots to skip). */
  readonly backoff?: boolean | undefined
}

/** An action's current run of consecutive failures. */
export interface FailureStreak {
  readonly failures: number
  readonly firstFailureAt: number
  readonly lastError: string
  /** When the last alert of this streak went out. */
  readonly alertedAt?: number | undefined
  /** Slots still to skip (backoff). */
  readonly skipRemaining: number
}

/** How the run behind a claim ended. */
export interface RunEnd {
  readonly endedAt: number
  readonly outcome: RunOutcome
  readonly error?: string | undefined
  readonly message?: string | undefined
  readonly deliveries?: ReadonlyArray<RunDelivery> | undefined
}

/** A query of the ledger; newest slot first. */
export interface RunQuery {
  readonly action?: string | undefined
  readonly since?: number | undefined
  readonly outcome?: string | undefined
  readonly trigger?: RunTrigger | undefined
  readonly limit?: number | undefined
}

/** Durable state under `$AGENC_HOME`: the run ledger and each action's session. */
export interface StateStoreService {
  /** Adds a finished record as is (a skip, a miss, or a run recorded after the fact). A slot that already has a record keeps it: answers false. */
  readonly recordRun: (run: RunRecord) => Effect.Effect<boolean, StateError>
  /**
   * Claims a slot before its run starts, in one transaction that checks for an earlier claim and, when
   * `exclusive`, for another run of the action in progress (whose owner process is still alive).
   */
  readonly claim: (request: ClaimRequest) => Effect.Effect<Claim, StateError>
  /** Ends the run of a claim. */
  readonly finish: (id: number, end: RunEnd) => Effect.Effect<void, StateError>
  /** Runs left `running` by processes that are gone become `failed` (interrupted); answers how many. */
  readonly releaseAbandoned: Effect.Effect<number, StateError>
  /** Newest slot first. */
  readonly runs: (query?: RunQuery) => Effect.Effect<ReadonlyArray<RunRecord>, StateError>
  /** The latest scheduled slot of this action that has a record (ran, skipped or missed). */
  readonly lastSlot: (action: string) => Effect.Effect<Option.Option<number>, StateError>
  /** `lastSlot` of every action with a record, in one read (the scheduler's start, 10,000 actions at once). */
  readonly lastSlots: Effect.Effect<ReadonlyMap<string, number>, StateError>
  /** Slots per outcome of this action's scheduled records since `since` (a summary counts its slots). */
  readonly outcomeCounts: (action: string, since: number) => Effect.Effect<Readonly<Record<string, number>>, StateError>
  /** Pauses the action; a paused one keeps its pause, answered as `existing`. */
  readonly pause: (pause: Pause) => Effect.Effect<{ readonly created: boolean; readonly pause: Pause }, StateError>
  /** Resumes the action; answers the pause it had, if any. */
  readonly resume: (action: string) => Effect.Effect<Option.Option<Pause>, StateError>
  /** The actions paused at `now` (a pause past its `until` is over). */
  readonly pauses: (now: number) => Effect.Effect<ReadonlyArray<Pause>, StateError>
  readonly failureStreak: (action: string) => Effect.Effect<Option.Option<FailureStreak>, StateError>
  /** Sets the action's streak; undefined ends it (a success). */
  readonly setFailureStreak: (action: string, streak: FailureStreak | undefined) => Effect.Effect<void, StateError>
  readonly sessionGet: (action: string, key: string) => Effect.Effect<Option.Option<unknown>, StateError>
  readonly sessionSet: (action: string, key: string, value: unknown) => Effect.Effect<void, StateError>
  readonly sessionDelete: (action: string, key: string) => Effect.Effect<void, StateError>
  /** Keys of this action's session, optionally only those starting with `prefix`. */
  readonly sessionKeys: (action: string, prefix?: string) => Effect.Effect<ReadonlyArray<string>, StateError>
}

/** The state store (SQLite via `@effect/sql-sqlite-node`). */
export class StateStore extends Context.Tag("agenc/StateStore")<StateStore, StateStoreService>() {}
