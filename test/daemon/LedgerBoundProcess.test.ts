import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect } from "effect"
import * as path from "node:path"
import { exited, runCli, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"

interface RunJson {
  readonly scheduledAt: string
  readonly trigger: string
  readonly outcome: string
  readonly reason: string | null
}

const runsOf = (home: string, action: string) =>
  runCli(home, ["heartbeat", "runs", action, "--json", "--limit", "100000"]).pipe(
    Effect.map((result) => {
      assert.strictEqual(result.code, 0, result.stderr)
      return JSON.parse(result.stdout) as ReadonlyArray<RunJson>
    })
  )

const DAY = 86_400_000

describe("the ledger bound is per action (real daemon)", () => {
  it.live("an every-second action far beyond heartbeat.ledgerSize beside a daily one: the daily keeps its history, catch-up and last run", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({
        heartbeat: {
          ledgerSize: 5,
          actions: [
            { name: "chatty", schedule: "* * * * * *", module: "./quiet.mjs" },
            { name: "daily", schedule: "0 9 * * *", module: "./quiet.mjs", catchUp: "latest" }
          ]
        },
        channels: []
      }, "ledger-bound")
      writeAction(home, "quiet.mjs", "quiet", `Effect.succeed({ shouldNotify: false })`)
      // The ledger as a daemon left it: the daily action ran the day before its last slot, and the chatty one
      // last ran 300 s ago, so the next start records ~300 missed slots of it (60 times the bound).
      // A command that writes creates and migrates agenc.db (the read-only ones do not).
      assert.strictEqual((yield* runCli(home, ["heartbeat", "pause", "chatty"])).code, 0)
      assert.strictEqual((yield* runCli(home, ["heartbeat", "resume", "chatty"])).code, 0)
      const now = Date.now()
      const lastDaily = Math.floor((now - 9 * 3_600_000) / DAY) * DAY + 9 * 3_600_000
      const seededDaily = lastDaily - DAY
      const seededChatty = Math.floor(now / 1_000) * 1_000 - 300_000
      const db = new Database(path.join(home, "agenc.db"))
      const insert = db.prepare("INSERT INTO runs (action, scheduled_at, started_at, ended_at, outcome, trigger) VALUES (?, ?, ?, ?, 'quiet', 'schedule')")
      insert.run("daily", seededDaily, seededDaily, seededDaily + 10)
      insert.run("chatty", seededChatty, seededChatty, seededChatty + 10)
      db.close()

      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      const caughtUp = (runs: ReadonlyArray<RunJson>) => runs.some((run) => Date.parse(run.scheduledAt) === lastDaily && run.outcome === "quiet")
      let daily: ReadonlyArray<RunJson> = []
      for (let waited = 0; waited < 20_000 && !caughtUp(daily); waited += 250) {
        daily = yield* runsOf(home, "daily")
        if (!caughtUp(daily)) yield* Effect.sleep(250)
      }
      // A few more writes of the chatty action after the start.
      yield* Effect.sleep(2_000)
      const status = yield* runCli(home, ["daemon", "status", "--json"])
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)

      daily = yield* runsOf(home, "daily")
      assert.deepStrictEqual(
        daily.map((run) => [Date.parse(run.scheduledAt), run.trigger, run.outcome]),
        [[lastDaily, "schedule", "quiet"], [seededDaily, "schedule", "quiet"]],
        "the daily action's history and its caught-up slot"
      )
      const chatty = yield* runsOf(home, "chatty")
      // Trimmed to within 100 of the bound (every 100th write), and its oldest records are gone.
      assert.isAtMost(chatty.length, 5 + 100)
      assert.isTrue(chatty.every((run) => Date.parse(run.scheduledAt) > seededChatty), "the chatty action's oldest record was trimmed")
      assert.isTrue(chatty.some((run) => run.outcome === "missed" && run.reason === "daemon-down"))
      const actions = (JSON.parse(status.stdout) as { actions: ReadonlyArray<{ name: string; lastOutcome: string }> }).actions
      assert.strictEqual(actions.find((action) => action.name === "daily")?.lastOutcome, "quiet", status.stdout)
    }).pipe(Effect.scoped), 90_000)
})
