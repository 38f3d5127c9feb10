import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite from "better-sqlite3"
import { Effect, Exit, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Database, databaseFile } from "../../src/layers/Database.js"
import { makeLedgerStore } from "../../src/runtime/LedgerStore.js"
import { LedgerError } from "../../src/services/AgentRuntime.js"
import { TEST_AGENT } from "../runtime/fixtures/ledger.js"

const withLedger = <A, E>(home: string, body: (ledger: ReturnType<typeof makeLedgerStore>) => Effect.Effect<A, E>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => body(makeLedgerStore(sql, TEST_AGENT))).pipe(
    Effect.provide(Database(home).pipe(Layer.provide(NodeContext.layer)))
  )

const corrupt = (home: string, statement: string) =>
  Effect.sync(() => {
    const db = new BetterSqlite(databaseFile(home))
    try {
      // The ledger's CHECK constraints would refuse some of these: a bad tool would not ask.
      db.pragma("ignore_check_constraints = ON")
      db.exec(statement)
    } finally {
      db.close()
    }
  })

const ledgerErrorOf = <A>(exit: Exit.Exit<A, unknown>): string => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(error, LedgerError, `expected a LedgerError, not a defect: ${Exit.isFailure(exit) ? String(exit.cause) : ""}`)
  const message = error instanceof LedgerError ? error.message : ""
  assert.isNotEmpty(message)
  return message
}

const newTask = { rewardAmount: 1_000n, requiredCapabilities: 1n, deadline: 0, maxWorkers: 2, description: "t" }

describe("ledger rows are decoded (corrupt rows in a real SQLite file)", () => {
  it.live("ledger_tasks, ledger_agent and ledger_disputes: a column of the wrong type is a LedgerError naming table.column", () =>
    Effect.gen(function*() {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-ledger-rows-"))
      const task = yield* withLedger(home, (ledger) => Effect.tap(ledger.addTask(newTask), (task) => Effect.zipRight(ledger.claim(task.id), ledger.dispute(task.id))))
      yield* corrupt(home, "UPDATE ledger_tasks SET description = x'00ff'")
      assert.include(ledgerErrorOf(yield* withLedger(home, (ledger) => Effect.exit(ledger.listTasks()))), "ledger_tasks.description")
      assert.include(ledgerErrorOf(yield* withLedger(home, (ledger) => Effect.exit(ledger.portfolio()))), "ledger_tasks.description")
      yield* corrupt(home, "UPDATE ledger_tasks SET description = 't'; UPDATE ledger_agent SET reputation = 'high'")
      assert.include(ledgerErrorOf(yield* withLedger(home, (ledger) => Effect.exit(ledger.snapshot()))), "ledger_agent.reputation")
      yield* corrupt(home, "UPDATE ledger_agent SET reputation = 5000; UPDATE ledger_disputes SET votes_for = 'lots'")
      assert.include(ledgerErrorOf(yield* withLedger(home, (ledger) => Effect.exit(ledger.disputes([task.id])))), "ledger_disputes.votes_for")
      // Mended, the same rows read again.
      yield* corrupt(home, "UPDATE ledger_disputes SET votes_for = 0")
      const disputes = yield* withLedger(home, (ledger) => ledger.disputes([task.id]))
      assert.strictEqual(disputes.length, 1)
      fs.rmSync(home, { recursive: true, force: true })
    }), 30_000)
})
