import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { isLoopback, parseListen } from "../../src/domain/ObservabilityConfig.js"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"

const line = (input: unknown) => decodeConfig(input).pipe(Effect.flip, Effect.map((error) => error.line))

describe("metrics and telemetry config", () => {
  it.effect("metrics on a public address is refused unless allowRemote, naming the JSON path", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        yield* line({ metrics: { listen: "0.0.0.0:9464" } }),
        "metrics.listen: 0.0.0.0:9464 is not a loopback address; the metrics have no authentication: set \"allowRemote\": true to serve them there"
      )
      assert.match(yield* line({ metrics: { listen: "[::]:9464" } }), /^metrics\.listen: \[::\]:9464 is not a loopback address/)
      assert.match(yield* line({ metrics: { listen: "192.168.1.10:9464" } }), /^metrics\.listen: .* not a loopback address/)
      const remote = yield* decodeConfig({ metrics: { listen: "0.0.0.0:9464", allowRemote: true } })
      assert.deepStrictEqual({ ...remote.metrics }, { listen: "0.0.0.0:9464", allowRemote: true })
      const local = yield* decodeConfig({ metrics: { listen: "127.0.0.1:9464" } })
      assert.deepStrictEqual({ ...local.metrics }, { listen: "127.0.0.1:9464", allowRemote: false })
      assert.isUndefined((yield* decodeConfig({})).metrics)
    }))

  it.effect("a listen that is not host:port, and unknown keys, are config errors", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* line({ metrics: { listen: "9464" } }), "metrics.listen: expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464")
      assert.strictEqual(yield* line({ metrics: { listen: "127.0.0.1:70000" } }), "metrics.listen: expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464")
      assert.match(yield* line({ metrics: { listen: "127.0.0.1:9464", port: 1 } }), /^metrics\.port: /)
      assert.match(yield* line({ metrics: { listen: "127.0.0.1:9464", allowRemote: "yes" } }), /^metrics\.allowRemote: Expected boolean/)
    }))

  it.effect("telemetry.otlp needs an http(s) URL; header values are secret references", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* line({ telemetry: { otlp: { url: "collector:4318" } } }), "telemetry.otlp.url: not an http(s) URL")
      assert.match(yield* line({ telemetry: { otlp: { url: "http://127.0.0.1:4318", headers: { k: { vault: "x" } } } } }), /^telemetry\.otlp\.headers\.k/)
      const config = yield* decodeConfig({ telemetry: { otlp: { url: "http://127.0.0.1:4318", headers: { "x-api-key": { env: "KEY" } } } } })
      assert.deepStrictEqual(config.telemetry?.otlp?.headers, { "x-api-key": { env: "KEY" } })
      assert.strictEqual(config.telemetry?.otlp?.serviceName, "agenc")
      assert.isUndefined((yield* decodeConfig({ telemetry: {} })).telemetry?.otlp)
    }))

  it("loopback is localhost, 127.0.0.0/8 and ::1", () => {
    assert.deepStrictEqual(parseListen("[::1]:9464"), { host: "::1", port: 9464 })
    assert.deepStrictEqual(parseListen("localhost:1"), { host: "localhost", port: 1 })
    assert.isUndefined(parseListen("[nope]:1"))
    assert.isTrue(isLoopback("127.0.0.2"))
    assert.isFalse(isLoopback("0.0.0.0"))
    assert.isFalse(isLoopback("::"))
    assert.isFalse(isLoopback("localhost.example.com"))
  })
})
