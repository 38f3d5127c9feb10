import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as crypto from "node:crypto"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { fastDelivery, message, startGateway, tempHome } from "./GatewayTestKit.js"

describe("webhook channel", () => {
  it.scopedLive("posts the record as JSON with the idempotency key and an HMAC the server verifies", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      process.env.AGENC_TEST_HOOK_AUTH = "Bearer hook-auth-token"
      const channels = [{
        type: "webhook",
        url: `${server.url}/hooks/agenc`,
        secret: "shared-hmac-secret",
        headers: { Authorization: { env: "AGENC_TEST_HOOK_AUTH" }, "X-Team": "ops" }
      }]
      const gateway = yield* startGateway(tempHome(), channels)
      const before = Date.now()
      const outcomes = yield* gateway.send(message())
      assert.deepStrictEqual(outcomes, [{ channel: "webhook", status: "delivered", attempts: 1 }])

      assert.strictEqual(server.requests.length, 1)
      const [request] = server.requests
      assert.strictEqual(request!.method, "POST")
      assert.strictEqual(request!.path, "/hooks/agenc")
      assert.strictEqual(request!.headers["content-type"], "application/json")
      assert.strictEqual(request!.headers["idempotency-key"], "task-scan@2025-03-01T09:00:00.000Z")
      assert.strictEqual(request!.headers["authorization"], "Bearer hook-auth-token")
      assert.strictEqual(request!.headers["x-team"], "ops")
      const expected = "sha256=" + crypto.createHmac("sha256", "shared-hmac-secret").update(request!.body).digest("hex")
      assert.strictEqual(request!.headers["x-agenc-signature"], expected)

      const body = request!.json()
      assert.deepStrictEqual(Object.keys(body).sort(), ["action", "content", "deliveredAt", "id", "message", "metadata", "scheduledAt", "severity", "slot", "startedAt"])
      assert.strictEqual(body.id, "task-scan@2025-03-01T09:00:00.000Z")
      assert.strictEqual(body.action, "task-scan")
      assert.strictEqual(body.message, "3 new claimable tasks")
      assert.deepStrictEqual(body.metadata, { count: 3, tasks: ["a", "b", "c"] })
      assert.strictEqual(body.scheduledAt, "2025-03-01T09:00:00.000Z")
      assert.strictEqual(body.startedAt, "2025-03-01T09:00:00.250Z")
      assert.match(body.deliveredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.isAtLeast(Date.parse(body.deliveredAt), before - 5)
    }))

  it.scopedLive("omits the signature when no secret is set", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const gateway = yield* startGateway(tempHome(), [{ type: "webhook", url: server.url }])
      yield* gateway.send(message())
      assert.isUndefined(server.requests[0]!.headers["x-agenc-signature"])
    }))

  it.scopedLive("retries 5xx with exponential backoff and jitter, then delivers", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.failTimes(2, 503)
      const gateway = yield* startGateway(tempHome(), [{ type: "webhook", url: server.url, delivery: fastDelivery }])
      const outcomes = yield* gateway.send(message())
      assert.deepStrictEqual(outcomes, [{ channel: "webhook", status: "delivered", attempts: 3 }])
      assert.deepStrictEqual(server.requests.map((r) => r.answer), [503, 503, 200])
      const [a, b, c] = server.requests.map((r) => r.at)
      // backoff 100 ms then 200 ms, each ±20 %: the lower bounds show the doubling; the upper ones only that
      // the retry came (a loaded machine delays timers, never advances them)
      assert.isAtLeast(b! - a!, 75)
      assert.isAtMost(b! - a!, 2_000)
      assert.isAtLeast(c! - b!, 155)
      assert.isAtMost(c! - b!, 2_000)
      // every attempt carries the same idempotency key
      assert.deepStrictEqual(new Set(server.requests.map((r) => r.headers["idempotency-key"])).size, 1)
      assert.strictEqual(yield* gateway.pending(), 0)
    }))

  it.scopedLive("does not retry a 400: the message is dropped, not queued", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.reply({ status: 400, body: "{\"error\":\"bad payload\"}" })
      const gateway = yield* startGateway(tempHome(), [{ type: "webhook", url: server.url, delivery: fastDelivery }])
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "dropped")
      assert.strictEqual(outcome!.attempts, 1)
      assert.include(outcome!.error!, "HTTP 400")
      // The body may echo credentials: it is logged at debug level only, never kept in the outcome or outbox.
      assert.notInclude(outcome!.error!, "bad payload")
      yield* Effect.sleep("600 millis")
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(yield* gateway.pending(), 0)
      // a refused id stays refused: sending it again does not post it again
      const [again] = yield* gateway.send(message())
      assert.strictEqual(again!.status, "dropped")
      assert.strictEqual(server.requests.length, 1)
    }))

  it.scopedLive("honours Retry-After on 429 (seconds and HTTP date)", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      // The date is taken when the request arrives, so it is 1-2 s away (HTTP dates have whole seconds).
      server.handler = () =>
        server.requests.length === 0 ? { status: 429, headers: { "retry-after": new Date(Date.now() + 2_000).toUTCString() } }
        : server.requests.length === 1 ? { status: 429, headers: { "retry-after": "1" } }
        : { status: 200 }
      const gateway = yield* startGateway(tempHome(), [{ type: "webhook", url: server.url, delivery: { ...fastDelivery, backoff: 10 } }])
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "delivered")
      assert.strictEqual(outcome!.attempts, 3)
      const [a, b, c] = server.requests.map((r) => r.at)
      // the backoff alone would be 10 ms
      assert.isAtLeast(b! - a!, 900, "waited until the Retry-After date")
      assert.isAtLeast(c! - b!, 990, "waited the 1 s Retry-After")
    }), 15_000)

  it.scopedLive("queues on a Retry-After longer than send's budget and delivers it after that time", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.reply({ status: 429, headers: { "retry-after": "6" } })
      const gateway = yield* startGateway(tempHome(), [{ type: "webhook", url: server.url, delivery: fastDelivery }])
      const started = Date.now()
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "queued")
      assert.isBelow(Date.now() - started, 1_000, "send did not wait out the Retry-After")
      assert.strictEqual(yield* gateway.pending("webhook"), 1)
      yield* Effect.promise(() => server.waitFor((requests) => requests.length === 2, 12_000))
      assert.isAtLeast(server.requests[1]!.at - server.requests[0]!.at, 5_990)
    }), 20_000)

  it.scopedLive("a hanging endpoint times out without a quick retry and does not hold up other channels", () =>
    Effect.gen(function*() {
      const slow = yield* httpTestServer()
      const fast = yield* httpTestServer()
      slow.reply("hang")
      const gateway = yield* startGateway(tempHome(), [
        { type: "webhook", name: "slow", url: slow.url, timeout: "1500ms", delivery: fastDelivery },
        { type: "webhook", name: "fast", url: fast.url, delivery: fastDelivery }
      ])
      const started = Date.now()
      const outcomes = yield* gateway.send(message())
      const took = Date.now() - started
      assert.deepStrictEqual(outcomes.map((o) => [o.channel, o.status]), [["slow", "queued"], ["fast", "delivered"]])
      assert.include(outcomes[0]!.error!, "no answer within 1500 ms")
      assert.isBelow(fast.requests[0]!.at - started, 500, "the fast channel was not delayed by the slow one")
      assert.isAtLeast(took, 1_450)
      assert.isBelow(took, 2_500, "one timeout, no quick retries after it")
      assert.strictEqual(slow.requests.length, 1)
    }))

  it.scopedLive("queued messages are retried in the background and delivered once the server is back, each id once", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const port = server.port
      yield* Effect.promise(() => server.stop())
      const gateway = yield* startGateway(tempHome(), [{ type: "webhook", url: `http://127.0.0.1:${port}`, delivery: fastDelivery }])
      const ids = ["a@1", "a@2", "a@3"]
      for (const id of ids) {
        const [outcome] = yield* gateway.send(message({ id }))
        assert.strictEqual(outcome!.status, "queued")
        assert.match(outcome!.error!, /network error/)
      }
      assert.strictEqual(yield* gateway.pending(), 3)
      yield* Effect.promise(() => server.start())
      yield* Effect.promise(() => server.waitFor((requests) => requests.length >= 3))
      yield* Effect.sleep("300 millis")
      assert.deepStrictEqual(server.requests.map((r) => r.headers["idempotency-key"]).sort(), ids)
      assert.strictEqual(yield* gateway.pending(), 0)
      // delivered ids are remembered: sending again is a duplicate, not a second post
      const [again] = yield* gateway.send(message({ id: "a@2" }))
      assert.strictEqual(again!.status, "duplicate")
      assert.strictEqual(server.requests.length, 3)
    }))
})
