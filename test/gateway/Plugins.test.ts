import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import { parseRetryAfter } from "../../src/domain/HttpFailure.js"
import { type ChannelPlugin, DeliveryError } from "../../src/services/Gateway.js"
import { eventually, message, sleep, startGateway, tempHome } from "./GatewayTestKit.js"

/** A user's channel written as an Effect program: fails `failures` times, then records what it delivered. */
const flakyPlugin = (failures: number) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make(0)
    const delivered = yield* Ref.make<ReadonlyArray<{ readonly id: string; readonly attempt: number }>>([])
    const plugin: ChannelPlugin = {
      name: "pager",
      type: "custom",
      send: ({ attempt, message }) =>
        Effect.gen(function*() {
          const n = yield* Ref.updateAndGet(calls, (n) => n + 1)
          if (n <= failures) return yield* new DeliveryError({ message: `pager busy (${n})`, retryable: true })
          yield* sleep(50)
          yield* Ref.update(delivered, (list) => [...list, { id: message.id, attempt }])
        }),
      health: Effect.succeed({ healthy: true, target: "pager" })
    }
    return { plugin, calls, delivered }
  })

describe("channel plugins", () => {
  it.scopedLive("a plugin supplied in code gets the same retries, queue and status as a configured channel", () =>
    Effect.gen(function*() {
      const { delivered, plugin } = yield* flakyPlugin(4)
      const gateway = yield* startGateway(tempHome(), [{ type: "file" }], {
        // The worker's backoff is long enough that its first retry cannot slip in before the status is read.
        plugins: [{ plugin, delivery: { retries: 1, backoff: 400, maxBackoff: 800 } }]
      })
      assert.deepStrictEqual(gateway.channels, ["file", "pager"])
      const outcomes = yield* gateway.send(message(), { channels: ["pager"] })
      assert.deepStrictEqual(outcomes, [{ channel: "pager", status: "queued", attempts: 2, error: "pager busy (2)" }])
      const [pending] = (yield* gateway.status).filter((s) => s.channel === "pager")
      assert.strictEqual(pending!.pending, 1)
      assert.isFalse(pending!.healthy)
      assert.strictEqual(pending!.lastError, "pager busy (2)")
      yield* eventually(gateway.pending().pipe(Effect.map((n) => n === 0)))
      assert.deepStrictEqual(yield* Ref.get(delivered), [{ id: message().id, attempt: 5 }])
      const [healthy] = (yield* gateway.status).filter((s) => s.channel === "pager")
      assert.isTrue(healthy!.healthy)
      assert.isUndefined(healthy!.lastError)
      assert.isNumber(healthy!.lastDeliveredAt)
    }))

  it.scopedLive("sends only to the channels an action names, and reports unknown names", () =>
    Effect.gen(function*() {
      const { delivered, plugin } = yield* flakyPlugin(0)
      const gateway = yield* startGateway(tempHome(), [{ type: "file" }], { plugins: [{ plugin }] })
      const outcomes = yield* gateway.send(message(), { channels: ["file", "nope"] })
      assert.deepStrictEqual(outcomes, [
        { channel: "file", status: "delivered", attempts: 1 },
        { channel: "nope", status: "dropped", attempts: 0, error: "no channel named \"nope\"" }
      ])
      assert.deepStrictEqual(yield* Ref.get(delivered), [])
    }))

  it.scopedLive("the same id sent twice at once is delivered once", () =>
    Effect.gen(function*() {
      const { delivered, plugin } = yield* flakyPlugin(0)
      const gateway = yield* startGateway(tempHome(), [], { plugins: [{ plugin }] })
      const results = yield* Effect.all([gateway.send(message()), gateway.send(message())], { concurrency: "unbounded" })
      assert.deepStrictEqual(results.map(([o]) => o!.status).sort(), ["delivered", "queued"])
      yield* sleep(300)
      assert.deepStrictEqual((yield* Ref.get(delivered)).length, 1)
      const [later] = yield* gateway.send(message())
      assert.strictEqual(later!.status, "duplicate")
    }))

  it.scopedLive("flush retries queued messages now, ignoring the backoff", () =>
    Effect.gen(function*() {
      const { delivered, plugin } = yield* flakyPlugin(1)
      const gateway = yield* startGateway(tempHome(), [], {
        plugins: [{ plugin, delivery: { retries: 0, backoff: "1h", maxBackoff: "1h" } }]
      })
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "queued")
      yield* sleep(300)
      assert.strictEqual(yield* gateway.pending(), 1, "an hour's backoff")
      assert.strictEqual(yield* gateway.flush, 0)
      assert.strictEqual((yield* Ref.get(delivered)).length, 1)
    }))

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2025-03-01T09:00:00.000Z")
    assert.strictEqual(parseRetryAfter("120", now), 120_000)
    assert.strictEqual(parseRetryAfter("1.5", now), 1_500)
    assert.strictEqual(parseRetryAfter("Sat, 01 Mar 2025 09:00:30 GMT", now), 30_000)
    assert.strictEqual(parseRetryAfter("Sat, 01 Mar 2025 08:00:00 GMT", now), 0)
    assert.isUndefined(parseRetryAfter(undefined, now))
    assert.isUndefined(parseRetryAfter("soon", now))
  })
})
