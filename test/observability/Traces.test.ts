import { FetchHttpClient, HttpClient } from "@effect/platform"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"
import { Telemetry, tracesUrl } from "../../src/layers/Telemetry.js"
import { makeSolanaRpc } from "../../src/runtime/SolanaRpc.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { tempDir } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { channels, registration, runAll, runLayer, settled } from "./RunHarness.js"

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** A JSON-RPC node that answers every call with "no such account". */
const rpcNode = Effect.map(httpTestServer(), (server) => {
  server.handler = (request) => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: request.json().id, result: { context: { slot: 1 }, value: null } })
  })
  return server
})

describe("traces", () => {
  it.live("one span per run with its action, slot and outcome; children per delivery attempt and per RPC call", () =>
    Effect.gen(function*() {
      const exporter = new InMemorySpanExporter()
      const home = yield* tempDir
      const hooks = yield* httpTestServer()
      const node = yield* rpcNode
      const rpc = makeSolanaRpc(yield* HttpClient.HttpClient, { url: node.url, commitment: "confirmed", timeoutMs: 5_000, retries: 0, retryDelayMs: 10 })
      const notify = registration("trace-notify", Effect.succeed({ shouldNotify: true, message: "to both hooks" }))
      const reader = registration("trace-rpc", Effect.as(Effect.orDie(rpc.getAccount("11111111111111111111111111111111")), { shouldNotify: false }))
      // Read before the SDK shuts down: shutting down empties the in-memory exporter. The run ends when its
      // message is in the outbox; the channel workers attempt it after, under the run's Gateway.send.
      const [[sent], spans] = yield* runAll([notify, reader], 0).pipe(
        Effect.tap(() => settled),
        Effect.provide(runLayer(home, channels(hooks))),
        Effect.map((reports) => [reports, exporter.getFinishedSpans()] as const),
        Effect.provide(NodeSdk.layer(() => ({ resource: { serviceName: "agenc-test" }, spanProcessor: new SimpleSpanProcessor(exporter) })))
      )
      const runs = spans.filter((span) => span.name === "Heartbeat.runSlot")
      assert.strictEqual(runs.length, 2)
      const run = runs.find((span) => span.attributes.action === "trace-notify")!
      assert.strictEqual(run.attributes.slot, new Date(sent!.scheduledAt).toISOString())
      assert.strictEqual(run.attributes.outcome, "notified")
      const send = spans.find((span) => span.name === "Gateway.send")!
      assert.strictEqual(parentOf(send), run.spanContext().spanId)
      const attempts = spans.filter((span) => span.name === "Gateway.attempt")
      assert.deepStrictEqual(attempts.map((span) => span.attributes.channel).sort(), ["bad-hook", "ok-hook"])
      for (const attempt of attempts) {
        assert.strictEqual(parentOf(attempt), send.spanContext().spanId)
        assert.strictEqual(attempt.spanContext().traceId, run.spanContext().traceId)
        assert.strictEqual(attempt.attributes.attempt, 1)
      }
      // The refused attempt is marked as failed.
      assert.strictEqual(attempts.find((span) => span.attributes.channel === "bad-hook")!.status.code, 2)

      const readerRun = runs.find((span) => span.attributes.action === "trace-rpc")!
      assert.strictEqual(readerRun.attributes.outcome, "quiet")
      const call = spans.find((span) => span.name === "SolanaRpc.getAccountInfo")!
      assert.strictEqual(parentOf(call), readerRun.spanContext().spanId)
      assert.strictEqual(call.attributes["rpc.method"], "getAccountInfo")
      assert.strictEqual(node.requests.length, 1)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("telemetry.otlp sends the spans to an OTLP/HTTP receiver, with the configured secret header", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const hooks = yield* httpTestServer()
      const receiver = yield* httpTestServer()
      process.env.AGENC_TEST_OTLP_KEY = "otlp-s3cret"
      const config = yield* decodeConfig({
        telemetry: { otlp: { url: receiver.url, headers: { "x-api-key": { env: "AGENC_TEST_OTLP_KEY" } }, serviceName: "agenc-otlp-test" } }
      })
      const telemetry = Telemetry().pipe(Layer.provide(Layer.succeed(AppConfig, { home, file: path.join(home, "gateway.json"), fromFile: false, config })))
      const notify = registration("otlp-notify", Effect.succeed({ shouldNotify: true, message: "traced" }))
      // The batch is sent when the layer's scope closes, as on a daemon's shutdown.
      yield* runAll([notify], 0).pipe(Effect.tap(() => settled), Effect.provide(runLayer(home, channels(hooks))), Effect.provide(telemetry))

      assert.isAtLeast(receiver.requests.length, 1)
      const posts = receiver.requests.filter((request) => request.method === "POST" && request.path === "/v1/traces")
      assert.strictEqual(posts.length, receiver.requests.length)
      assert.strictEqual(posts[0]!.headers["x-api-key"], "otlp-s3cret")
      assert.match(String(posts[0]!.headers["content-type"]), /application\/json/)
      const bodies = posts.map((post) => post.json())
      const resource = bodies[0].resourceSpans[0].resource
      assert.deepInclude(resource.attributes, { key: "service.name", value: { stringValue: "agenc-otlp-test" } })
      const spans = bodies.flatMap((body: any) => body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)))
      const byName = (name: string) => spans.filter((span: any) => span.name === name)
      const [run] = byName("Heartbeat.runSlot")
      assert.deepInclude(run.attributes, { key: "action", value: { stringValue: "otlp-notify" } })
      assert.deepInclude(run.attributes, { key: "outcome", value: { stringValue: "notified" } })
      const [send] = byName("Gateway.send")
      assert.strictEqual(send.parentSpanId, run.spanId)
      const attempts = byName("Gateway.attempt")
      assert.strictEqual(attempts.length, 2)
      for (const attempt of attempts) assert.strictEqual(attempt.parentSpanId, send.spanId)
    }).pipe(Effect.scoped, Effect.ensuring(Effect.sync(() => delete process.env.AGENC_TEST_OTLP_KEY))))

  it("traces go to <url>/v1/traces", () => {
    assert.strictEqual(tracesUrl("http://127.0.0.1:4318"), "http://127.0.0.1:4318/v1/traces")
    assert.strictEqual(tracesUrl("https://otlp.example.com/otlp/"), "https://otlp.example.com/otlp/v1/traces")
    assert.strictEqual(tracesUrl("http://collector:4318/v1/traces"), "http://collector:4318/v1/traces")
  })
})
