import { SqlClient, type SqlError } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { type Claim, type Pause, type RunDelivery, type RunRecord, RUN_OUTCOMES, StateError, StateStore } from "../services/StateStore.js"
import { CorruptRowError, NullableInt, NullableText, rowDecoder } from "../domain/SqlRow.js"
import { toJson } from "../domain/Json.js"
// A leaf module (fs only): the owner of a run in progress is a process identity, as the PID file's is.
import * as ProcessIdentity from "../domain/ProcessIdentity.js"

const toStateError = (error: SqlError.SqlError | CorruptRowError) => new StateError({ message: error.message, cause: error })

const RunRow = Schema.Struct({
  id: Schema.Number,
  action: Schema.String,
  scheduled_at: Schema.Number,
  trigger: Schema.Literal("schedule", "manual"),
  started_at: Schema.Number,
  ended_at: Schema.Number,
  outcome: Schema.Literal(...RUN_OUTCOMES),
  reason: NullableText,
  error: NullableText,
  message: NullableText,
  deliveries: Schema.NullOr(Schema.parseJson(Schema.Array(Schema.Struct({ channel: Schema.String, status: Schema.String })))),
  missed_count: NullableInt,
  last_slot: NullableInt,
  planned_at: NullableInt,
  owner_pid: NullableInt,
  owner_start: NullableText
})
type RunRow = typeof RunRow.Type
// Decoders are built once here, not per query: the ledger is read on every claim.
const runRows = rowDecoder("runs", RunRow)

const fromRow = (row: RunRow): RunRecord => ({
  id: row.id,
  action: row.action,
  scheduledAt: row.scheduled_at,
  trigger: row.trigger,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  outcome: row.outcome,
  reason: row.reason ?? undefined,
  error: row.error ?? undefined,
  message: row.message ?? undefined,
  deliveries: row.deliveries ?? undefined,
  count: row.missed_count ?? undefined,
  lastSlot: row.last_slot ?? undefined,
  plannedAt: row.planned_at ?? undefined
})

const PauseRow = Schema.Struct({
  action: Schema.String,
  since: Schema.Number,
  reason: NullableText,
  until: NullableInt,
  paused_by: Schema.Literal("operator", "failure-policy")
})
type PauseRow = typeof PauseRow.Type
const pauseRows = rowDecoder("action_pauses", PauseRow)

const fromPauseRow = (row: PauseRow): Pause => ({
  action: row.action,
  since: row.since,
  reason: row.reason ?? undefined,
  until: row.until ?? undefined,
  by: row.paused_by
})

const streakRows = rowDecoder("failure_streaks", Schema.Struct({
  failures: Schema.Number,
  first_failure_at: Schema.Number,
  last_error: Schema.String,
  alerted_at: NullableInt,
  skip_remaining: Schema.Number
}))
/** A session value is JSON (`toJson` wrote it): one that does not parse is a corrupt row, not a defect. */
const sessionValues = rowDecoder("sessions", Schema.Struct({ value: Schema.parseJson() }))
const sessionKeyRows = rowDecoder("sessions", Schema.Struct({ key: Schema.String }))
const idRows = rowDecoder("runs", Schema.Struct({ id: Schema.Number }))
const actionRows = rowDecoder("runs", Schema.Struct({ action: Schema.String }))
const outcomeRows = rowDecoder("runs", Schema.Struct({ outcome: Schema.String }))
const slotRows = rowDecoder("runs", Schema.Struct({ slot: NullableInt }))
const actionSlotRows = rowDecoder("runs", Schema.Struct({ action: Schema.String, slot: Schema.Number }))
const countRows = rowDecoder("runs", Schema.Struct({ outcome: Schema.String, n: Schema.Number }))
const skipRows = rowDecoder("failure_streaks", Schema.Struct({ skip_remaining: Schema.Number }))

/** Types a claim's answer without a cast. */
const claimed = (claim: Claim): Claim => claim

const deliveriesJson = (deliveries: ReadonlyArray<RunDelivery> | undefined) =>
  deliveries === undefined ? null : JSON.stringify(deliveries.map(({ channel, status }) => ({ channel, status })))

/** Whether the process that owns a run in progress is still the same live process. */
const ownerAlive = (row: { readonly owner_pid: number | null; readonly owner_start: string | null }) =>
  row.owner_pid !== null && ProcessIdentity.stillRunning({ pid: row.owner_pid, startTime: row.owner_start ?? undefined, bootId: undefined }).running

