import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as path from "node:path"
import { HeartbeatConfig } from "../../src/domain/HeartbeatConfig.js"
import { resolveActions } from "../../src/heartbeat/ActionRegistry.js"

const fixtures = path.resolve(import.meta.dirname, "fixtures")
const heartbeat = (actions: ReadonlyArray<Record<string, unknown>>) => Schema.decodeUnknownSync(HeartbeatConfig)({ actions })
const configError = (actions: ReadonlyArray<Record<string, unknown>>) =>
  Effect.flip(resolveActions(heartbeat(actions), fixtures)).pipe(Effect.map((error) => error.line))

describe("ActionRegistry", () => {
  it.effect("resolves the three built-ins of the default config on their schedules", () =>
    Effect.gen(function*() {
      const registrations = yield* resolveActions(Schema.decodeUnknownSync(HeartbeatConfig)({}), fixtures)
      assert.deepStrictEqual(
        registrations.map((registration) => [registration.name, registration.schedule.expression, registration.action.name]),
        [["task-scan", "*/5 * * * *", "task-scan"], ["daily-summary", "0 9 * * *", "daily-summary"], ["portfolio-monitor", "0 * * * *", "portfolio-monitor"]]
      )
    }))

  it.effect("a module that is missing, throws on import or has the wrong shape is a config error naming it", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        yield* configError([{ name: "x", schedule: "@hourly", module: "./nope.js" }]),
        `heartbeat.actions[0].module: module ${path.join(fixtures, "nope.js")} not found`
      )
      assert.strictEqual(
        yield* configError([{ name: "x", schedule: "@hourly", module: "./throws-on-import.js" }]),
        `heartbeat.actions[0].module: module ${path.join(fixtures, "throws-on-import.js")} failed to load: boom while loading`
      )
      assert.strictEqual(
        yield* configError([{ name: "task-scan", schedule: "@hourly" }, { name: "x", schedule: "@hourly", module: "./wrong-shape.js" }]),
        `heartbeat.actions[1].module: module ${path.join(fixtures, "wrong-shape.js")} default export is not an action: missing description (string), execute (function) (use Action.make from the agenc package)`
      )
    }))

  it.effect("checks a built-in's config at load time and names the field", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        yield* configError([{ name: "task-scan", schedule: "@hourly", config: { minReward: -5 } }]),
        "heartbeat.actions[0].config.minReward: Expected a non-negative number, actual -5"
      )
      assert.strictEqual(
        yield* configError([{ name: "portfolio-monitor", schedule: "@hourly", config: { horizons: ["2h", "later"] } }]),
        `heartbeat.actions[0].config.horizons[1]: "later" is not a duration (use e.g. 500ms, 30s, 5m, 2h, 1d)`
      )
      assert.strictEqual(
        yield* configError([{ name: "daily-summary", schedule: "@daily", config: { colour: "blue" } }]),
        "heartbeat.actions[0].config.colour: is unexpected, expected: \"window\""
      )
    }))

  it.effect("runs a built-in under another name with `module: \"agenc:<name>\"`", () =>
    Effect.gen(function*() {
      const [registration] = yield* resolveActions(
        heartbeat([{ name: "urgent", schedule: "*/10 * * * *", module: "agenc:portfolio-monitor", config: { horizons: ["30m"] } }]),
        fixtures
      )
      assert.strictEqual(registration?.name, "urgent")
      assert.strictEqual(registration?.action.name, "portfolio-monitor")
      assert.strictEqual(
        yield* configError([{ name: "x", schedule: "@hourly", module: "agenc:task-scanner" }]),
        "heartbeat.actions[0].module: \"agenc:task-scanner\" names no built-in action (task-scan, daily-summary, portfolio-monitor)"
      )
    }))
})
