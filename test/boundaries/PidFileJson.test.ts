import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as PidFile from "../../src/daemon/PidFile.js"

const inspectWith = (text: string) =>
  Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-pidjson-"))
    const file = path.join(dir, "agenc.pid")
    fs.writeFileSync(file, text, { mode: 0o600 })
    const state = yield* PidFile.inspect(file)
    fs.rmSync(dir, { recursive: true, force: true })
    return state
  })

describe("the PID file is decoded (malformed files on disk)", () => {
  it.effect("JSON that is cut off, not an object, or whose pid is not a PID is a stale file with its reason, never a defect", () =>
    Effect.gen(function*() {
      for (const text of ["{\"pid\":", "[1234]", "null", "{\"pid\":\"1234\"}", "{\"pid\":1}", "{\"pid\":12.5}", "{\"startTime\":\"5\"}"]) {
        const state = yield* inspectWith(text)
        assert.strictEqual(state._tag, "Stale", text)
        if (state._tag === "Stale") {
          assert.isUndefined(state.stale.record, text)
          assert.strictEqual(state.stale.reason, "the PID file holds no valid PID (an integer above 1)")
        }
      }
    }))

  it.effect("fields of the wrong type read as absent: the PID still counts, the paths are not trusted", () =>
    Effect.gen(function*() {
      // PID 2^31-2 is never a live process here: the record is stale, and its decoded fields are visible.
      const state = yield* inspectWith(JSON.stringify({ pid: 2147483646, startTime: 42, socket: ["x"], logFile: "", config: "/etc/agenc.json", startedAt: "noon" }))
      assert.strictEqual(state._tag, "Stale")
      if (state._tag === "Stale") {
        assert.deepStrictEqual(state.stale.record, {
          pid: 2147483646,
          startTime: undefined,
          bootId: undefined,
          startedAt: 0,
          pidFile: undefined,
          socket: undefined,
          logFile: undefined,
          config: "/etc/agenc.json"
        })
      }
    }))
})
