import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCli, tempDir, tempHome } from "../layers/CliProcess.js"

describe("agenc cron next", () => {
  it.live("prints N instants, ISO-8601 UTC with milliseconds, one per line", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const result = yield* runCli(home, ["cron", "next", "30 2 * * *", "--count", "3", "--tz", "America/New_York", "--from", "2026-03-07T00:00:00Z"])
      assert.strictEqual(result.code, 0)
      assert.strictEqual(result.stdout, "2026-03-07T07:30:00.000Z\n2026-03-08T07:00:00.000Z\n2026-03-09T06:30:00.000Z\n")
      const seconds = yield* runCli(home, ["cron", "next", "*/20 * * * * *", "--count", "2", "--from", "2026-01-01T00:00:00.000Z"])
      assert.strictEqual(seconds.stdout, "2026-01-01T00:00:20.000Z\n2026-01-01T00:00:40.000Z\n")
    }).pipe(Effect.scoped))

  it.live("an invalid or never-matching expression exits 2 with a one-line reason", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      for (const [expr, reason] of [["0 0 31 2 *", "never matches"], ["* * *", "invalid number of segments"], ["@sometimes", "unknown nickname"]]) {
        const result = yield* runCli(home, ["cron", "next", expr!])
        assert.strictEqual(result.code, 2, expr)
        assert.strictEqual(result.stdout, "")
        assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr)
        assert.include(result.stderr, reason!)
      }
      const zone = yield* runCli(home, ["cron", "next", "@daily", "--tz", "Mars/Olympus"])
      assert.strictEqual(zone.code, 2)
      assert.include(zone.stderr, "unknown time zone \"Mars/Olympus\"")
      assert.isFalse(fs.existsSync(path.join(home, "agenc.db")), "cron next touches no state")
    }).pipe(Effect.scoped))
})

describe("agenc config", () => {
  it.live("validate: ok and exit 0, or the JSON path and reason with exit 78", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "task-scan", schedule: "*/5 * * * *" }] } })
      const ok = yield* runCli(home, ["config", "validate"])
      assert.deepStrictEqual([ok.code, ok.stdout], [0, "ok\n"])
      const bad = path.join(home, "bad.json")
      fs.writeFileSync(bad, JSON.stringify({ heartbeat: { actions: [{ name: "a", schedule: "@daily", module: "./a.mjs" }, { name: "b", schedule: "0 0 31 2 *" }] } }))
      const invalid = yield* runCli(home, ["config", "validate", "--config", bad])
      assert.strictEqual(invalid.code, 78)
      assert.strictEqual(invalid.stderr, "agenc: heartbeat.actions[1].schedule: \"0 0 31 2 *\" never matches\n")
      fs.writeFileSync(bad, "{ not json")
      const garbled = yield* runCli(home, ["config", "validate", "--config", bad])
      assert.strictEqual(garbled.code, 78)
      assert.include(garbled.stderr, "not valid JSON")
      const missing = yield* runCli(home, ["config", "validate", "--config", path.join(home, "nope.json")])
      assert.strictEqual(missing.code, 78)
      assert.include(missing.stderr, "no such file")
    }).pipe(Effect.scoped))

  it.live("init writes the defaults once and refuses to overwrite; show redacts secrets", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const init = yield* runCli(home, ["config", "init"])
      assert.strictEqual(init.code, 0)
      const file = path.join(home, "gateway.json")
      const written = JSON.parse(fs.readFileSync(file, "utf8"))
      assert.deepStrictEqual(written.heartbeat.actions.map((a: { name: string }) => a.name), ["task-scan", "daily-summary", "portfolio-monitor"])
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      fs.appendFileSync(file, "\n")
      const again = yield* runCli(home, ["config", "init"])
      assert.strictEqual(again.code, 1)
      assert.include(again.stderr, "already exists")
      assert.isTrue(fs.readFileSync(file, "utf8").endsWith("\n\n"), "the existing file is untouched")

      fs.writeFileSync(file, JSON.stringify({
        channels: [{ type: "webhook", url: "https://hooks.example.test/T0KEN-SECRET", secret: "hmac-SECRET" }]
      }))
      const show = yield* runCli(home, ["config", "show"])
      assert.strictEqual(show.code, 0, show.stderr)
      assert.notInclude(show.stdout, "SECRET")
      assert.include(show.stdout, "<redacted>")
      assert.strictEqual(JSON.parse(show.stdout).heartbeat.timezone, "UTC")
    }).pipe(Effect.scoped))

  it.live("schema prints a JSON Schema derived from the config schema", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const result = yield* runCli(home, ["config", "schema"])
      assert.strictEqual(result.code, 0)
      const schema = JSON.parse(result.stdout)
      assert.strictEqual(schema.$schema, "http://json-schema.org/draft-07/schema#")
      assert.includeMembers(Object.keys(schema.properties), ["heartbeat", "channels", "runtime", "daemon", "log"])
    }).pipe(Effect.scoped))
})

describe("agenc heartbeat list", () => {
  it.live("lists each action with its schedule, time zone and next run", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({
        heartbeat: {
          timezone: "Europe/Berlin",
          actions: [{ name: "task-scan", schedule: "*/5 * * * *" }, { name: "daily-summary", schedule: "0 9 * * *", timezone: "America/New_York" }]
        }
      })
      const result = yield* runCli(home, ["heartbeat", "list", "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      const rows = JSON.parse(result.stdout) as Array<{ name: string; schedule: string; timezone: string; nextRunAt: string }>
      assert.deepStrictEqual(rows.map((r) => [r.name, r.schedule, r.timezone]), [
        ["task-scan", "*/5 * * * *", "Europe/Berlin"],
        ["daily-summary", "0 9 * * *", "America/New_York"]
      ])
      for (const row of rows) assert.isTrue(Date.parse(row.nextRunAt) > Date.now() - 1_000)
      const table = yield* runCli(home, ["heartbeat", "list"])
      assert.match(table.stdout.split("\n")[0]!, /^NAME\s+SCHEDULE\s+TIMEZONE\s+NEXT RUN\s+LAST OUTCOME\s+MISSED 24H\s+SKIPPED 24H\s+PAUSED$/)
      assert.deepStrictEqual(rows.map((r) => [(r as { lastOutcome?: unknown }).lastOutcome, (r as { missed24h?: unknown }).missed24h]), [[null, 0], [null, 0]])
    }).pipe(Effect.scoped))
})

describe("agenc", () => {
  it.live("--version and --help; a bad value exits 2", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const version = yield* runCli(home, ["--version"])
      assert.strictEqual(version.code, 0)
      assert.include(version.stdout, JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")).version)
      const help = yield* runCli(home, ["--help"])
      assert.strictEqual(help.code, 0)
      for (const command of ["daemon", "heartbeat", "tasks", "cron", "config"]) assert.include(help.stdout, command)
      const bad = yield* runCli(home, ["cron", "next", "@daily", "--count", "many"])
      assert.strictEqual(bad.code, 2)
    }).pipe(Effect.scoped))
})
