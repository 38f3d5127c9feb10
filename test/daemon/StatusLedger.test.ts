import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli, tempHome } from "../layers/CliProcess.js"

describe("daemon status without a daemon", () => {
  it.live("reports each action's last run from the run ledger (exit 3: not running)", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({
        heartbeat: { actions: [{ name: "task-scan", schedule: "*/5 * * * *" }, { name: "daily-summary", schedule: "0 9 * * *" }] }
      })
      const run = yield* runCli(home, ["heartbeat", "run", "task-scan"])
      assert.strictEqual(run.code, 0, run.stderr)
      const status = yield* runCli(home, ["daemon", "status", "--json"])
      assert.strictEqual(status.code, 3, status.stderr)
      const parsed = JSON.parse(status.stdout) as {
        running: boolean
        actions: Array<{ name: string; lastRunAt: string | null; lastOutcome: string | null; nextRunAt: string | null }>
      }
      assert.isFalse(parsed.running)
      const [scan, summary] = parsed.actions
      assert.strictEqual(scan!.name, "task-scan")
      assert.strictEqual(scan!.lastOutcome, "quiet")
      assert.isTrue(Date.parse(scan!.lastRunAt!) > Date.now() - 120_000)
      assert.deepStrictEqual([summary!.name, summary!.lastRunAt, summary!.lastOutcome, summary!.nextRunAt], ["daily-summary", null, null, null])
    }).pipe(Effect.scoped))
})
