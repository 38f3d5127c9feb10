import { SqlClient } from "@effect/sql"
import { Clock, Effect, Schema } from "effect"
import { rowDecoder } from "../domain/SqlRow.js"

/** One unclean end of the daemon. */
export interface CrashRecord {
  readonly at: number
  readonly pid: number
  readonly reason: string
}

// Built once each: rows read back from agenc.db are decoded, like every other table's.
const stateRows = rowDecoder("daemon_state", Schema.Struct({ value: Schema.String }))
const crashRows = rowDecoder("daemon_crashes", Schema.Struct({ at: Schema.Number, pid: Schema.Number, reason: Schema.String }))
const countRows = rowDecoder("daemon_crashes", Schema.Struct({ n: Schema.Number }))

const getState = (sql: SqlClient.SqlClient, key: string) =>
  sql`SELECT value FROM daemon_state WHERE key = ${key}`.pipe(Effect.flatMap(stateRows.first), Effect.map((row) => row?.value))

const setState = (sql: SqlClient.SqlClient, key: string, value: string) =>
  sql`INSERT INTO daemon_state (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`

/** Records an unclean end. */
export const recordCrash = (crash: CrashRecord) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO daemon_crashes (at, pid, reason) VALUES (${crash.at}, ${crash.pid}, ${crash.reason})`)

/** The newest crash, if any. */
export const lastCrash = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`SELECT at, pid, reason FROM daemon_crashes ORDER BY id DESC LIMIT 1`.pipe(Effect.flatMap(crashRows.first)))

/** How many times the daemon started again after an unclean end. */
export const restarts = Effect.flatMap(SqlClient.SqlClient, (sql) => getState(sql, "restarts").pipe(Effect.map((value) => Number(value ?? 0))))

/**
 * Marks this process as the running daemon. If the previous run never marked a clean end, it crashed:
 * record it (unless it was already recorded, as a defect or from its stale PID file) and count a restart.
 */
export const markStarted = (pid: number, stale: { readonly pid: number | undefined; readonly reason: string } | undefined) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = yield* Clock.currentTimeMillis
    const previousPid = yield* getState(sql, "pid")
    const clean = (yield* getState(sql, "clean")) !== "0"
    const unclean = stale !== undefined || !clean
    if (unclean) {
      const crashedPid = stale?.pid ?? Number(previousPid ?? 0)
      const known = yield* sql`SELECT COUNT(*) AS n FROM daemon_crashes WHERE pid = ${crashedPid} AND at >= (
        SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM daemon_state WHERE key = 'startedAt')`.pipe(Effect.flatMap(countRows.first))
      if ((known?.n ?? 0) === 0) {
        const reason = stale?.reason ?? "the previous daemon did not shut down cleanly"
        yield* recordCrash({ at: now, pid: crashedPid, reason })
        yield* Effect.logWarning(`recovered from an unclean end of PID ${crashedPid}: ${reason}`)
      }
      yield* setState(sql, "restarts", String((yield* restarts) + 1))
    }
    yield* setState(sql, "pid", String(pid))
    yield* setState(sql, "startedAt", String(now))
    yield* setState(sql, "clean", "0")
    return unclean
  })

/** Marks a clean end. */
export const markStopped = Effect.flatMap(SqlClient.SqlClient, (sql) => setState(sql, "clean", "1"))
