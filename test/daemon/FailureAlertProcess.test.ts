import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
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
import * as net from "node:net"
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

  it.live("custom actions whose fetch is refused: alerts, the daemon's ledger, `heartbeat runs` and `heartbeat run` carry ECONNREFUSED", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      // A port that was just free: nothing listens there, so the connection is refused.
      const port = yield* Effect.async<number>((resume) => {
        const probe = net.createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as net.AddressInfo
          probe.close(() => resume(Effect.succeed(port)))
        })
      })
      const url = JSON.stringify(`http://127.0.0.1:${port}/`)
      const home = yield* tempHome({
        heartbeat: {
          onFailure: { alertAfter: 1, alertChannels: ["ops"], cooldown: "1h" },
          actions: [
            { name: "bare", module: "./bare.mjs", schedule: "* * * * * *", channels: ["log"] },
            { name: "wrapped", module: "./wrapped.mjs", schedule: "* * * * * *", channels: ["log"] }
          ]
        },
        channels: [{ type: "webhook", name: "ops", url: server.url }, { type: "file", name: "log" }]
      }, "refused-alert")
      // No typed catch: the rejection becomes an UnknownException, whose own message says nothing.
      writeAction(home, "bare.mjs", "bare", `Effect.as(Effect.tryPromise(() => fetch(${url})), { shouldNotify: false })`)
      // A typed catch whose error names the failure and keeps the rejection as its cause.
      writeAction(home, "wrapped.mjs", "wrapped", `Effect.as(Effect.tryPromise({ try: () => fetch(${url}), catch: (cause) => new Error("price feed unreachable", { cause }) }), { shouldNotify: false })`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      const alertOf = (action: string) =>
        server.requests.map((request) => JSON.stringify(request.json())).find((body) => body.includes(`${action} failed 1 times in a row`))
      assert.isTrue(yield* eventually(() => alertOf("bare") !== undefined && alertOf("wrapped") !== undefined, 20_000), daemon.output.stderr.slice(-2000))
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      const refused = /fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/
      assert.match(alertOf("bare")!, new RegExp(`last error: ${refused.source}`))
      assert.match(alertOf("wrapped")!, new RegExp(`last error: price feed unreachable: ${refused.source}`))
      for (const action of ["bare", "wrapped"]) {
        assert.notInclude(alertOf(action)!, "An unknown error occurred")
        const runs = JSON.parse((yield* runCli(home, ["heartbeat", "runs", action, "--outcome", "failed", "--json"])).stdout) as ReadonlyArray<{ error: string }>
        assert.isAbove(runs.length, 0)
        for (const run of runs) assert.match(run.error, refused)
        assert.match((yield* runCli(home, ["heartbeat", "runs", action])).stdout, refused)
        const run = yield* runCli(home, ["heartbeat", "run", action])
        assert.strictEqual(run.code, 1, run.stderr)
        assert.match(run.stdout, refused)
        assert.notInclude(run.stdout + run.stderr.split("\n").filter((line) => line.startsWith("agenc:")).join("\n"), "An unknown error occurred")
      }
    }).pipe(Effect.scoped), 90_000)
})
