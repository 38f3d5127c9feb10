import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { loadActionModule } from "../../src/heartbeat/ActionRegistry.js"

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")

describe("action module exports are decoded", () => {
  it.effect("an export of the wrong shape is a ConfigError naming the JSON path and what is wrong, never a defect", () =>
    Effect.gen(function*() {
      for (const [file, problem] of [["bad-config-schema.js", "missing configSchema (a Schema)"], ["execute-not-function.js", "missing execute (function)"]] as const) {
        const result = yield* Effect.either(loadActionModule(path.join(fixtures, file), "heartbeat.actions[0].module"))
        assert.isTrue(Either.isLeft(result), file)
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left._tag, "ConfigError")
          assert.strictEqual(result.left.path, "heartbeat.actions[0].module")
          assert.include(result.left.message, problem)
        }
      }
    }))

  it.effect("a plain object of the right shape is an action", () =>
    Effect.gen(function*() {
      const action = yield* loadActionModule(path.join(fixtures, "good-action.js"), "heartbeat.actions[0].module")
      assert.strictEqual(action.name, "good")
      assert.strictEqual(typeof action.execute, "function")
    }))
})
