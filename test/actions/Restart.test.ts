import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { tempHome } from "./ActionHarness.js"

const cli = path.resolve(import.meta.dirname, "../../dist/cli.js")

/** Runs the built CLI in its own process with `$AGENC_HOME` = `home`; answers stdout (exit code must be 0). */
const agenc = (home: string, ...args: ReadonlyArray<string>) =>
  Effect.async<string, Error>((resume) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, AGENC_HOME: home, NO_COLOR: "1" } }, (error, stdout, stderr) =>
      resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`agenc ${args.join(" ")}: ${error.message}\n${stderr}`))))
  })

const runScan = (home: string) =>
  Effect.map(agenc(home, "heartbeat", "run", "task-scan", "--json"), (stdout) => JSON.parse(stdout) as {
    outcome: string
    shouldNotify: boolean
    message: string | null
    metadata: { new: Array<{ id: string }> }
    deliveries: Array<{ channel: string; status: string }>
  })

describe("task-scan across restarts", () => {
  it.scopedLive("a new process with the same $AGENC_HOME does not announce a task again", () =>
    Effect.gen(function*() {
      if (!fs.existsSync(cli)) return yield* Effect.dieMessage("run `npm run build` first: this test spawns dist/cli.js")
      const home = yield* tempHome
      const first = (yield* agenc(home, "tasks", "add", "--reward", "1500000000", "--capabilities", "3")).trim()

      const announced = yield* runScan(home)
      assert.strictEqual(announced.outcome, "notified")
      assert.deepStrictEqual(announced.message!.split("\n").map((line) => line.split(" · ")[0]), [
        "Found 1 new task matching your capabilities",
        `- #${first.slice(0, 8)}`,
        "  Reward: 1.5 SOL"
      ])
      assert.deepStrictEqual(announced.deliveries.map((d) => [d.channel, d.status]), [["console", "delivered"], ["file", "delivered"]])

      const again = yield* runScan(home)
      assert.strictEqual(again.outcome, "quiet")
      assert.strictEqual(again.shouldNotify, false)
      assert.strictEqual(again.message, null)

      const second = (yield* agenc(home, "tasks", "add", "--reward", "1", "--capabilities", "1")).trim()
      const onlyNew = yield* runScan(home)
      assert.deepStrictEqual(onlyNew.message!.split("\n").map((line) => line.split(" · ")[0]), [
        "Found 1 new task matching your capabilities",
        `- #${second.slice(0, 8)}`,
        "  Reward: 0.000000001 SOL"
      ])
      assert.deepStrictEqual(onlyNew.metadata.new.map((task) => task.id), [second])
    }), 60_000)
})