/**
 * `StateStore` on the SQLite database. The run ledger keeps the newest `ledgerSize` records of each
 * action (so a chatty action never evicts another's history); a scheduled slot has at most one record,
 * enforced by a unique index, which is what makes `claim` the at-most-once guarantee across processes.
 */
export const StateStoreSqlite = (options: { readonly ledgerSize: number }) =>
  Layer.effect(
    StateStore,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const owner = ProcessIdentity.self()
      // Trimming on every write would double the writes; every 100th per action keeps it within 100 of the bound.
      const writesSinceTrim = new Map<string, number>()
      const trim = (action: string) => {
        const writes = (writesSinceTrim.get(action) ?? 0) + 1
        writesSinceTrim.set(action, writes % 100)
        return writes < 100 ? Effect.void : sql`DELETE FROM runs WHERE action = ${action} AND outcome != 'running' AND scheduled_at < (
            SELECT scheduled_at FROM runs WHERE action = ${action} ORDER BY scheduled_at DESC LIMIT 1 OFFSET ${options.ledgerSize - 1})`.pipe(Effect.asVoid)
      }

      /** Ends runs of `action` (or all) whose owner is gone; answers the live holders. */
      const sweep = (action: string | undefined, now: number, except: number) =>
        Effect.gen(function*() {
          const rows = action === undefined
            ? yield* sql`SELECT * FROM runs WHERE outcome = 'running'`.pipe(Effect.flatMap(runRows.all))
            : yield* sql`SELECT * FROM runs WHERE action = ${action} AND outcome = 'running' AND id != ${except}`.pipe(Effect.flatMap(runRows.all))
          const live: Array<RunRow> = []
          for (const row of rows) {
            if (ownerAlive(row)) {
              live.push(row)
              continue
            }
            yield* sql`UPDATE runs SET outcome = 'failed', ended_at = ${Math.max(now, row.started_at)},
              error = ${`interrupted: process ${row.owner_pid ?? "?"} ended during the run`} WHERE id = ${row.id}`
          }
          return { live, released: rows.length - live.length }
        })

      return StateStore.of({
        recordRun: (run) =>
          Effect.gen(function*() {
            const rows = yield* sql`INSERT INTO runs (action, scheduled_at, trigger, started_at, ended_at, outcome, reason, error, message, deliveries, missed_count, last_slot, planned_at)
              VALUES (${run.action}, ${run.scheduledAt}, ${run.trigger ?? "schedule"}, ${run.startedAt}, ${run.endedAt}, ${run.outcome}, ${run.reason ?? null},
                ${run.error ?? null}, ${run.message ?? null}, ${deliveriesJson(run.deliveries)}, ${run.count ?? null}, ${run.lastSlot ?? null}, ${run.plannedAt ?? null})
              ON CONFLICT DO NOTHING RETURNING id`
            yield* trim(run.action)
            return rows.length > 0
          }).pipe(Effect.mapError(toStateError)),
        claim: (request) =>
          Effect.gen(function*() {
            // The first statement writes, so the transaction holds SQLite's write lock from here on: the
            // check below cannot race another process's claim.
            const inserted = yield* sql`INSERT INTO runs (action, scheduled_at, trigger, started_at, ended_at, outcome, owner_pid, owner_start, planned_at)
              VALUES (${request.action}, ${request.scheduledAt}, ${request.trigger}, ${request.startedAt}, ${request.startedAt}, 'running',
                ${owner.pid}, ${owner.startTime ?? null}, ${request.plannedAt ?? null})
              ON CONFLICT DO NOTHING RETURNING id`.pipe(Effect.flatMap(idRows.first))
            if (inserted === undefined) {
              const existing = yield* sql`SELECT outcome FROM runs WHERE action = ${request.action}
                AND scheduled_at = ${request.scheduledAt} AND trigger = 'schedule'`.pipe(Effect.flatMap(outcomeRows.first))
              return claimed({ _tag: "AlreadyRecorded", outcome: existing?.outcome ?? "unknown" })
            }
            if (request.trigger === "schedule") {
              // Read at each claim, so a pause (or resume) from any process applies at the next slot.
              const paused = yield* sql`SELECT * FROM action_pauses WHERE action = ${request.action}`.pipe(Effect.flatMap(pauseRows.first))
              if (paused !== undefined && paused.until !== null && paused.until <= request.startedAt) {
                yield* sql`DELETE FROM action_pauses WHERE action = ${request.action}`
              } else if (paused !== undefined) {
                yield* sql`UPDATE runs SET outcome = 'skipped', reason = 'paused', owner_pid = NULL, owner_start = NULL WHERE id = ${inserted.id}`
                return claimed({ _tag: "Paused", pause: fromPauseRow(paused) })
              }
            }
            if (request.backoff === true) {
              const backingOff = yield* sql`UPDATE failure_streaks SET skip_remaining = skip_remaining - 1
                WHERE action = ${request.action} AND skip_remaining > 0 RETURNING skip_remaining`.pipe(Effect.flatMap(skipRows.first))
              if (backingOff !== undefined) {
                yield* sql`UPDATE runs SET outcome = 'skipped', reason = 'backoff', owner_pid = NULL, owner_start = NULL WHERE id = ${inserted.id}`
                return claimed({ _tag: "Backoff" })
              }
            }
            if (request.exclusive) {
              const { live } = yield* sweep(request.action, request.startedAt, inserted.id)
              const holder = live[0]
              if (holder !== undefined) {
                yield* sql`UPDATE runs SET outcome = 'skipped', reason = 'overlap', owner_pid = NULL, owner_start = NULL WHERE id = ${inserted.id}`
                return claimed({ _tag: "Busy", holder: { pid: holder.owner_pid!, trigger: holder.trigger, scheduledAt: holder.scheduled_at } })
              }
            }
            return claimed({ _tag: "Claimed", id: inserted.id })
          }).pipe(sql.withTransaction, Effect.mapError(toStateError)),
        finish: (id, end) =>
          Effect.gen(function*() {
            const row = yield* sql`UPDATE runs SET ended_at = ${end.endedAt}, outcome = ${end.outcome}, error = ${end.error ?? null},
              message = ${end.message ?? null}, deliveries = ${deliveriesJson(end.deliveries)}, owner_pid = NULL, owner_start = NULL
              WHERE id = ${id} RETURNING action`.pipe(Effect.flatMap(actionRows.first))
            if (row !== undefined) yield* trim(row.action)
          }).pipe(Effect.mapError(toStateError)),
        releaseAbandoned: Effect.flatMap(Clock.currentTimeMillis, (now) =>
          sweep(undefined, now, -1).pipe(Effect.map((swept) => swept.released), sql.withTransaction, Effect.mapError(toStateError))),
        runs: (query = {}) => {
          const conditions = [
            ...(query.action === undefined ? [] : [sql`action = ${query.action}`]),
            ...(query.since === undefined ? [] : [sql`COALESCE(last_slot, scheduled_at) >= ${query.since}`]),
            ...(query.outcome === undefined ? [] : [sql`outcome = ${query.outcome}`]),
            ...(query.trigger === undefined ? [] : [sql`trigger = ${query.trigger}`])
          ]
          return sql`SELECT * FROM runs WHERE ${sql.and(conditions)} ORDER BY scheduled_at DESC, id DESC LIMIT ${query.limit ?? 100}`.pipe(
            Effect.flatMap(runRows.all),
            Effect.map((rows) => rows.map(fromRow)),
            Effect.mapError(toStateError)
          )
        },
        lastSlot: (action) =>
          sql`SELECT MAX(COALESCE(last_slot, scheduled_at)) AS slot FROM runs WHERE action = ${action} AND trigger = 'schedule'`.pipe(
            Effect.flatMap(slotRows.first),
            Effect.map((row) => Option.fromNullable(row?.slot)),
            Effect.mapError(toStateError)
          ),
        lastSlots: sql`SELECT action, MAX(COALESCE(last_slot, scheduled_at)) AS slot FROM runs WHERE trigger = 'schedule' GROUP BY action`.pipe(
          Effect.flatMap(actionSlotRows.all),
          Effect.map((rows) => new Map(rows.map((row) => [row.action, row.slot]))),
          Effect.mapError(toStateError)
        ),
        outcomeCounts: (action, since) =>
          sql`SELECT outcome, SUM(COALESCE(missed_count, 1)) AS n FROM runs
            WHERE action = ${action} AND trigger = 'schedule' AND COALESCE(last_slot, scheduled_at) >= ${since} GROUP BY outcome`.pipe(
            Effect.flatMap(countRows.all),
            Effect.map((rows) => Object.fromEntries(rows.map((row) => [row.outcome, row.n]))),
            Effect.mapError(toStateError)
          ),
        pause: (pause) =>
          Effect.gen(function*() {
            const existing = yield* sql`SELECT * FROM action_pauses WHERE action = ${pause.action}`.pipe(Effect.flatMap(pauseRows.first))
            if (existing !== undefined && (existing.until === null || existing.until > pause.since)) {
              return { created: false, pause: fromPauseRow(existing) }
            }
            yield* sql`INSERT INTO action_pauses (action, since, reason, until, paused_by)
              VALUES (${pause.action}, ${pause.since}, ${pause.reason ?? null}, ${pause.until ?? null}, ${pause.by})
              ON CONFLICT (action) DO UPDATE SET since = excluded.since, reason = excluded.reason, until = excluded.until, paused_by = excluded.paused_by`
            return { created: true, pause }
          }).pipe(sql.withTransaction, Effect.mapError(toStateError)),
        resume: (action) =>
          sql`DELETE FROM action_pauses WHERE action = ${action} RETURNING *`.pipe(
            Effect.flatMap(pauseRows.first),
            Effect.map((row) => Option.map(Option.fromNullable(row), fromPauseRow)),
            Effect.mapError(toStateError)
          ),
        pauses: (now) =>
          sql`SELECT * FROM action_pauses WHERE until IS NULL OR until > ${now} ORDER BY action`.pipe(
            Effect.flatMap(pauseRows.all),
            Effect.map((rows) => rows.map(fromPauseRow)),
            Effect.mapError(toStateError)
          ),
        failureStreak: (action) =>
          sql`SELECT * FROM failure_streaks WHERE action = ${action}`.pipe(
            Effect.flatMap(streakRows.first),
            Effect.map((row) =>
              Option.map(Option.fromNullable(row), (row) => ({
                failures: row.failures,
                firstFailureAt: row.first_failure_at,
                lastError: row.last_error,
                alertedAt: row.alerted_at ?? undefined,
                skipRemaining: row.skip_remaining
              }))
            ),
            Effect.mapError(toStateError)
          ),
        setFailureStreak: (action, streak) =>
          (streak === undefined
            ? sql`DELETE FROM failure_streaks WHERE action = ${action}`
            : sql`INSERT INTO failure_streaks (action, failures, first_failure_at, last_error, alerted_at, skip_remaining)
                VALUES (${action}, ${streak.failures}, ${streak.firstFailureAt}, ${streak.lastError}, ${streak.alertedAt ?? null}, ${streak.skipRemaining})
                ON CONFLICT (action) DO UPDATE SET failures = excluded.failures, first_failure_at = excluded.first_failure_at,
                  last_error = excluded.last_error, alerted_at = excluded.alerted_at, skip_remaining = excluded.skip_remaining`
          ).pipe(Effect.asVoid, Effect.mapError(toStateError)),
        sessionGet: (action, key) =>
          sql`SELECT value FROM sessions WHERE action = ${action} AND key = ${key}`.pipe(
            Effect.flatMap(sessionValues.first),
            Effect.map((row) => Option.map(Option.fromNullable(row), (row) => row.value)),
            Effect.mapError(toStateError)
          ),
        sessionSet: (action, key, value) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const json = toJson(value)
            yield* sql`INSERT INTO sessions (action, key, value, updated_at) VALUES (${action}, ${key}, ${json}, ${now})
              ON CONFLICT (action, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
          }).pipe(Effect.mapError(toStateError)),
        sessionDelete: (action, key) =>
          sql`DELETE FROM sessions WHERE action = ${action} AND key = ${key}`.pipe(Effect.asVoid, Effect.mapError(toStateError)),
        sessionKeys: (action, prefix = "") =>
          sql`SELECT key FROM sessions WHERE action = ${action} AND substr(key, 1, ${prefix.length}) = ${prefix} ORDER BY key`.pipe(
            Effect.flatMap(sessionKeyRows.all),
            Effect.map((rows) => rows.map((row) => row.key)),
            Effect.mapError(toStateError)
          )
      })
    })
  )
