import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as net from "node:net"
import * as path from "node:path"
import { exited, runCli, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { series } from "./RunHarness.js"

/** A port nothing listens on right now. */
const freePort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

const yearly = "0 0 1 1 *"

describe("metrics and traces of a real daemon (real CLI processes)", () => {
  it.live("GET /metrics after runs of each outcome, the summary in daemon status --json, spans to an OTLP receiver", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const hooks = yield* httpTestServer()
      hooks.handler = (request) => (request.path === "/bad" ? { status: 400 } : request.path === "/down" ? { status: 503 } : { status: 200 })
      const receiver = yield* httpTestServer()
      const delivery = { retries: 0, backoff: "1h", maxBackoff: "1h", expireAfter: "1d" }
      const home = yield* tempHome({
        heartbeat: {
          actions: [
            { name: "notify", schedule: yearly, module: "./notify.mjs" },
            { name: "quiet", schedule: yearly, module: "./quiet.mjs" },
            { name: "fail", schedule: yearly, module: "./fail.mjs" },
            { name: "slow", schedule: yearly, module: "./slow.mjs", timeout: "300ms" }
          ]
        },
        channels: [
          { type: "webhook", name: "ok-hook", url: `${hooks.url}/ok`, delivery },
          { type: "webhook", name: "bad-hook", url: `${hooks.url}/bad`, delivery },
          { type: "webhook", name: "down-hook", url: `${hooks.url}/down`, delivery }
        ],
        metrics: { listen: `127.0.0.1:${port}` },
        telemetry: { otlp: { url: receiver.url } }
      }, "metrics")
      writeAction(home, "notify.mjs", "notify", `Effect.succeed({ shouldNotify: true, message: "act on this" })`)
      writeAction(home, "quiet.mjs", "quiet", `Effect.succeed({ shouldNotify: false })`)
      writeAction(home, "fail.mjs", "fail", `Effect.fail(new Error("boom"))`)
      writeAction(home, "slow.mjs", "slow", `Effect.as(Effect.sleep("1 minute"), { shouldNotify: false })`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)

      for (const action of ["notify", "quiet", "fail", "slow"]) {
        const trigger = yield* runCli(home, ["heartbeat", "trigger", action])
        assert.include([0, 1], trigger.code, trigger.stderr)
      }
      const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
      const text = yield* Effect.promise(() => response.text())

      for (const [action, outcome] of [["notify", "notified"], ["quiet", "quiet"], ["fail", "failed"], ["slow", "timed-out"]]) {
        assert.strictEqual(series(text, `agenc_runs_total{action="${action}",outcome="${outcome}"}`), 1, `${action} ${outcome}\n${text}`)
        assert.strictEqual(series(text, `agenc_run_duration_seconds_bucket{action="${action}",le="+Inf"}`), 1, action)
        assert.strictEqual(series(text, `agenc_run_lateness_seconds_count{action="${action}"}`), 1, action)
      }
      // The timed-out run lasted its 300 ms timeout: not in the 0.25 s bucket.
      assert.strictEqual(series(text, `agenc_run_duration_seconds_bucket{action="slow",le="0.25"}`), 0)
      assert.strictEqual(series(text, `agenc_deliveries_total{channel="ok-hook",status="delivered"}`), 1)
      assert.strictEqual(series(text, `agenc_deliveries_total{channel="bad-hook",status="dropped"}`), 1)
      assert.strictEqual(series(text, `agenc_deliveries_total{channel="down-hook",status="queued"}`), 1)
      assert.strictEqual(series(text, `agenc_dead_letters_total{channel="bad-hook"}`), 1)
      assert.strictEqual(series(text, `agenc_outbox_depth{channel="down-hook"}`), 1)
      assert.strictEqual(series(text, `agenc_outbox_depth{channel="ok-hook"}`), 0)
      assert.isAbove(series(text, `agenc_last_success_timestamp_seconds{action="quiet"}`)!, Date.now() / 1000 - 120)
      assert.isUndefined(series(text, `agenc_last_success_timestamp_seconds{action="fail"}`))
      const notFound = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/nothing`))
      assert.strictEqual(notFound.status, 404)

      const status = yield* runCli(home, ["daemon", "status", "--json"])
      assert.strictEqual(status.code, 0, status.stderr)
      const { metrics } = JSON.parse(status.stdout)
      assert.strictEqual(metrics.listen, `127.0.0.1:${port}`)
      assert.deepStrictEqual(metrics.runs, { notify: { notified: 1 }, quiet: { quiet: 1 }, fail: { failed: 1 }, slow: { "timed-out": 1 } })
      assert.deepStrictEqual(metrics.deliveries, { "ok-hook": { delivered: 1 }, "bad-hook": { dropped: 1 }, "down-hook": { queued: 1 } })
      assert.deepStrictEqual(metrics.deadLetters, { "bad-hook": 1 })
      assert.strictEqual(metrics.lateness.notify.count, 1)

      daemon.child.kill("SIGTERM")
      const end = yield* exited(daemon)
      assert.strictEqual(end.code, 0, end.stderr)
      // The last batch of spans is sent on shutdown.
      const spans = receiver.requests
        .filter((request) => request.path === "/v1/traces")
        .flatMap((request) => request.json().resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)))
      const runs = spans.filter((span: any) => span.name === "Heartbeat.runSlot")
      const outcomes = runs.map((span: any) => span.attributes.find((a: any) => a.key === "outcome")?.value.stringValue).sort()
      assert.deepStrictEqual(outcomes, ["failed", "notified", "quiet", "timed-out"])
      const attempts = spans.filter((span: any) => span.name === "Gateway.attempt")
      assert.strictEqual(attempts.length, 3)
      // Scrapes are not traced.
      assert.deepStrictEqual(spans.filter((span: any) => /^http\.server|Gateway\.pending|Scrape/i.test(span.name)), [])

      // A restart starts the counters over, but each action's last success comes back from the ledger.
      const lastQuiet = series(text, `agenc_last_success_timestamp_seconds{action="quiet"}`)
      const lastNotify = series(text, `agenc_last_success_timestamp_seconds{action="notify"}`)
      const again = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      const restarted = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
      assert.strictEqual(series(restarted, `agenc_last_success_timestamp_seconds{action="quiet"}`), lastQuiet)
      assert.strictEqual(series(restarted, `agenc_last_success_timestamp_seconds{action="notify"}`), lastNotify)
      assert.isUndefined(series(restarted, `agenc_last_success_timestamp_seconds{action="fail"}`))
      assert.isUndefined(series(restarted, `agenc_runs_total{action="quiet",outcome="quiet"}`))
      again.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(again)).code, 0)
    }).pipe(Effect.scoped), 60_000)

  it.live("metrics on a public address: exit 78 and one line naming metrics.listen; a port in use likewise", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [] }, metrics: { listen: "0.0.0.0:9464" } }, "metrics-public")
      const refused = yield* runCli(home, ["daemon", "start", "--foreground"])
      assert.strictEqual(refused.code, 78)
      assert.strictEqual(
        refused.stderr.trim(),
        "agenc: metrics.listen: 0.0.0.0:9464 is not a loopback address; the metrics have no authentication: set \"allowRemote\": true to serve them there"
      )
      const check = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(check.code, 78)

      const busy = yield* httpTestServer()
      const inUse = yield* tempHome({ heartbeat: { actions: [] }, metrics: { listen: `127.0.0.1:${busy.port}` } }, "metrics-busy")
      const failed = yield* runCli(inUse, ["daemon", "start", "--foreground"])
      assert.strictEqual(failed.code, 78, failed.stderr)
      const lines = failed.stderr.trim().split("\n").filter((line) => !line.startsWith("{"))
      // The schedule summary's notice (no actions) comes first; then the one error, naming metrics.listen.
      assert.deepStrictEqual(lines, [
        `agenc: no actions scheduled (${path.join(inUse, "gateway.json")}); the daemon runs and waits`,
        `agenc: metrics.listen: cannot listen on 127.0.0.1:${busy.port}: listen EADDRINUSE: address already in use 127.0.0.1:${busy.port}`
      ])
    }).pipe(Effect.scoped), 60_000)
})
