import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempDir, tempHome, waitReady } from "../layers/CliProcess.js"

describe("friendly defaults", () => {
  it.live("config init writes only likely-changed keys, durations as strings, and a $schema next to it", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      assert.strictEqual((yield* runCli(home, ["config", "init"])).code, 0)
      const text = fs.readFileSync(path.join(home, "gateway.json"), "utf8")
      const written = JSON.parse(text) as Record<string, unknown> & { $schema: string; daemon: Record<string, unknown> }
      assert.strictEqual(written.$schema, "./gateway.schema.json")
      assert.strictEqual((JSON.parse(fs.readFileSync(path.join(home, "gateway.schema.json"), "utf8")) as { $schema: string }).$schema, "http://json-schema.org/draft-07/schema#")
      assert.notMatch(text, /86400000|300000|600000|"wakeInterval"|"ledgerSize"|"catchUpWindow"/, "no frozen defaults")
      assert.strictEqual(written.daemon.shutdownGrace, "3s")
      assert.isBelow(text.split("\n").length, 50)
      assert.strictEqual((yield* runCli(home, ["config", "validate"])).stdout, "ok\n")
    }).pipe(Effect.scoped), 60_000)

  it.live("text outputs show times in the action's zone next to UTC; a foreground start says what runs next", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "daily-summary", schedule: "0 9 * * *", timezone: "Europe/Berlin" }] } })
      const list = yield* runCli(home, ["heartbeat", "list"])
      assert.match(list.stdout, /daily-summary .* \d{4}-\d\d-\d\d 09:00 Europe\/Berlin \((\d{4}-\d\d-\d\d )?0[78]:00 UTC\)/)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const summary = yield* eventually(() => daemon.output.stderr.includes("Ctrl-C stops the daemon."), 30_000)
      assert.isTrue(summary, daemon.output.stderr)
      assert.match(daemon.output.stderr, /agenc: 1 action scheduled \(.*gateway\.json\); next runs:\n {2}daily-summary +\d{4}-\d\d-\d\d 09:00 Europe\/Berlin/)
      yield* waitReady(home)
      const status = yield* runCli(home, ["daemon", "status"])
      assert.strictEqual(status.code, 0, status.stderr)
      assert.match(status.stdout, /daily-summary .* Europe\/Berlin +\d{4}-\d\d-\d\d 09:00 Europe\/Berlin \((\d{4}-\d\d-\d\d )?0[78]:00 UTC\)/)
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
    }).pipe(Effect.scoped), 60_000)
})
