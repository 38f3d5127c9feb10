import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome } from "../layers/CliProcess.js"

describe("a command's stderr goes out as it is written, not when the command ends", () => {
  it.live("daemon logs -f: the line naming the log appears while it follows", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({})
      fs.mkdirSync(path.join(home, "logs"), { mode: 0o700 })
      fs.writeFileSync(path.join(home, "logs", "gateway.log"), "{\"message\":\"first\"}\n", { mode: 0o600 })
      const follower = yield* spawnCli(home, ["daemon", "logs", "-f", "-n", "1"])
      const named = yield* eventually(() => follower.output.stderr.includes("gateway.log (rotated at"), 30_000)
      assert.isTrue(named, `stderr so far: ${JSON.stringify(follower.output.stderr)}`)
      assert.isNull(follower.child.exitCode, "still following")
      assert.include(follower.output.stdout, "first")
      follower.child.kill("SIGTERM")
      yield* exited(follower)
    }).pipe(Effect.scoped), 60_000)

  it.live("daemon start --foreground: the schedule summary appears while the daemon runs", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "task-scan", schedule: "0 9 * * *" }] }, channels: [] })
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const summary = yield* eventually(() => daemon.output.stderr.includes("Ctrl-C stops the daemon."), 30_000)
      assert.isTrue(summary, daemon.output.stderr)
      assert.isNull(daemon.child.exitCode, "still running")
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
    }).pipe(Effect.scoped), 60_000)

  it.live("@effect/cli's own complaint about the command line is still one line", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({})
      const result = yield* runCli(home, ["heartbeat", "runs", "--limit", "many"])
      assert.strictEqual(result.code, 2, result.stderr)
      assert.strictEqual(result.stderr.split("\n").length, 2, result.stderr)
      assert.match(result.stderr, /^agenc: "agenc heartbeat runs": .*; see agenc heartbeat runs --help\n$/)
    }).pipe(Effect.scoped), 60_000)
})
