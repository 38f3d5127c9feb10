import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { cliJs, runCli, runWrapped, tempDir } from "../layers/CliProcess.js"

/** Runs the CLI as `nobody` (the tests run as root, who may write anything), killed after 30 s. */
const runAsNobody = (home: string, args: ReadonlyArray<string>) => runWrapped(home, process.execPath, [cliJs, ...args], { uid: 65534, gid: 65534 })

const oneLine = (stderr: string) => {
  assert.strictEqual(stderr.split("\n").length, 2, stderr)
  assert.isTrue(stderr.startsWith("agenc: "), stderr)
  assert.notInclude(stderr, "    at ", "no stack trace")
}

describe("failures around the home", () => {
  it.live("AGENC_HOME=/proc/x: exits 73 with one line naming it, instead of spinning", () =>
    Effect.gen(function*() {
      for (const args of [["tasks", "list"], ["heartbeat", "run", "task-scan"]]) {
        const result = yield* runCli("/proc/x", args)
        assert.strictEqual(result.code, 73, `${args.join(" ")}: ${result.stderr}`)
        oneLine(result.stderr)
        assert.include(result.stderr, "cannot create /proc/x")
      }
    }), 120_000)

  it.live("an unwritable home: exit 77, one line naming the folder and its owner", () =>
    Effect.gen(function*() {
      const base = yield* tempDir
      fs.chmodSync(base, 0o755)
      const home = path.join(base, "home")
      fs.mkdirSync(home, { mode: 0o755 })
      for (const args of [["tasks", "list"], ["heartbeat", "run", "task-scan"]]) {
        const result = yield* runAsNobody(home, args)
        assert.strictEqual(result.code, 77, `${args.join(" ")}: ${result.stderr}`)
        oneLine(result.stderr)
        assert.include(result.stderr, `cannot write ${home}: permission denied (owned by uid 0, this is uid 65534)`)
      }
    }).pipe(Effect.scoped), 120_000)

  it.live("agenc.db owned by someone else: exit 77 naming the database, nothing changed", () =>
    Effect.gen(function*() {
      const base = yield* tempDir
      fs.chmodSync(base, 0o755)
      const home = path.join(base, "home")
      fs.mkdirSync(home, { mode: 0o777 })
      fs.chmodSync(home, 0o777)
      const made = yield* runCli(home, ["tasks", "add", "--reward", "5", "--capabilities", "1"])
      assert.strictEqual(made.code, 0, made.stderr)
      const db = path.join(home, "agenc.db")
      const before = fs.readFileSync(db)
      const result = yield* runAsNobody(home, ["tasks", "list"])
      assert.strictEqual(result.code, 77, result.stderr)
      oneLine(result.stderr)
      assert.include(result.stderr, `cannot write ${db}: permission denied (owned by uid 0, this is uid 65534)`)
      assert.deepStrictEqual(fs.readFileSync(db), before)
    }).pipe(Effect.scoped), 120_000)
})
