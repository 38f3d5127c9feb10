import { assert, describe, it } from "@effect/vitest"
import Sqlite from "better-sqlite3"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { cliJs, runCli, runWrapped, tempDir, tempHome } from "../layers/CliProcess.js"

/** The commands that only read; none may create or change anything. Each with its exit code on a stopped daemon. */
const readOnlyCommands: ReadonlyArray<readonly [ReadonlyArray<string>, number]> = [
  [["daemon", "status"], 3],
  [["daemon", "status", "--json"], 3],
  [["heartbeat", "list"], 0],
  [["heartbeat", "list", "--json"], 0],
  [["heartbeat", "next"], 0],
  [["heartbeat", "runs"], 0],
  [["heartbeat", "runs", "--json"], 0],
  [["config", "show"], 0]
]

/** Runs the CLI with `home` bind-mounted read-only over itself, in a private mount namespace (root ignores modes, not `ro`). */
const runOnReadOnlyMount = (home: string, args: ReadonlyArray<string>) =>
  runWrapped(home, "unshare", ["-m", "sh", "-c", `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"`, "sh", home, process.execPath, cliJs, ...args])

/** Runs the CLI as `nobody` (the tests run as root, who may read and write anything). */
const runAsNobody = (home: string, args: ReadonlyArray<string>) =>
  runWrapped(home, "setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, cliJs, ...args])

/** The home's files and their contents, to show that nothing changed. */
const snapshot = (home: string) =>
  Object.fromEntries(fs.readdirSync(home).sort().map((name) => [name, fs.readFileSync(path.join(home, name)).toString("base64")]))

const config = { heartbeat: { actions: [{ name: "task-scan", schedule: "*/5 * * * *", timezone: "Europe/Berlin" }] } }

describe("read-only commands", () => {
  it.live("never create $AGENC_HOME or agenc.db: a missing home reads as empty and stopped", () =>
    Effect.gen(function*() {
      const base = yield* tempDir
      const home = path.join(base, "absent")
      for (const [args, code] of readOnlyCommands) {
        const result = yield* runCli(home, args)
        assert.strictEqual(result.code, code, `${args.join(" ")}: ${result.stderr}`)
        assert.isFalse(fs.existsSync(home), `${args.join(" ")} created ${home}`)
      }
      assert.deepStrictEqual(JSON.parse((yield* runCli(home, ["heartbeat", "runs", "--json"])).stdout), [])
      const status = JSON.parse((yield* runCli(home, ["daemon", "status", "--json"])).stdout)
      assert.deepStrictEqual([status.state, status.restarts, status.lastCrash], ["stopped", 0, null])
    }).pipe(Effect.scoped), 120_000)

  it.live("work on a read-only home (a read-only mount) and change nothing in it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(config)
      const ran = yield* runCli(home, ["heartbeat", "run", "task-scan"])
      assert.strictEqual(ran.code, 0, ran.stderr)
      const before = snapshot(home)
      assert.deepStrictEqual(Object.keys(before), ["agenc.db", "gateway.json"], "the writer closed cleanly: no -wal or -shm left")
      for (const [args, code] of readOnlyCommands) {
        const result = yield* runOnReadOnlyMount(home, args)
        assert.strictEqual(result.code, code, `${args.join(" ")}: ${result.stderr}`)
        assert.notInclude(result.stderr, "readonly", `${args.join(" ")}: ${result.stderr}`)
      }
      const runs = JSON.parse((yield* runOnReadOnlyMount(home, ["heartbeat", "runs", "--json"])).stdout) as Array<{ action: string; trigger: string }>
      assert.deepStrictEqual(runs.map((run) => [run.action, run.trigger]), [["task-scan", "manual"]], "the ledger is read, not an empty stand-in")
      const list = JSON.parse((yield* runOnReadOnlyMount(home, ["heartbeat", "list", "--json"])).stdout) as Array<{ lastOutcome: string | null }>
      assert.isNotNull(list[0]!.lastOutcome)
      assert.deepStrictEqual(snapshot(home), before)
    }).pipe(Effect.scoped), 180_000)

  it.live("work for another user who may read but not write the home", () =>
    Effect.gen(function*() {
      const base = yield* tempDir
      fs.chmodSync(base, 0o755)
      const home = path.join(base, "home")
      fs.mkdirSync(home, { mode: 0o755 })
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config))
      assert.strictEqual((yield* runCli(home, ["heartbeat", "run", "task-scan"])).code, 0)
      fs.chmodSync(home, 0o755)
      for (const name of fs.readdirSync(home)) fs.chmodSync(path.join(home, name), 0o644)
      const before = snapshot(home)
      const result = yield* runAsNobody(home, ["heartbeat", "runs", "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      assert.strictEqual((JSON.parse(result.stdout) as Array<unknown>).length, 1)
      for (const [args, code] of readOnlyCommands) {
        const other = yield* runAsNobody(home, args)
        assert.strictEqual(other.code, code, `${args.join(" ")}: ${other.stderr}`)
      }
      assert.deepStrictEqual(snapshot(home), before)
      // A database this user may not even read (agenc makes it 0600): one line naming it and its owner, exit 77.
      fs.chmodSync(path.join(home, "agenc.db"), 0o600)
      for (const args of [["daemon", "status"], ["heartbeat", "runs"]]) {
        const denied = yield* runAsNobody(home, args)
        assert.strictEqual(denied.code, 77, denied.stderr)
        assert.strictEqual(denied.stderr, `agenc: cannot read ${path.join(home, "agenc.db")}: permission denied (owned by uid 0, this is uid 65534)\n`)
      }
    }).pipe(Effect.scoped), 120_000)

  it.live("a database from an older agenc: one line naming it, nothing changed", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(config)
      assert.strictEqual((yield* runCli(home, ["heartbeat", "run", "task-scan"])).code, 0)
      const db = new Sqlite(path.join(home, "agenc.db"))
      db.exec("DELETE FROM effect_sql_migrations WHERE migration_id = (SELECT MAX(migration_id) FROM effect_sql_migrations)")
      db.close()
      const before = snapshot(home)
      const result = yield* runOnReadOnlyMount(home, ["heartbeat", "runs"])
      assert.strictEqual(result.code, 1, result.stderr)
      assert.strictEqual(result.stderr.split("\n").length, 2, result.stderr)
      assert.match(result.stderr, /^agenc: .*agenc\.db has the schema of an older agenc/)
      assert.deepStrictEqual(snapshot(home), before)
    }).pipe(Effect.scoped), 120_000)
})
