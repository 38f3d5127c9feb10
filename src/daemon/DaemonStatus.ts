import { Clock, Effect, Layer, Option, Schema } from "effect"
import * as CronSchedule from "../domain/CronSchedule.js"
import { DatabaseReadOnly } from "../layers/DatabaseReadOnly.js"
import { StateStoreSqlite } from "../layers/StateStoreSqlite.js"
import type { MetricsSummary } from "../services/Metrics.js"
import type { Registration } from "../services/Scheduler.js"
import { StateStore } from "../services/StateStore.js"
import { pauseJson } from "../heartbeat/Pauses.js"
import { LiveStatus } from "./ControlProtocol.js"
import * as ControlClient from "./ControlClient.js"
import * as CrashLog from "./CrashLog.js"
import type { FoundDaemon } from "./DaemonLocator.js"

/** `agenc daemon status --json`. */
export interface DaemonStatus {
  /** running: verified and answering; unresponsive: verified but silent on its socket for 3 s; stale: a PID file naming no daemon of ours. */
  readonly state: "running" | "unresponsive" | "stale" | "stopped"
  /** Why `gateway.json` on disk does not load (`path: reason`); the rest of the report is the live daemon's view. */
  readonly configError: string | null
  readonly running: boolean
  readonly pid: number | null
  readonly uptimeMs: number | null
  readonly staleReason: string | null
  readonly lastCrash: { readonly at: string; readonly pid: number; readonly reason: string } | null
  readonly restarts: number
  readonly actions: ReadonlyArray<{
    readonly name: string
    readonly schedule: string
    readonly timezone: string
    readonly nextRunAt: string | null
    readonly lastRunAt: string | null
    readonly lastOutcome: string | null
    /** Slots missed and skipped in the last 24 h (from the ledger). */
    readonly missed24h: number
    readonly skipped24h: number
    /** `{ since, reason, until, by }` while paused, else null. */
    readonly paused: ReturnType<typeof pauseJson>
    readonly running: boolean
  }>
  /** The daemon's supervised loops (null unless it runs and answers). */
  readonly loops: {
    readonly scheduler: { readonly alive: boolean; readonly lastTickAt: string | null; readonly restarts: number }
    readonly channels: Readonly<Record<string, { readonly alive: boolean; readonly restarts: number }>>
  } | null
  /** Dead-lettered (unreadable) outbox rows per channel (null unless the daemon runs and answers). */
  readonly deadLetters: Readonly<Record<string, number>> | null
  /** The running daemon's metrics since it started (`metrics.listen` serves them to Prometheus); null when it does not answer. */
  readonly metrics: (MetricsSummary & { readonly listen: string | null }) | null
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString())

/**
 * The daemon's state from its PID file and the state store, plus the live schedule from the daemon
 * itself when it answers on the control socket. Works whether or not the daemon runs.
 */
export const daemonStatus = (found: FoundDaemon, registrations: ReadonlyArray<Registration>) =>
  Effect.gen(function*() {
    const { paths, state: pidState } = found
    const now = yield* Clock.currentTimeMillis
    const live = pidState._tag === "Running"
      ? yield* ControlClient.request(paths.socket, { op: "status" }, { timeoutMs: 3_000 }).pipe(
        Effect.map((response) => response.ok ? Option.getRight(Schema.decodeUnknownEither(LiveStatus)(response.result)) : Option.none()),
        Effect.orElseSucceed(() => Option.none<LiveStatus>())
      )
      : Option.none<LiveStatus>()
    const ledgerSize = Option.match(found.loaded, { onNone: () => 10_000, onSome: (loaded) => loaded.config.heartbeat.ledgerSize })
    const stored = yield* Effect.gen(function*() {
      const store = yield* StateStore
      const crash = yield* CrashLog.lastCrash
      const restarts = yield* CrashLog.restarts
      const names = Option.match(live, { onNone: () => registrations.map((r) => r.name), onSome: (s) => s.actions.map((a) => a.name) })
      const lastRuns = new Map<string, { endedAt: number; outcome: string }>()
      const counts = new Map<string, Readonly<Record<string, number>>>()
      const pauses = yield* store.pauses(now)
      for (const name of names) {
        const [last] = yield* store.runs({ action: name, limit: 1 })
        if (last !== undefined) lastRuns.set(name, { endedAt: last.endedAt, outcome: last.outcome })
        counts.set(name, yield* store.outcomeCounts(name, now - 86_400_000))
      }
      return { crash, restarts, lastRuns, counts, pauses }
    }).pipe(
      Effect.provide(StateStoreSqlite({ ledgerSize }).pipe(Layer.provideMerge(DatabaseReadOnly(paths.home))))
    )
    const actions = Option.match(live, {
      onNone: () =>
        registrations.map((r) => ({
          name: r.name,
          schedule: r.schedule.expression,
          timezone: CronSchedule.timezoneOf(r.schedule),
          // Not scheduled while stopped: this is when it would run next if the daemon were up.
          nextRunAt: pidState._tag === "Running" ? CronSchedule.next(r.schedule, now) : null,
          running: false
        })),
      onSome: (status) => status.actions
    })
    const status: DaemonStatus = {
      state: pidState._tag === "Running" ? (Option.isSome(live) ? "running" : "unresponsive") : pidState._tag === "Stale" ? "stale" : "stopped",
      configError: Option.match(found.configError, { onNone: () => null, onSome: (error) => error.line }),
      running: pidState._tag === "Running",
      pid: pidState._tag === "Running" ? pidState.record.pid : pidState._tag === "Stale" ? pidState.stale.record?.pid ?? null : null,
      uptimeMs: pidState._tag === "Running" ? now - Option.match(live, { onNone: () => pidState.record.startedAt, onSome: (s) => s.startedAt }) : null,
      staleReason: pidState._tag === "Stale" ? pidState.stale.reason : null,
      lastCrash: stored.crash === undefined ? null : { at: iso(stored.crash.at)!, pid: stored.crash.pid, reason: stored.crash.reason },
      restarts: stored.restarts,
      actions: actions.map((action) => ({
        name: action.name,
        schedule: action.schedule,
        timezone: action.timezone,
        nextRunAt: iso(action.nextRunAt),
        lastRunAt: iso(stored.lastRuns.get(action.name)?.endedAt),
        lastOutcome: stored.lastRuns.get(action.name)?.outcome ?? null,
        missed24h: stored.counts.get(action.name)?.missed ?? 0,
        skipped24h: stored.counts.get(action.name)?.skipped ?? 0,
        paused: pauseJson(stored.pauses.find((pause) => pause.action === action.name)),
        running: action.running
      })),
      loops: Option.match(live, {
        onNone: () => null,
        onSome: ({ loops }) =>
          loops === undefined ? null : {
            scheduler: { alive: loops.scheduler.alive, lastTickAt: iso(loops.scheduler.lastTickAt), restarts: loops.scheduler.restarts },
            channels: Object.fromEntries(Object.entries(loops.channels).map(([name, loop]) => [name, { alive: loop.alive, restarts: loop.restarts }]))
          }
      }),
      deadLetters: Option.match(live, { onNone: () => null, onSome: (s) => s.deadLetters ?? null }),
      metrics: Option.match(Option.flatMapNullable(live, (s) => s.metrics), {
        onNone: () => null,
        onSome: (metrics) => ({ listen: Option.getOrUndefined(found.loaded)?.config.metrics?.listen ?? null, ...metrics })
      })
    }
    return status
  })
