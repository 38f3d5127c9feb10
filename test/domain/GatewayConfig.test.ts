import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"

const errorLine = (input: unknown) => decodeConfig(input).pipe(Effect.flip, Effect.map((error) => error.line))

describe("gateway.json", () => {
  it.effect("an empty file gives the seed's defaults", () =>
    Effect.gen(function*() {
      const config = yield* decodeConfig({})
      assert.deepStrictEqual(config.heartbeat.actions.map((a) => [a.name, a.schedule]), [
        ["task-scan", "*/5 * * * *"],
        ["daily-summary", "0 9 * * *"],
        ["portfolio-monitor", "0 * * * *"]
      ])
      assert.strictEqual(config.heartbeat.timezone, "UTC")
      assert.deepStrictEqual([config.heartbeat.actions[0]!.overlap, config.heartbeat.actions[0]!.catchUp], ["skip", "none"])
      assert.strictEqual(config.daemon.watchdogInterval, 60_000)
      assert.strictEqual(config.runtime.source, "local")
    }))

  it.effect("the seed's example decodes", () =>
    Effect.gen(function*() {
      const config = yield* decodeConfig({
        heartbeat: {
          enabled: true,
          actions: [
            { name: "task-scan", schedule: "*/5 * * * *", config: { minReward: 100000000, capabilities: 3 } },
            { name: "daily-summary", schedule: "0 9 * * *" },
            { name: "portfolio-monitor", schedule: "0 * * * *" }
          ]
        },
        daemon: { pidFile: "~/.agenc/gateway.pid", watchdogInterval: 60000 }
      })
      assert.deepStrictEqual(config.heartbeat.actions[0]!.config, { minReward: 100000000, capabilities: 3 })
      assert.strictEqual(config.daemon.pidFile, "~/.agenc/gateway.pid")
    }))

  it.effect("errors name the JSON path and the reason", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        yield* errorLine({ heartbeat: { actions: [{ name: "a", schedule: "@daily" }, { name: "b", schedule: "0 0 31 2 *" }] } }),
        "heartbeat.actions[1].schedule: \"0 0 31 2 *\" never matches"
      )
      assert.strictEqual(
        yield* errorLine({ heartbeat: { actions: [{ name: "a", schedule: "@daily", timeout: "soon" }] } }),
        "heartbeat.actions[0].timeout: \"soon\" is not a duration (use e.g. 500ms, 30s, 5m, 2h, 1d)"
      )
      assert.strictEqual(
        yield* errorLine({ heartbeat: { actions: [{ name: "a", schedule: "@daily" }, { name: "a", schedule: "@hourly" }] } }),
        "heartbeat.actions[1].name: duplicate action name \"a\""
      )
      assert.strictEqual(yield* errorLine({ heartbeat: { timezone: "Nowhere/Land" } }), "heartbeat.timezone: unknown time zone \"Nowhere/Land\"")
      assert.strictEqual(
        yield* errorLine({ heartbeat: { actions: [{ name: "a", schedule: "@daily", overlap: "queue" }] } }),
        "heartbeat.actions[0].overlap: Expected \"skip\" | \"allow\", actual \"queue\""
      )
      assert.isTrue((yield* errorLine({ heartbeat: { enabeld: true } })).startsWith("heartbeat.enabeld: is unexpected"))
    }))
})
