import { assert, describe, it } from "@effect/vitest"
import Sqlite from "better-sqlite3"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCli, tempHome } from "../layers/CliProcess.js"

const taskScanHome = (extra: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    // The default channels: console and file.
    const home = yield* tempHome({ heartbeat: { actions: [{ name: "task-scan", schedule: "*/5 * * * *" }] }, ...extra })
    const added = yield* runCli(home, ["tasks", "add", "--reward", "1500000000", "--capabilities", "3", "--description", "label images"])
    assert.strictEqual(added.code, 0, added.stderr)
    return home
  })

const count = (text: string, needle: string) => text.split(needle).length - 1

describe("clean streams", () => {
  it.live("heartbeat run --json: stdout is exactly one JSON document; the console channel's line goes to stderr", () =>
    Effect.gen(function*() {
      const home = yield* taskScanHome()
      const result = yield* runCli(home, ["heartbeat", "run", "task-scan", "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      const document = JSON.parse(result.stdout) as { outcome: string; message: string }
      assert.strictEqual(document.outcome, "notified")
      assert.include(result.stderr, "task-scan: Found 1 new task matching your capabilities")
      assert.notInclude(result.stdout, "task-scan: Found", "the console channel wrote nothing on stdout")
    }).pipe(Effect.scoped), 60_000)

  it.live("heartbeat run prints the message once, and no INFO log lines by default", () =>
    Effect.gen(function*() {
      const home = yield* taskScanHome()
      const result = yield* runCli(home, ["heartbeat", "run", "task-scan"])
      assert.strictEqual(result.code, 0, result.stderr)
      assert.strictEqual(count(result.stdout + result.stderr, "Found 1 new task matching your capabilities"), 1, result.stdout + result.stderr)
      assert.notMatch(result.stderr, /"logLevel":"INFO"|INFO/)
      assert.match(result.stdout, /-> console: delivered\n\s+-> file: delivered/)
    }).pipe(Effect.scoped), 60_000)

  it.live("--log-level works on every command, with one set of names (warn is warning); logs go to stderr", () =>
    Effect.gen(function*() {
      const home = yield* taskScanHome({ log: { level: "warn", format: "json" } })
      const validate = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(validate.code, 0, `log.level "warn" is accepted: ${validate.stderr}`)
      const debug = yield* runCli(home, ["heartbeat", "run", "task-scan", "--json", "--log-level", "debug"])
      assert.strictEqual(debug.code, 0, debug.stderr)
      JSON.parse(debug.stdout)
      assert.include(debug.stderr, `"message":"run notified"`, "the debug line of the run is shown")
      const error = yield* runCli(home, ["heartbeat", "run", "task-scan", "--log-level=error"])
      assert.strictEqual(error.code, 0)
      assert.notInclude(error.stderr, `"logLevel"`)
      for (const args of [["tasks", "list", "--log-level", "warn"], ["heartbeat", "list", "--log-level", "trace"], ["--log-level", "info", "cron", "next", "@daily"]]) {
        const result = yield* runCli(home, args)
        assert.strictEqual(result.code, 0, `${args.join(" ")}: ${result.stderr}`)
      }
      const bad = yield* runCli(home, ["tasks", "list", "--log-level", "fatal"])
      assert.strictEqual(bad.code, 2)
      assert.strictEqual(bad.stderr, `agenc: --log-level: "fatal" is not a level (trace, debug, info, warn, error)\n`)
    }).pipe(Effect.scoped), 120_000)
})

describe("heartbeat run --dry-run", () => {
  it.live("writes nothing (no session update, no ledger record, no delivery) and says what it would send", () =>
    Effect.gen(function*() {
      const home = yield* taskScanHome()
      const db = path.join(home, "agenc.db")
      const before = new Sqlite(db, { readonly: true })
      const sessions = before.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }
      before.close()
      const dry = yield* runCli(home, ["heartbeat", "run", "task-scan", "--dry-run"])
      assert.strictEqual(dry.code, 0, dry.stderr)
      assert.isTrue(dry.stdout.startsWith("dry run: would send to console, file:\nFound 1 new task matching your capabilities\n- #1"), dry.stdout)
      assert.notInclude(dry.stderr, "Found 1 new task", "the console channel delivered nothing")
      assert.isFalse(fs.existsSync(path.join(home, "outbox.jsonl")), "the file channel delivered nothing")
      const after = new Sqlite(db, { readonly: true })
      assert.deepStrictEqual(after.prepare("SELECT count(*) AS n FROM sessions").get(), sessions)
      assert.deepStrictEqual(after.prepare("SELECT count(*) AS n FROM runs").get(), { n: 0 })
      assert.deepStrictEqual(after.prepare("SELECT count(*) AS n FROM outbox").get(), { n: 0 })
      after.close()
      const json = yield* runCli(home, ["heartbeat", "run", "task-scan", "--dry-run", "--json"])
      const document = JSON.parse(json.stdout) as { dryRun: boolean; wouldSendTo: Array<string>; deliveries: Array<unknown> }
      assert.deepStrictEqual([document.dryRun, document.wouldSendTo, document.deliveries], [true, ["console", "file"], []])
      // The notification is still there for the real run.
      const real = yield* runCli(home, ["heartbeat", "run", "task-scan", "--json"])
      assert.strictEqual((JSON.parse(real.stdout) as { outcome: string }).outcome, "notified")
    }).pipe(Effect.scoped), 60_000)

  it.live("creates neither the home nor agenc.db: a missing home reads as empty", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "daily-summary", schedule: "0 9 * * *" }] } })
      const dry = yield* runCli(home, ["heartbeat", "run", "daily-summary", "--dry-run", "--json"])
      assert.strictEqual(dry.code, 0, dry.stderr)
      assert.isTrue((JSON.parse(dry.stdout) as { dryRun: boolean }).dryRun)
      assert.deepStrictEqual(fs.readdirSync(home), ["gateway.json"], "nothing written beside the config")
      const absent = path.join(home, "absent")
      const elsewhere = yield* runCli(absent, ["heartbeat", "run", "daily-summary", "--dry-run", "--config", path.join(home, "gateway.json")])
      assert.strictEqual(elsewhere.code, 0, elsewhere.stderr)
      assert.isFalse(fs.existsSync(absent), "the home was not created")
    }).pipe(Effect.scoped), 60_000)
})
