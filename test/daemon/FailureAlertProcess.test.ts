import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"

describe("failure policy (real CLI, real daemon, webhook on loopback)", () => {
  it.live("an action failing three times delivers exactly one alert to the webhook", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const home = yield* tempHome({
        heartbeat: {
          onFailure: { alertAfter: 3, alertChannels: ["ops"], cooldown: "1h" },
          actions: [{ name: "flaky", module: "./flaky.mjs", schedule: "* * * * * *", channels: ["log"] }]
        },
        channels: [{ type: "webhook", name: "ops", url: server.url }, { type: "file", name: "log" }]
      }, "failure-alert")
      const counter = path.join(home, "failures.txt")
      // Fails on its first five runs.
      fs.writeFileSync(path.join(home, "flaky.mjs"), `import { Effect } from "effect"
import * as fs from "node:fs"
export default { name: "flaky", description: "fails five times", execute: () => Effect.suspend(() => {
  fs.appendFileSync(${JSON.stringify(counter)}, "x")
  return fs.readFileSync(${JSON.stringify(counter)}, "utf8").length <= 5
    ? Effect.fail(new Error("connect ECONNREFUSED 127.0.0.1:9"))
    : Effect.succeed({ shouldNotify: false })
}) }
`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      const failures = () => (fs.existsSync(counter) ? fs.readFileSync(counter, "utf8").length : 0)
      assert.isTrue(yield* eventually(() => failures() >= 7, 20_000))
      assert.isTrue(yield* eventually(() => server.requests.length >= 2, 10_000), "the alert and the recovered message")
      yield* Effect.sleep(1_000)
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      const bodies = server.requests.map((request) => request.json() as { id?: string; message?: string; text?: string })
      const texts = bodies.map((body) => JSON.stringify(body))
      const alerts = texts.filter((text) => text.includes("times in a row"))
      assert.strictEqual(alerts.length, 1, texts.join("\n"))
      assert.include(alerts[0]!, "flaky failed 3 times in a row")
      assert.include(alerts[0]!, "ECONNREFUSED", alerts[0])
      assert.strictEqual(texts.filter((text) => text.includes("recovered")).length, 1)
      const runs = JSON.parse((yield* runCli(home, ["heartbeat", "runs", "flaky", "--outcome", "failed", "--json"])).stdout) as ReadonlyArray<{ error: string }>
      assert.strictEqual(runs.length, 5)
    }).pipe(Effect.scoped), 90_000)
})
