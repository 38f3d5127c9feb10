import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RetentionConfig } from "../../src/domain/DaemonConfig.js"
import { Database } from "../../src/layers/Database.js"
import * as Retention from "../../src/layers/Retention.js"

const DAY = 86_400_000
const NOW = Date.parse("2026-06-01T00:00:00Z")

const withDatabase = <A, E>(body: (home: string) => Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.gen(function*() {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-retention-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(home, { recursive: true, force: true })))
    yield* TestClock.setTime(NOW)
    return yield* body(home).pipe(Effect.provide(Layer.orDie(Database(home))))
  })

const outboxRow = (sql: SqlClient.SqlClient, id: string, channel: string, status: string, finishedAt: number | null) =>
  sql`INSERT INTO outbox (id, channel, payload, status, created_at, next_attempt_at, finished_at)
      VALUES (${id}, ${channel}, '{}', ${status}, ${NOW - 40 * DAY}, 0, ${finishedAt})`

describe("retention", () => {
  it.scoped("prunes sessions of removed actions once untouched for `sessions`, never a configured action's", () =>
    withDatabase(() =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const session = (action: string, key: string, updatedAt: number) =>
          sql`INSERT INTO sessions (action, key, value, updated_at) VALUES (${action}, ${key}, '1', ${updatedAt})`
        yield* session("task-scan", "seen", NOW - 100 * DAY)
        yield* session("disabled-but-configured", "x", NOW - 100 * DAY)
        yield* session("removed-long-ago", "a", NOW - 30 * DAY)
        yield* session("removed-long-ago", "b", NOW - 9 * DAY)
        // One key touched yesterday: the action was removed only recently (or may come back).
        yield* session("removed-recently", "a", NOW - 30 * DAY)
        yield* session("removed-recently", "b", NOW - DAY)
        const pruned = yield* Retention.prune(new RetentionConfig({ sessions: 7 * DAY }), ["task-scan", "disabled-but-configured"])
        assert.strictEqual(pruned.sessions, 2)
        const left = yield* sql<{ action: string; key: string }>`SELECT action, key FROM sessions ORDER BY action, key`
        assert.deepStrictEqual(left.map((r) => `${r.action}/${r.key}`), [
          "disabled-but-configured/x",
          "removed-recently/a",
          "removed-recently/b",
          "task-scan/seen"
        ])
      })
    ))

  it.scoped("prunes delivered outbox rows and dead letters by age and count; pending rows are never touched", () =>
    withDatabase(() =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        // Delivered on "file": 5 recent ones and one 2 days old; on "slack": 2 recent.
        for (let n = 0; n < 5; n++) yield* outboxRow(sql, `recent-${n}`, "file", "delivered", NOW - n * 1_000)
        yield* outboxRow(sql, "old", "file", "delivered", NOW - 2 * DAY)
        yield* outboxRow(sql, "s-0", "slack", "delivered", NOW - 1_000)
        yield* outboxRow(sql, "s-1", "slack", "delivered", NOW - 2_000)
        // Dead letters: 3 recent, 1 past their age.
        for (let n = 0; n < 3; n++) yield* outboxRow(sql, `dead-${n}`, "file", "dropped", NOW - n * 1_000)
        yield* outboxRow(sql, "dead-old", "file", "dropped", NOW - 31 * DAY)
        // Pending, however old, stays.
        yield* outboxRow(sql, "pending-old", "file", "pending", null)
        const pruned = yield* Retention.prune(
          new RetentionConfig({ delivered: DAY, deliveredKeep: 3, deadLetters: 30 * DAY, deadLettersKeep: 2 }),
          []
        )
        assert.deepStrictEqual(pruned, { sessions: 0, delivered: 3, deadLetters: 2, crashes: 0 })
        const left = yield* sql<{ id: string }>`SELECT id FROM outbox ORDER BY channel, id`
        assert.deepStrictEqual(left.map((r) => r.id), ["dead-0", "dead-1", "pending-old", "recent-0", "recent-1", "recent-2", "s-0", "s-1"])
      })
    ))

  it.scoped("prunes crash records by age and count, keeping the newest", () =>
    withDatabase(() =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO daemon_crashes (at, pid, reason) VALUES (${NOW - 100 * DAY}, 1, 'ancient')`
        for (let n = 0; n < 5; n++) yield* sql`INSERT INTO daemon_crashes (at, pid, reason) VALUES (${NOW - (5 - n) * DAY}, ${10 + n}, ${`crash ${n}`})`
        const pruned = yield* Retention.prune(new RetentionConfig({ crashes: 90 * DAY, crashesKeep: 3 }), [])
        assert.strictEqual(pruned.crashes, 3)
        const left = yield* sql<{ reason: string }>`SELECT reason FROM daemon_crashes ORDER BY id`
        assert.deepStrictEqual(left.map((r) => r.reason), ["crash 2", "crash 3", "crash 4"])
      })
    ))

  it.scoped("checkpoints the WAL: after a pass the -wal file is empty", () =>
    withDatabase((home) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        for (let n = 0; n < 200; n++) yield* outboxRow(sql, `row-${n}`, "file", "delivered", NOW - 2 * DAY)
        const wal = path.join(home, "agenc.db-wal")
        assert.isAbove(fs.statSync(wal).size, 0)
        const pruned = yield* Retention.prune(new RetentionConfig({}), [])
        assert.strictEqual(pruned.delivered, 200)
        assert.strictEqual(fs.statSync(wal).size, 0)
      })
    ))

  it.live("runs periodically on the real clock until its scope closes", () =>
    Effect.gen(function*() {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-retention-"))
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Effect.scoped(Effect.gen(function*() {
          yield* Retention.runPeriodically(new RetentionConfig({ interval: 1_000, sessions: 0 }), Effect.succeed(["kept"]))
          // A removed action's session written after the first pass goes at a later one.
          yield* Effect.sleep(200)
          yield* sql`INSERT INTO sessions (action, key, value, updated_at) VALUES ('gone', 'k', '1', ${Date.now() - 10})`
          yield* sql`INSERT INTO sessions (action, key, value, updated_at) VALUES ('kept', 'k', '1', ${Date.now() - 10})`
          for (let tries = 0; tries < 100; tries++) {
            const rows = yield* sql<{ action: string }>`SELECT action FROM sessions`
            if (rows.length === 1) break
            yield* Effect.sleep(100)
          }
        }))
        const rows = yield* sql<{ action: string }>`SELECT action FROM sessions`
        assert.deepStrictEqual(rows.map((r) => r.action), ["kept"])
      }).pipe(Effect.provide(Layer.orDie(Database(home))), Effect.ensuring(Effect.sync(() => fs.rmSync(home, { recursive: true, force: true }))))
    }))
})
