import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite from "better-sqlite3"
import { Effect, Exit, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { CorruptRowError } from "../../src/domain/SqlRow.js"
import { makeOutboxAdmin } from "../../src/gateway/OutboxAdmin.js"
import { makeThreadStore, threadKey } from "../../src/gateway/ThreadStore.js"
import { Database, databaseFile } from "../../src/layers/Database.js"
import { prometheusText } from "../../src/layers/PrometheusText.js"
import { Gateway } from "../../src/services/Gateway.js"
import { captureLogs, eventually, gatewayLayer, tempHome } from "../gateway/GatewayTestKit.js"
import { series } from "../observability/RunHarness.js"

const migrated = (home: string) => Effect.provide(Effect.void, Database(home).pipe(Layer.provide(NodeContext.layer)))
const withDatabase = <A, E>(home: string, body: Effect.Effect<A, E, import("@effect/sql").SqlClient.SqlClient>) =>
  Effect.provide(body, Database(home).pipe(Layer.provide(NodeContext.layer)))

const write = (home: string, run: (db: BetterSqlite.Database) => void) =>
  Effect.sync(() => {
    const db = new BetterSqlite(databaseFile(home))
    try {
      run(db)
    } finally {
      db.close()
    }
  })

const payload = (id: string) => JSON.stringify({ id, action: "a", message: `text of ${id}`, metadata: {}, scheduledAt: 1, startedAt: 1 })

const corruptRowOf = <A>(exit: Exit.Exit<A, unknown>): CorruptRowError => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(error, CorruptRowError, `expected a CorruptRowError, not a defect: ${Exit.isFailure(exit) ? String(exit.cause) : ""}`)
  if (!(error instanceof CorruptRowError)) throw new Error("unreachable")
  assert.isNotEmpty(error.message)
  return error
}

describe("outbox rows are decoded (corrupt rows in a real SQLite file)", () => {
  it.live("a pending row whose column does not decode is dead-lettered with the reason and counted; the rows behind it are delivered", () =>
    Effect.gen(function*() {
      const home = tempHome()
      yield* migrated(home)
      const now = Date.now()
      yield* write(home, (db) => {
        const insert = db.prepare("INSERT INTO outbox (id, channel, payload, status, attempts, created_at, next_attempt_at) VALUES (?, 'file', ?, 'pending', ?, ?, ?)")
        insert.run("bad-attempts@1", payload("bad-attempts@1"), "many", now - 3_000, now - 3_000)
        insert.run("good@1", payload("good@1"), 0, now - 1_000, now - 1_000)
      })
      const logs = captureLogs()
      const out = path.join(home, "out", "records.jsonl")
      yield* Effect.gen(function*() {
        const gateway = yield* Gateway
        yield* eventually(Effect.sync(() => fs.existsSync(out) && fs.readFileSync(out, "utf8").includes("good@1")))
        assert.strictEqual(yield* gateway.pending(), 0)
      }).pipe(Effect.provide(gatewayLayer(home, [{ type: "file", path: "out/records.jsonl" }])), Effect.scoped, Effect.provide(logs.layer))
      const rows = new BetterSqlite(databaseFile(home), { readonly: true })
      const found = rows.prepare("SELECT id, status, last_error FROM outbox ORDER BY id").raw(true).all().filter(Array.isArray)
      rows.close()
      assert.deepStrictEqual(found.map((row) => row.slice(0, 2)), [["bad-attempts@1", "dead"], ["good@1", "delivered"]])
      assert.match(String(found[0]![2]), /^corrupt row in outbox\.attempts: /)
      assert.isFalse(fs.readFileSync(out, "utf8").includes("bad-attempts@1"))
      assert.isTrue(logs.lines.some((line) => line.includes("dead letter bad-attempts@1")))
      assert.strictEqual(series(yield* prometheusText, `agenc_dead_letters_total{channel="file"}`), 1, "counted as a dead letter")
    }), 30_000)

  it.live("`outbox list` over a corrupt row fails with a CorruptRowError naming outbox.<column>", () =>
    Effect.gen(function*() {
      const home = tempHome()
      yield* migrated(home)
      yield* write(home, (db) => {
        db.prepare("INSERT INTO outbox (id, channel, payload, status, attempts, created_at, next_attempt_at) VALUES ('x@1', 'file', ?, 'pending', 0, 'yesterday', 0)").run(payload("x@1"))
      })
      const exit = yield* withDatabase(home, Effect.flatMap(makeOutboxAdmin, (admin) => Effect.exit(admin.list({ limit: 10 }))))
      const error = corruptRowOf(exit)
      assert.strictEqual(error.table, "outbox")
      assert.strictEqual(error.column, "created_at")
    }), 30_000)

  it.live("a thread id session value that is not JSON is a CorruptRowError naming sessions.value, not a thrown SyntaxError", () =>
    Effect.gen(function*() {
      const home = tempHome()
      yield* migrated(home)
      yield* write(home, (db) => {
        db.prepare("INSERT INTO sessions (action, key, value, updated_at) VALUES ('a', ?, '{\"ts\":', 0)").run(threadKey("slack"))
      })
      const exit = yield* withDatabase(home, Effect.flatMap(makeThreadStore, (threads) => Effect.exit(threads.get("a", "slack"))))
      const error = corruptRowOf(exit)
      assert.strictEqual(error.table, "sessions")
      assert.strictEqual(error.column, "value")
    }), 30_000)
})
