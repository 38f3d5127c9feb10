import { assert, describe, it } from "@effect/vitest"
import BetterSqlite from "better-sqlite3"
import { Effect, Exit, Layer } from "effect"
import { Database, databaseFile } from "../../src/layers/Database.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import { makeSession } from "../../src/services/Session.js"
import { StateError, StateStore } from "../../src/services/StateStore.js"
import { tempHome } from "../heartbeat/SchedulerHarness.js"

const withStore = <A, E>(home: string, body: Effect.Effect<A, E, StateStore>) =>
  body.pipe(Effect.provide(StateStoreSqlite({ ledgerSize: 100 }).pipe(Layer.provide(Database(home)))))

/** Writes into the real database file behind the store's back, as a bad tool or a bad disk would. */
const corrupt = (home: string, ...statements: ReadonlyArray<string>) =>
  Effect.sync(() => {
    const db = new BetterSqlite(databaseFile(home))
    try {
      for (const statement of statements) db.exec(statement)
    } finally {
      db.close()
    }
  })

/** The failure's typed error: a StateError whose message names the table and the column, never a defect. */
const stateErrorOf = <A>(exit: Exit.Exit<A, unknown>): string => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  if (Exit.isSuccess(exit)) return ""
  assert.strictEqual(exit.cause._tag, "Fail", `expected a typed failure, not a defect: ${String(exit.cause)}`)
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(error, StateError)
  const message = error instanceof StateError ? error.message : ""
  assert.isNotEmpty(message)
  return message
}

describe("state rows are decoded (a corrupt row in a real SQLite file)", () => {
  it.scoped("runs: a deliveries column that is not JSON, or a start that is not a number, is a StateError naming runs.<column>", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* withStore(home, Effect.flatMap(StateStore, (state) =>
        state.recordRun({ action: "a", scheduledAt: 1_000, startedAt: 1_000, endedAt: 1_005, outcome: "notified", deliveries: [{ channel: "slack", status: "delivered" }] })))
      yield* corrupt(home, "UPDATE runs SET deliveries = '[{\"channel\":' WHERE action = 'a'")
      const deliveries = stateErrorOf(yield* withStore(home, Effect.flatMap(StateStore, (state) => Effect.exit(state.runs({ action: "a" })))))
      assert.include(deliveries, "runs.deliveries")
      yield* corrupt(home, "UPDATE runs SET deliveries = NULL, started_at = 'soon' WHERE action = 'a'")
      const started = stateErrorOf(yield* withStore(home, Effect.flatMap(StateStore, (state) => Effect.exit(state.runs({ action: "a" })))))
      assert.include(started, "runs.started_at")
      // A good row still reads after the bad one is mended: nothing else changed.
      yield* corrupt(home, "UPDATE runs SET started_at = 1000 WHERE action = 'a'")
      const runs = yield* withStore(home, Effect.flatMap(StateStore, (state) => state.runs({ action: "a" })))
      assert.strictEqual(runs.length, 1)
      assert.strictEqual(runs[0]!.startedAt, 1_000)
    }))

  it.scoped("sessions: a value that is not JSON is a StateError through the Session service, not a thrown SyntaxError", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* withStore(home, Effect.flatMap(StateStore, (state) => makeSession(state, "task-scan").set("seen", { at: 5 })))
      yield* corrupt(home, "UPDATE sessions SET value = '{\"at\":' WHERE action = 'task-scan' AND key = 'seen'")
      const message = stateErrorOf(yield* withStore(home, Effect.flatMap(StateStore, (state) => Effect.exit(makeSession(state, "task-scan").get("seen")))))
      assert.include(message, "sessions.value")
      const keys = yield* withStore(home, Effect.flatMap(StateStore, (state) => makeSession(state, "task-scan").keys()))
      assert.deepStrictEqual(keys, ["seen"])
    }))

  it.scoped("action_pauses and failure_streaks: a column of the wrong type is a StateError naming it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* withStore(home, Effect.flatMap(StateStore, (state) =>
        Effect.zipRight(
          state.pause({ action: "a", since: 1_000, by: "operator" }),
          state.setFailureStreak("a", { failures: 2, firstFailureAt: 1_000, lastError: "boom", skipRemaining: 0 })
        )))
      yield* corrupt(home, "UPDATE action_pauses SET since = 'yesterday'", "UPDATE failure_streaks SET failures = x'00ff'")
      assert.include(stateErrorOf(yield* withStore(home, Effect.flatMap(StateStore, (state) => Effect.exit(state.pauses(0))))), "action_pauses.since")
      assert.include(stateErrorOf(yield* withStore(home, Effect.flatMap(StateStore, (state) => Effect.exit(state.failureStreak("a"))))), "failure_streaks.failures")
    }))
})
