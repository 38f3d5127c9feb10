import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCli, tempHome, waitReady } from "../layers/CliProcess.js"

/** The README's Slack channel, with its secret from the environment. */
const readmeSlack = { type: "slack", url: { env: "SLACK_WEBHOOK_URL" } }
const action = { name: "task-scan", schedule: "0 9 * * *" }
/** The environment of a user who has not exported the secret. */
const unset = { SLACK_WEBHOOK_URL: "" }

describe("config validate runs every check daemon start runs (issue 19, first bullet)", () => {
  it.live("rejects what the daemon would reject: one line with the JSON path, exit 78", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({})
      const file = path.join(home, "gateway.json")
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ heartbeat: { actions: [action] }, channels: [{ type: "console" }, readmeSlack] }, "channels[1].url: environment variable SLACK_WEBHOOK_URL is not set"],
        [{ channels: [{ type: "webhook", url: "ftp://example.com/hook" }] }, "channels[0].url: not an http(s) URL"],
        [{ heartbeat: { actions: [{ ...action, channels: ["nowhere"] }] }, channels: [{ type: "console" }] }, "heartbeat.actions[0].channels[0]: no channel named \"nowhere\" (configured: console)"],
        [{ heartbeat: { actions: [{ ...action, enabled: false, config: { minReward: "lots" } }] } }, "heartbeat.actions[0].config.minReward: \"lots\" is not a non-negative integer"]
      ]
      for (const [config, line] of cases) {
        fs.writeFileSync(file, JSON.stringify(config))
        const result = yield* runCli(home, ["config", "validate"], unset)
        assert.strictEqual(result.code, 78, `${JSON.stringify(config)}: ${result.stderr}`)
        assert.strictEqual(result.stderr, `agenc: ${line}\n`)
        assert.strictEqual(result.stdout, "", "no ok")
      }
    }).pipe(Effect.scoped), 120_000)

  it.live("disabled actions are checked and still listed by heartbeat list, marked disabled", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [action, { name: "daily-summary", schedule: "0 9 * * *", enabled: false }] } })
      const listed = yield* runCli(home, ["heartbeat", "list", "--json"])
      assert.strictEqual(listed.code, 0, listed.stderr)
      const rows = JSON.parse(listed.stdout) as ReadonlyArray<{ name: string; enabled: boolean; nextRunAt: string | null }>
      assert.deepStrictEqual(rows.map((row) => [row.name, row.enabled, row.nextRunAt === null]), [["task-scan", true, false], ["daily-summary", false, true]])
      const table = yield* runCli(home, ["heartbeat", "list"])
      assert.match(table.stdout, /^daily-summary +0 9 \* \* \* +UTC +disabled /m)
    }).pipe(Effect.scoped), 60_000)

  it.live("daemon reload and restart validate first: an invalid new file is exit 78, the running daemon untouched", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [action] }, channels: [{ type: "console" }] })
      const started = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(started.code, 0, started.stderr)
      const pid = Number(started.stdout.trim().split("\n").at(-1))
      yield* Effect.addFinalizer(() => runCli(home, ["daemon", "stop"]).pipe(Effect.ignore))
      yield* waitReady(home)
      // The README's channels, with SLACK_WEBHOOK_URL not exported.
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({ heartbeat: { actions: [action] }, channels: [{ type: "console" }, readmeSlack] }))
      for (const command of ["reload", "restart"]) {
        const result = yield* runCli(home, ["daemon", command], unset)
        assert.strictEqual(result.code, 78, `${command}: ${result.stderr}`)
        assert.strictEqual(result.stderr, "agenc: channels[1].url: environment variable SLACK_WEBHOOK_URL is not set\n", command)
        assert.notInclude(result.stdout, "reload requested")
        const status = yield* runCli(home, ["daemon", "status", "--json"], unset)
        const report = JSON.parse(status.stdout) as { state: string; pid: number }
        assert.deepStrictEqual([report.state, report.pid], ["running", pid], `after ${command}: the same daemon still runs`)
      }
    }).pipe(Effect.scoped), 120_000)
})
