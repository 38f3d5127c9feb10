import { assert, describe, it } from "@effect/vitest"
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Deferred, Effect, Fiber, Layer, Schema } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { LocalRuntimeConfig } from "../../src/domain/RuntimeConfig.js"
import { AgentRuntimeLocal } from "../../src/layers/AgentRuntimeLocal.js"
import { Database } from "../../src/layers/Database.js"
import { AgentRuntime } from "../../src/services/AgentRuntime.js"
import { ledger, tempHome } from "./fixtures/ledger.js"

const SEEDED = 200
const CHILD_ADDS = 300
const root = path.resolve(import.meta.dirname, "../..")

/** Runs the writer script in a second process; resolves `ready` when its database is open. */
const writer = (home: string, claimIds: ReadonlyArray<string>, ready: Deferred.Deferred<void>) =>
  Effect.async<string, Error>((resume) => {
    const child = spawn(path.join(root, "node_modules/.bin/vite-node"), ["test/runtime/fixtures/writer.ts", home, String(CHILD_ADDS), claimIds.join(",")], { cwd: root })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes("ready")) Deferred.unsafeDone(ready, Effect.void)
    })
    child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString() })
    child.on("close", (code) => resume(code === 0 ? Effect.succeed(stdout) : Effect.fail(new Error(`writer exited ${code}: ${stderr}`))))
    return Effect.sync(() => child.kill())
  })

describe("local ledger under concurrent writers", () => {
  it.live("a second process adds, claims and completes while this one scans and does the same: nothing is lost", () =>
    Effect.gen(function*() {
      const home = yield* tempHome
      yield* Effect.gen(function*() {
        const store = yield* ledger()
        const runtime = yield* AgentRuntime
        for (let i = 0; i < SEEDED; i++) {
          yield* store.addTask({ rewardAmount: BigInt(10 + i), requiredCapabilities: 1n, deadline: 0, maxWorkers: 1, description: `seed-${i}` })
        }
        const ids = Array.from({ length: SEEDED }, (_, i) => String(i + 1))
        const ready = yield* Deferred.make<void>()
        const child = yield* Effect.fork(writer(home, ids.filter((id) => Number(id) % 2 === 1), ready))
        yield* Effect.raceFirst(
          Deferred.await(ready),
          Effect.flatMap(Fiber.join(child), (out) => Effect.fail(new Error(`writer ended before it was ready: ${out}`)))
        )

        // Reader and writer here, while the child writes: every scan must succeed and see a consistent ledger.
        const mine = ids.filter((id) => Number(id) % 2 === 0)
        let scans = 0
        let scansWhileChildRan = 0
        while (mine.length > 0 || child.unsafePoll() === null) {
          const claimable = yield* runtime.claimableTasks({ capabilities: 1n, minReward: 1n })
          assert.isTrue(claimable.every((task) => task.status === "Open"))
          scans++
          if (child.unsafePoll() === null) scansWhileChildRan++
          // SQLite calls are synchronous: let the event loop see the child's output and exit.
          yield* Effect.sleep("1 millis")
          const next = mine.shift()
          if (next !== undefined) {
            yield* store.claim(next)
            yield* store.complete(next)
          }
        }
        const output = yield* Fiber.join(child)
        assert.include(output, `done ${CHILD_ADDS + SEEDED}`)
        assert.isAbove(scansWhileChildRan, 10, `scans: ${scans}`)

        const sql = yield* SqlClient.SqlClient
        const tasks = yield* store.listTasks()
        assert.strictEqual(tasks.length, SEEDED + CHILD_ADDS)
        const children = tasks.filter((t) => t.description.startsWith("child-")).map((t) => t.description)
        assert.strictEqual(new Set(children).size, CHILD_ADDS)
        assert.isTrue(tasks.filter((t) => t.description.startsWith("seed-")).every((t) => t.status === "Completed"))
        assert.isTrue(tasks.filter((t) => t.description.startsWith("child-")).every((t) => t.status === "Open"))
        const snapshot = yield* runtime.agentSnapshot()
        assert.strictEqual(snapshot.tasksCompleted, BigInt(SEEDED))
        assert.strictEqual(snapshot.totalEarned, Array.from({ length: SEEDED }, (_, i) => BigInt(10 + i)).reduce((a, b) => a + b, 0n))
        assert.strictEqual(snapshot.activeTasks, 0)
        const [claims] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM ledger_claims WHERE is_completed = 1`
        assert.strictEqual(claims!.n, SEEDED)
      }).pipe(
        Effect.provide(AgentRuntimeLocal(Schema.decodeUnknownSync(LocalRuntimeConfig)({ source: "local" }))),
        Effect.provide(Database(home).pipe(Layer.provide(NodeContext.layer)))
      )
    }).pipe(Effect.scoped), { timeout: 60_000 })
})
