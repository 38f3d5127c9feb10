import { SqlClient, type SqlError } from "@effect/sql"
import { Clock, Effect, Layer, Option } from "effect"
import { type RunRecord, StateError, StateStore } from "../services/StateStore.js"
import { toJson } from "../domain/Json.js"

const toStateError = (error: SqlError.SqlError) => new StateError({ message: error.message, cause: error })

interface RunRow {
  readonly action: string
  readonly scheduled_at: number
  readonly started_at: number
  readonly ended_at: number
  readonly outcome: RunRecord["outcome"]
  readonly error: string | null
  readonly message: string | null
}

const fromRow = (row: RunRow): RunRecord => ({
  action: row.action,
  scheduledAt: row.scheduled_at,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  outcome: row.outcome,
  error: row.error ?? undefined,
  message: row.message ?? undefined
})

/** `StateStore` on the SQLite database; the run ledger keeps the newest `ledgerSize` rows. */
export const StateStoreSqlite = (options: { readonly ledgerSize: number }) =>
  Layer.effect(
    StateStore,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      // Trimming on every insert would double the writes; every 100th keeps the table within 1 % of the bound.
      let insertsSinceTrim = 0
      return StateStore.of({
        recordRun: (run) =>
          Effect.gen(function*() {
            yield* sql`INSERT INTO runs (action, scheduled_at, started_at, ended_at, outcome, error, message)
              VALUES (${run.action}, ${run.scheduledAt}, ${run.startedAt}, ${run.endedAt}, ${run.outcome}, ${run.error ?? null}, ${run.message ?? null})`
            if (++insertsSinceTrim >= 100) {
              insertsSinceTrim = 0
              yield* sql`DELETE FROM runs WHERE id <= (SELECT MAX(id) FROM runs) - ${options.ledgerSize}`
            }
          }).pipe(Effect.mapError(toStateError)),
        runs: (query = {}) => {
          const limit = query.limit ?? 100
          const rows = query.action === undefined
            ? sql<RunRow>`SELECT * FROM runs ORDER BY id DESC LIMIT ${limit}`
            : sql<RunRow>`SELECT * FROM runs WHERE action = ${query.action} ORDER BY id DESC LIMIT ${limit}`
          return rows.pipe(Effect.map((rows) => rows.map(fromRow)), Effect.mapError(toStateError))
        },
        lastSlot: (action) =>
          sql<{ slot: number | null }>`SELECT MAX(scheduled_at) AS slot FROM runs WHERE action = ${action} AND outcome != 'skipped'`.pipe(
            Effect.map(([row]) => Option.fromNullable(row?.slot)),
            Effect.mapError(toStateError)
          ),
        sessionGet: (action, key) =>
          sql<{ value: string }>`SELECT value FROM sessions WHERE action = ${action} AND key = ${key}`.pipe(
            Effect.map(([row]) => Option.map(Option.fromNullable(row), (row) => JSON.parse(row.value) as unknown)),
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
          sql<{ key: string }>`SELECT key FROM sessions WHERE action = ${action} AND substr(key, 1, ${prefix.length}) = ${prefix} ORDER BY key`.pipe(
            Effect.map((rows) => rows.map((row) => row.key)),
            Effect.mapError(toStateError)
          )
      })
    })
  )
