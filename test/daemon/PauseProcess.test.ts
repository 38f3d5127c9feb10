import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

const writeRecorder = (home: string) =>
  fs.writeFileSync(
    path.join(home, "recorder.mjs"),
    `import { Effect } from "effect"
import * as fs from "node:fs"
export default { name: "recorder", description: "records its slots", execute: (ctx) =>
  Effect.sync(() => fs.appendFileSync(${JSON.stringify(path.join(home, "runs.txt"))}, new Date(ctx.scheduledAt).toISOString() + "\\n")).pipe(Effect.as({ shouldNotify: false })) }
`
  )

const ran = (home: string) => {
  const file = path.join(home, "runs.txt")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").length : 0
}

const records = (home: string) =>
  runCli(home, ["heartbeat", "runs", "tick", "--json", "--limit", "1000"]).pipe(
    Effect.map((result) => (JSON.parse(result.stdout) as ReadonlyArray<{ scheduledAt: string; outcome: string; reason: string | null }>).slice().reverse())
  )

describe("pause and resume (real CLI, real daemon)", () => {
  it.live("pause while the daemon runs: the next slots are skipped and recorded; it survives a restart; resume; --for resumes by itself", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "tick", module: "./recorder.mjs", schedule: "* * * * * *" }] }, channels: [] }, "pause")
      writeRecorder(home)
      let daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => ran(home) >= 2, 10_000))

      const paused = yield* runCli(home, ["heartbeat", "pause", "tick", "--reason", "deploy"])
      assert.strictEqual(paused.code, 0, paused.stderr)
      assert.match(paused.stdout, /^tick paused since \S+Z by operator \(deploy\)\n$/)
      const again = yield* runCli(home, ["heartbeat", "pause", "tick"])
      assert.strictEqual(again.code, 0)
      assert.include(again.stdout, "already paused")
      const unknown = yield* runCli(home, ["heartbeat", "pause", "nope"])
      assert.strictEqual(unknown.code, 2)
      assert.include(unknown.stderr, `no action named "nope"`)

      // One slot may have been claimed just before the pause landed; after that, nothing runs.
      yield* Effect.sleep(1_100)
      const runsAtPause = ran(home)
      yield* Effect.sleep(2_500)
      assert.strictEqual(ran(home), runsAtPause, "no run while paused")
      const skipped = (yield* records(home)).filter((run) => run.outcome === "skipped")
      assert.isAtLeast(skipped.length, 2)
      assert.isTrue(skipped.every((run) => run.reason === "paused"))

      const status = JSON.parse((yield* runCli(home, ["daemon", "status", "--json"])).stdout) as { actions: ReadonlyArray<{ paused: { by: string; reason: string; until: string | null } | null }> }
      assert.deepStrictEqual(status.actions[0]!.paused && [status.actions[0]!.paused.by, status.actions[0]!.paused.reason, status.actions[0]!.paused.until], ["operator", "deploy", null])
      const next = JSON.parse((yield* runCli(home, ["heartbeat", "next", "--json"])).stdout) as ReadonlyArray<{ slots: ReadonlyArray<unknown>; paused: unknown }>
      assert.deepStrictEqual(next[0]!.slots, [], "a paused action has no next slot")
      const listed = JSON.parse((yield* runCli(home, ["heartbeat", "list", "--json"])).stdout) as ReadonlyArray<{ paused: { by: string } | null }>
      assert.strictEqual(listed[0]!.paused!.by, "operator")

      // The pause survives a restart.
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      yield* Effect.sleep(2_000)
      assert.strictEqual(ran(home), runsAtPause, "still paused after a restart")

      const resumed = yield* runCli(home, ["heartbeat", "resume", "tick"])
      assert.strictEqual(resumed.code, 0, resumed.stderr)
      assert.match(resumed.stdout, /^tick resumed \(was paused since/)
      assert.isTrue(yield* eventually(() => ran(home) >= runsAtPause + 2, 10_000), "runs again after resume")
      assert.include((yield* runCli(home, ["heartbeat", "resume", "tick"])).stdout, "not paused")

      // --for: paused for 3 s, then it runs again by itself.
      assert.strictEqual((yield* runCli(home, ["heartbeat", "pause", "tick", "--for", "3s"])).code, 0)
      yield* Effect.sleep(1_100)
      const atTimedPause = ran(home)
      yield* Effect.sleep(1_000)
      assert.strictEqual(ran(home), atTimedPause)
      assert.isTrue(yield* eventually(() => ran(home) >= atTimedPause + 2, 10_000), "--for ended the pause")
      assert.strictEqual((yield* runCli(home, ["heartbeat", "pause", "tick", "--for", "soon"])).code, 2)

      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      // Without a daemon the commands work the same (they only touch agenc.db).
      assert.strictEqual((yield* runCli(home, ["heartbeat", "pause", "tick"])).code, 0)
      assert.strictEqual((yield* runCli(home, ["heartbeat", "resume", "tick"])).code, 0)
    }).pipe(Effect.scoped), 120_000)
})
