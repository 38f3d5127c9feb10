import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { resolveActions } from "../../src/heartbeat/ActionRegistry.js"
import { loadConfig } from "../../src/layers/AppConfigFile.js"
import { SchedulerLive } from "../../src/layers/SchedulerLive.js"
import { Scheduler } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { makeTask, TestMarketplace } from "../layers/AgentRuntimeTest.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { actionLayer, tempHome } from "./ActionHarness.js"

const examples = path.resolve(import.meta.dirname, "../../examples")

/** Polls (real time) until `predicate` holds; the examples run on the live scheduler. */
const eventually = (predicate: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 300; i++) {
      if (predicate()) return
      yield* Effect.sleep("50 millis")
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

describe("examples", () => {
  it.scopedLive("run from gateway.json through the real scheduler: http change notifier and composed scan + summary", () =>
    Effect.gen(function*() {
      if (!fs.existsSync(path.resolve(examples, "../dist/index.js"))) {
        return yield* Effect.dieMessage("the examples import ../dist/index.js: run `npm run build` first")
      }
      const home = yield* tempHome
      const server = yield* httpTestServer()
      server.defaultReply = { status: 200, body: "status: green" }
      const market = new TestMarketplace()
      market.tasks = [makeTask("NEWTASK1xyz", { rewardAmount: 250_000_000n })]
      const gateway = new GatewayTest()
      const file = path.join(home, "gateway.json")
      fs.writeFileSync(file, JSON.stringify({
        heartbeat: {
          wakeInterval: "50ms",
          actions: [
            { name: "watch", schedule: "@every 1s", module: path.join(examples, "http-change-notifier.js"), config: { url: `${server.url}/status` } },
            {
              name: "digest",
              schedule: "@every 1s",
              module: path.join(examples, "scan-and-summary.js"),
              config: { scan: { capabilities: 3, minReward: "100000000" }, summaryHours: Array.from({ length: 24 }, (_, hour) => hour) }
            }
          ]
        }
      }))
      const loaded = yield* loadConfig({ file, home })
      const registrations = yield* resolveActions(loaded.config.heartbeat, home)
      assert.deepStrictEqual(registrations.map((registration) => registration.name), ["watch", "digest"])

      yield* Effect.gen(function*() {
        const scheduler = yield* Scheduler
        yield* scheduler.reconcile(registrations)
        yield* scheduler.start
        const digests = () => gateway.sent.filter((send) => send.message.action === "digest")
        const watches = () => gateway.sent.filter((send) => send.message.action === "watch")

        yield* eventually(() => digests().length >= 1 && server.succeeded.length >= 2, "the first runs")
        const [digest] = digests()
        const [scan, summary] = digest!.message.message.split("\n\n")
        assert.deepStrictEqual(scan!.split("\n").map((line) => line.split(" · ")[0]), [
          "Found 1 new task matching your capabilities",
          "- #NEWTASK1 task NEWTASK1xyz",
          "  Reward: 0.25 SOL"
        ])
        assert.strictEqual(summary!.split("\n")[0], "Daily summary: 0 tasks completed, 0 SOL earned")
        assert.strictEqual(digest!.message.content?.title, "2 updates")
        // The body has not changed since the first poll.
        assert.strictEqual(watches().length, 0)

        server.defaultReply = { status: 200, body: "status: red" }
        const seen = server.succeeded.length
        yield* eventually(() => watches().length >= 1 && server.succeeded.length >= seen + 3, "the change and two polls after it")
        assert.deepStrictEqual(watches().map((send) => send.message.message), [`${server.url}/status changed:\nstatus: red`])
        // The scan announced its task once; later digests carry only the summary.
        yield* eventually(() => digests().length >= 2, "a second digest")
        assert.strictEqual(digests()[1]!.message.message.split("\n")[0], "Daily summary: 0 tasks completed, 0 SOL earned")
        assert.match(digests()[1]!.message.content!.note!, /^history covers only \d+ s$/)
        // Each child of the composition keeps its own session keys.
        const keys = yield* (yield* StateStore).sessionKeys("digest")
        assert.deepStrictEqual([...keys].sort(), ["daily-summary/snapshots", "task-scan/announced"])
        yield* scheduler.stop
      }).pipe(Effect.provide(SchedulerLive({ wakeIntervalMs: 50 }).pipe(Layer.provideMerge(actionLayer(home, gateway, market.layer)))))
    }))
})
