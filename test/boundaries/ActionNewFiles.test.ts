import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCli, tempDir } from "../layers/CliProcess.js"

describe("`agenc action new` decodes the package.json and gateway.json it edits (the built CLI)", () => {
  it.live("a package.json that is not an object, or whose dependencies are not version strings, is a one-line error that changes nothing (no module written first)", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      for (const [text, problem] of [["[1, 2]", "not a JSON object"], ["{\"type\":\"module\",\"dependencies\":\"effect\"}", "\"dependencies\" is not an object of version strings"]] as const) {
        const dir = fs.mkdtempSync(path.join(home, "action-"))
        fs.writeFileSync(path.join(dir, "package.json"), text)
        const result = yield* runCli(home, ["action", "new", "hello", "--dir", dir])
        assert.strictEqual(result.code, 1, result.stderr)
        assert.strictEqual(result.stderr.trim(), `agenc: ${path.join(dir, "package.json")}: ${problem}`)
        assert.strictEqual(fs.readFileSync(path.join(dir, "package.json"), "utf8"), text, "left as it was")
        assert.isFalse(fs.existsSync(path.join(home, "gateway.json")), "nothing registered")
        assert.deepStrictEqual(fs.readdirSync(dir), ["package.json"], "no module written either")
      }
    }).pipe(Effect.scoped), 60_000)

  it.live("a gateway.json whose heartbeat.actions is not an array of objects is refused, the file left as it was", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const dir = fs.mkdtempSync(path.join(home, "action-"))
      const config = "{\"heartbeat\":{\"actions\":\"task-scan\"}}"
      fs.writeFileSync(path.join(home, "gateway.json"), config, { mode: 0o600 })
      const result = yield* runCli(home, ["action", "new", "hello", "--dir", dir])
      assert.strictEqual(result.code, 1, result.stderr)
      assert.strictEqual(result.stderr.trim(), `agenc: ${path.join(home, "gateway.json")}: heartbeat.actions: not an array of objects`)
      assert.strictEqual(fs.readFileSync(path.join(home, "gateway.json"), "utf8"), config)
      assert.deepStrictEqual(fs.readdirSync(dir), [], "no module or package.json written")
    }).pipe(Effect.scoped), 60_000)
})
