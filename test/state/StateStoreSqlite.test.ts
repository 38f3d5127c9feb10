import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { Database } from "../../src/layers/Database.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import { makeSession } from "../../src/services/Session.js"
import { StateStore } from "../../src/services/StateStore.js"
import { tempHome } from "../heartbeat/SchedulerHarness.js"

/** Runs `body` against a state store on `home`'s database, opened for this call and closed after it. */
const withStore = <A, E>(home: string, ledgerSize: number, body: Effect.Effect<A, E, StateStore>) =>
  body.pipe(Effect.provide(StateStoreSqlite({ ledgerSize }).pipe(Layer.provide(Database(home)))))

describe("StateStoreSqlite", () => {
  it.scoped("the run ledger keeps the newest rows, within 100 of its bound", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* withStore(home, 50, Effect.gen(function*() {
        const state = yield* StateStore
        for (let i = 0; i < 400; i++) {
          yield* state.recordRun({ action: "a", scheduledAt: i * 1_000, startedAt: i * 1_000, endedAt: i * 1_000 + 5, outcome: i % 2 ? "quiet" : "skipped" })
        }
        const runs = yield* state.runs({ limit: 1_000 })
        assert.isAtMost(runs.length, 150)
        assert.isAtLeast(runs.length, 50)
        assert.strictEqual(runs[0]!.scheduledAt, 399_000, "newest first")
        assert.deepStrictEqual(yield* state.lastSlot("a"), Option.some(399_000))
        assert.deepStrictEqual(yield* state.lastSlot("b"), Option.none())
      }))
    }))

  it.scoped("lastSlots answers every action's lastSlot in one read: summaries count to their last slot, manual runs not at all", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* withStore(home, 1_000, Effect.gen(function*() {
        const state = yield* StateStore
        yield* state.recordRun({ action: "a", scheduledAt: 1_000, startedAt: 1_000, endedAt: 1_005, outcome: "quiet" })
        yield* state.recordRun({ action: "a", scheduledAt: 2_000, startedAt: 9_000, endedAt: 9_000, outcome: "missed", count: 5, lastSlot: 6_000 })
        yield* state.recordRun({ action: "b", scheduledAt: 3_000, startedAt: 3_000, endedAt: 3_005, outcome: "skipped" })
        yield* state.recordRun({ action: "c", scheduledAt: 4_000, trigger: "manual", startedAt: 4_000, endedAt: 4_005, outcome: "quiet" })
        const all = yield* state.lastSlots
        assert.deepStrictEqual([...all].sort(), [["a", 6_000], ["b", 3_000]])
        for (const action of ["a", "b", "c", "d"]) {
          assert.deepStrictEqual(Option.fromNullable(all.get(action)), yield* state.lastSlot(action), action)
        }
      }))
    }))

  it.scoped("sessions are per action and survive reopening the database", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* withStore(home, 100, Effect.gen(function*() {
        const state = yield* StateStore
        const scan = makeSession(state, "task-scan")
        const monitor = makeSession(state, "portfolio-monitor")
        yield* scan.set("announced:1", { at: 5, reward: 10n })
        yield* scan.set("announced:2", true)
        yield* scan.set("other", [1, 2])
        yield* monitor.set("announced:1", "not the scan's")
        assert.deepStrictEqual(yield* scan.keys("announced:"), ["announced:1", "announced:2"])
        yield* scan.delete("announced:2")
      }))
      yield* withStore(home, 100, Effect.gen(function*() {
        const state = yield* StateStore
        const scan = makeSession(state, "task-scan")
        assert.deepStrictEqual(yield* scan.get("announced:1"), Option.some({ at: 5, reward: "10" }))
        assert.deepStrictEqual(yield* scan.keys(), ["announced:1", "other"])
        assert.deepStrictEqual(yield* scan.getAs("other", Schema.Array(Schema.Number)), Option.some([1, 2]))
        assert.deepStrictEqual(yield* scan.getAs("other", Schema.String), Option.none(), "a value that no longer decodes reads as absent")
        assert.deepStrictEqual(yield* makeSession(state, "portfolio-monitor").get("announced:1"), Option.some("not the scan's"))
      }))
    }))
})
