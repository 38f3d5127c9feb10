import { Context, Data, type Effect } from "effect"
import type { LoopSnapshot } from "../domain/LoopSupervisor.js"
import type { Links } from "../domain/ChannelsConfig.js"
import type { CronSchedule } from "../domain/CronSchedule.js"
import type { HeartbeatAction, HeartbeatResult } from "./HeartbeatAction.js"
import type { DeliveryOutcome } from "./Gateway.js"
import type { RunOutcome } from "./StateStore.js"

/** An action with its schedule and policies, ready to run. */
export interface Registration {
  readonly name: string
  readonly action: HeartbeatAction
  readonly schedule: CronSchedule
  /** A run that takes longer is interrupted and recorded as timed-out. */
  readonly timeoutMs: number
  readonly overlap: "skip" | "allow"
  /** Slots missed while the daemon was down: none run (default), the latest, or all (up to `catchUpMax`, in slot order). */
  readonly catchUp: "none" | "latest" | "all"
  /** Only missed slots at most this old are caught up. */
  readonly catchUpWindowMs: number
  /** With `catchUp: "all"`, at most this many missed slots run. */
  readonly catchUpMax?: number | undefined
  /** Alerts, auto-pause and backoff on consecutive failures; undefined: failures are only recorded. */
  readonly onFailure?: FailurePolicy | undefined
  /** Each slot's run starts later by a stable offset in [0, jitter) from the action's name; 0: at the slot. */
  readonly jitterMs?: number | undefined
  /** After a start that found missed slots, send one message saying so. */
  readonly missedAlert?: boolean | undefined
  /** Deliver only to these channels; undefined: all. */
  readonly channels?: ReadonlyArray<string> | undefined
  readonly config: Record<string, unknown>
  /** The `links` templates the action's messages may use; default: none. */
  readonly links?: Links | undefined
  /** Equal fingerprints mean equal registrations: a config reload leaves such an action alone. */
  readonly fingerprint: string
}

/** The failure policy of an action, defaults applied (see `FailurePolicyConfig`). */
export interface FailurePolicy {
  readonly alertAfter: number
  readonly alertChannels?: ReadonlyArray<string> | undefined
  readonly cooldownMs: number
  readonly pauseAfter?: number | undefined
  readonly backoff: boolean
}

/** What one run did. */
export interface RunReport {
  readonly action: string
  /** The run's ledger record. */
  readonly id?: number | undefined
  readonly trigger?: "schedule" | "manual" | undefined
  readonly scheduledAt: number
  readonly startedAt: number
  readonly endedAt: number
  readonly outcome: RunOutcome
  readonly result?: HeartbeatResult | undefined
  readonly deliveries: ReadonlyArray<DeliveryOutcome>
  readonly error?: string | undefined
}

/** A registered action as `heartbeat list` and `daemon status` show it. */
export interface ScheduledAction {
  readonly name: string
  readonly description: string
  readonly schedule: string
  readonly timezone: string
  /** Epoch ms of the next slot; undefined while the scheduler is stopped. */
  readonly nextRunAt: number | undefined
  readonly running: boolean
}

/** No action of that name is registered. */
export class UnknownActionError extends Data.TaggedError("UnknownActionError")<{ readonly name: string }> {
  override get message(): string {
    return `no action named "${this.name}"`
  }
}

/** Another run of the action is in progress, in this process or another on the same `$AGENC_HOME`. */
export class ActionBusyError extends Data.TaggedError("ActionBusyError")<{
  readonly name: string
  readonly holder: { readonly pid: number; readonly trigger: string; readonly scheduledAt: number }
}> {
  override get message(): string {
    const what = this.holder.trigger === "schedule" ? `its slot ${new Date(this.holder.scheduledAt).toISOString()}` : "a manual run"
    const where = this.holder.pid === process.pid ? "in this process" : `in process ${this.holder.pid}`
    return `${this.name} is already running (${what}, ${where}); not started again, try when it ends`
  }
}

/** Runs registered actions at their slots, each run in its own supervised fiber. */
export interface SchedulerService {
  /** Adds the action, or replaces the one of the same name (its in-flight run is left alone). */
  readonly schedule: (registration: Registration) => Effect.Effect<void>
  /** Removes the action; an in-flight run finishes. Answers whether it was registered. */
  readonly unschedule: (name: string) => Effect.Effect<boolean>
  /** Makes the registered set equal to `registrations`, touching only what changed. */
  readonly reconcile: (registrations: ReadonlyArray<Registration>) => Effect.Effect<{ readonly added: ReadonlyArray<string>; readonly changed: ReadonlyArray<string>; readonly removed: ReadonlyArray<string> }>
  /** Starts dispatching (and runs catch-up slots). Idempotent. */
  readonly start: Effect.Effect<void>
  /** Stops dispatching and interrupts in-flight runs. */
  readonly stop: Effect.Effect<void>
  /** Stops dispatching, lets in-flight runs finish for up to `graceMs`, then interrupts the rest. */
  readonly drain: (graceMs: number) => Effect.Effect<void>
  /** Runs one action once, now, outside its schedule (it still counts for overlap). */
  readonly runNow: (name: string, options?: { readonly deliver?: boolean | undefined }) => Effect.Effect<RunReport, UnknownActionError | ActionBusyError>
  readonly list: Effect.Effect<ReadonlyArray<ScheduledAction>>
  /** How many runs are in flight. */
  readonly inFlight: Effect.Effect<number>
  /** The dispatcher loop: alive, restarts after defects, and its last turn (the watchdog's sign of progress). */
  readonly health: Effect.Effect<LoopSnapshot>
}

/** The heartbeat scheduler. */
export class Scheduler extends Context.Tag("agenc/Scheduler")<Scheduler, SchedulerService>() {}
