import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as PidFile from "../../src/daemon/PidFile.js"
import { exited, runCli, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
import { assertNoStack } from "./SecurityKit.js"

const quietConfig = { heartbeat: { actions: [] }, channels: [] }

const write = (home: string, config: unknown) => fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config))

describe("files opened safely (issue 11.2)", () => {
  it.scoped("the PID file's temporary file never writes through a planted symlink", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      const victim = path.join(home, "victim")
      fs.writeFileSync(victim, "precious\n")
      // The name the old code used (PID-predictable), and a few more.
      for (const name of [`gateway.pid.${process.pid}.tmp`, "gateway.pid.tmp"]) fs.symlinkSync(victim, path.join(home, name))
      const stale = yield* PidFile.acquire(pidFile)
      assert.isTrue(Option.isNone(stale))
      assert.strictEqual(fs.readFileSync(victim, "utf8"), "precious\n")
      assert.strictEqual(JSON.parse(fs.readFileSync(pidFile, "utf8")).pid, process.pid)
      assert.isTrue(fs.lstatSync(path.join(home, `gateway.pid.${process.pid}.tmp`)).isSymbolicLink())
      assert.strictEqual(fs.statSync(pidFile).mode & 0o777, 0o600)
    }))

  it.live("the file channel and the log never append through a planted symlink", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const victim = path.join(home, "victim")
      fs.writeFileSync(victim, "precious\n")
      fs.symlinkSync(victim, path.join(home, "outbox.jsonl"))
      writeAction(home, "say.mjs", "say", `Effect.succeed({ shouldNotify: true, message: "hello" })`)
      write(home, { heartbeat: { actions: [{ name: "say", schedule: "@daily", module: "./say.mjs" }] }, channels: [{ type: "file", delivery: { retries: 0 } }] })
      const run = yield* runCli(home, ["heartbeat", "run", "say", "--json"])
      assert.include(run.stdout + run.stderr, "queued")
      assert.strictEqual(fs.readFileSync(victim, "utf8"), "precious\n")
      fs.mkdirSync(path.join(home, "logs"), { mode: 0o700 })
      fs.symlinkSync(victim, path.join(home, "logs/gateway.log"))
      const start = yield* runCli(home, ["daemon", "start"])
      assert.notStrictEqual(start.code, 0)
      assert.strictEqual(fs.readFileSync(victim, "utf8"), "precious\n")
    }).pipe(Effect.scoped), 60_000)

  it.live("a world- or group-writable AGENC_HOME, or a foreign-owned home or gateway.json, is refused (exit 78, naming the path)", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const file = path.join(home, "gateway.json")
      fs.chmodSync(home, 0o777)
      for (const args of [["config", "validate"], ["daemon", "start", "--foreground"], ["daemon", "start"]]) {
        const result = yield* runCli(home, args)
        assert.strictEqual(result.code, 78, `${args.join(" ")}: ${result.stdout}${result.stderr}`)
        assert.include(result.stderr, `${home} is writable by others`)
      }
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
      fs.chmodSync(home, 0o770)
      assert.include((yield* runCli(home, ["config", "validate"])).stderr, "writable by its group")
      fs.chmodSync(home, 0o700)
      fs.chmodSync(file, 0o666)
      const writable = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(writable.code, 78)
      assert.include(writable.stderr, `${file} is writable by others`)
      fs.chmodSync(file, 0o644)
      fs.chownSync(file, 4242, 4242)
      const foreign = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(foreign.code, 78)
      assert.include(foreign.stderr, `${file} is owned by uid 4242`)
      fs.chownSync(file, 0, 0)
      fs.chownSync(home, 4242, 4242)
      const foreignHome = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(foreignHome.code, 78)
      assert.include(foreignHome.stderr, `${home} is owned by uid 4242`)
      fs.chownSync(home, 0, 0)
      assert.strictEqual((yield* runCli(home, ["config", "validate"])).code, 0)
    }).pipe(Effect.scoped), 60_000)

  it.live("a module named by a foreign-owned config, or itself writable by others, never runs during config validate", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const marker = path.join(home, "module-ran")
      fs.writeFileSync(path.join(home, "evil.mjs"), `import * as fs from "node:fs"\nfs.writeFileSync(${JSON.stringify(marker)}, "ran")\nexport default { name: "evil", description: "x", execute: () => null }\n`)
      write(home, { heartbeat: { actions: [{ name: "evil", schedule: "@daily", module: "./evil.mjs", enabled: false }] }, channels: [] })
      fs.chownSync(path.join(home, "gateway.json"), 4242, 4242)
      const foreign = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(foreign.code, 78, foreign.stdout)
      assert.isFalse(fs.existsSync(marker), "the module ran")
      fs.chownSync(path.join(home, "gateway.json"), 0, 0)
      fs.chmodSync(path.join(home, "evil.mjs"), 0o646)
      const writable = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(writable.code, 78)
      assert.include(writable.stderr, "heartbeat.actions[0].module: ")
      assert.include(writable.stderr, "evil.mjs is writable by others")
      assert.isFalse(fs.existsSync(marker), "the module ran")
    }).pipe(Effect.scoped), 60_000)

  it.live("agenc.db, its WAL and SHM, the log and its folder are 0600/0700 even under umask 022; a 0644 gateway.json with literal secrets gets a warning", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      const db = path.join(home, "agenc.db")
      for (const file of [db, `${db}-wal`, `${db}-shm`, path.join(home, "gateway.pid"), path.join(home, "daemon.json"), path.join(home, "gateway.sock")]) {
        assert.strictEqual((fs.statSync(file).mode & 0o777).toString(8), "600", file)
      }
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      const started = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(started.code, 0, started.stderr)
      assert.strictEqual((yield* runCli(home, ["daemon", "stop"])).code, 0)
      assert.strictEqual((fs.statSync(path.join(home, "logs/gateway.log")).mode & 0o777).toString(8), "600")
      assert.strictEqual((fs.statSync(path.join(home, "logs")).mode & 0o777).toString(8), "700")

      write(home, { channels: [{ type: "webhook", url: "http://127.0.0.1:9/hook?token=literal-secret-1" }] })
      fs.chmodSync(path.join(home, "gateway.json"), 0o644)
      const warned = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(warned.code, 0, warned.stderr)
      assert.strictEqual(warned.stdout.trim(), "ok")
      assert.match(warned.stderr, /^agenc: warning: .*gateway\.json: holds secrets and is readable by others/m)
      fs.chmodSync(path.join(home, "gateway.json"), 0o600)
      assert.strictEqual((yield* runCli(home, ["config", "validate"])).stderr, "")
    }).pipe(Effect.scoped), 60_000)
})

describe("paths that cannot collide (issue 11.3)", () => {
  it.live("pidFile, socket, log and file-channel paths may not be gateway.json, agenc.db or each other; a socket path holding a file is never deleted", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ daemon: { pidFile: "gateway.json" } }, "daemon.pidFile: "],
        [{ daemon: { pidFile: "x.pid", socket: "x.pid" } }, "daemon.socket: "],
        [{ channels: [{ type: "file", path: "agenc.db" }] }, "channels[0].path: "],
        [{ channels: [{ type: "file", path: "agenc.db-wal" }] }, "channels[0].path: "],
        [{ daemon: { logFile: "gateway.pid" } }, "daemon.logFile: "],
        [{ daemon: { socket: "notes.txt" } }, "daemon.socket: "]
      ]
      fs.writeFileSync(path.join(home, "notes.txt"), "keep me\n")
      for (const [config, expected] of cases) {
        write(home, config)
        const before = fs.readFileSync(path.join(home, "gateway.json"), "utf8")
        for (const args of [["config", "validate"], ["daemon", "start", "--foreground"]]) {
          const result = yield* runCli(home, args)
          assert.strictEqual(result.code, 78, `${JSON.stringify(config)} ${args.join(" ")}: ${result.stderr}`)
          assert.include(result.stderr, expected)
        }
        assert.strictEqual(fs.readFileSync(path.join(home, "gateway.json"), "utf8"), before)
      }
      assert.strictEqual(fs.readFileSync(path.join(home, "notes.txt"), "utf8"), "keep me\n")
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
    }).pipe(Effect.scoped), 90_000)

  it.live("an AGENC_HOME over 100 characters starts, answers status and stops (socket through a short stand-in)", () =>
    Effect.gen(function*() {
      const base = yield* tempHome(quietConfig)
      const home = path.join(base, "a-container-volume-path".padEnd(110 - base.length, "x"))
      assert.isAbove(home.length, 100)
      fs.mkdirSync(home, { mode: 0o700 })
      write(home, quietConfig)
      const started = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(started.code, 0, started.stderr)
      assert.isTrue(assertNoStack(started.stderr))
      const pid = Number(started.stdout.trim())
      yield* Effect.addFinalizer(() => Effect.sync(() => { try { process.kill(pid, "SIGKILL") } catch { /* gone */ } }))
      const status = yield* runCli(home, ["daemon", "status", "--json"])
      assert.strictEqual(status.code, 0, status.stderr)
      assert.strictEqual(JSON.parse(status.stdout).pid, pid)
      const stopped = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stopped.code, 0, stopped.stderr)
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
      assert.deepStrictEqual(fs.readdirSync(home).filter((name) => name.startsWith("gatew") && name !== "gateway.json"), [], "no truncated socket name")
    }).pipe(Effect.scoped), 60_000)
})

describe("values that validate but do harm, odd input (issue 11.5, 11 'Crashes')", () => {
  it.live("each harmful value is rejected with its JSON path and the allowed range", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const hook = (extra: Record<string, unknown>) => ({ channels: [{ type: "webhook", url: "http://127.0.0.1:9/hook", ...extra }] })
      delete process.env.AGENC_TEST_UNSET_SECRET
      const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
        [hook({ delivery: { backoff: 0 } }), /^agenc: channels\[0\]\.delivery\.backoff: must be between 10ms and 24\.8d/m],
        [hook({ timeout: 0 }), /^agenc: channels\[0\]\.timeout: must be between 10ms and 24\.8d/m],
        [hook({ delivery: { expireAfter: 0 } }), /^agenc: channels\[0\]\.delivery\.expireAfter: must be at least 100ms/m],
        [hook({ headers: { "X-Evil\r\nInjected": "1" } }), /^agenc: channels\[0\]\.headers\["X-Evil\\r\\nInjected"\]: not a header name/m],
        [hook({ headers: { "X-Trace": "a\r\nInjected: 1" } }), /^agenc: channels\[0\]\.headers\.X-Trace: not a header value/m],
        [{ channels: [{ type: "webhook", url: "not a url" }] }, /^agenc: channels\[0\]\.url: not an http\(s\) URL/m],
        [{ channels: [{ type: "webhook", url: { env: "AGENC_TEST_UNSET_SECRET" } }] }, /^agenc: channels\[0\]\.url: environment variable AGENC_TEST_UNSET_SECRET is not set/m],
        [{ heartbeat: { actions: [{ name: "task-scan", schedule: "@daily", timeout: 0 }] } }, /^agenc: heartbeat\.actions\[0\]\.timeout: must be between 10ms/m],
        [{ daemon: { watchdogInterval: 0 } }, /^agenc: daemon\.watchdogInterval: must be between 1s and 24\.8d/m],
        [{ daemon: { shutdownGrace: "24.9d" } }, /^agenc: daemon\.shutdownGrace: must be between 0ms and/m],
        [{ heartbeat: { actions: [{ name: "task-scan", schedule: "@daily", config: { __proto__: 1 } }] } }, /^agenc: heartbeat\.actions\[0\]\.config\.__proto__: the key "__proto__" is not allowed/m],
        [{ heartbeat: { actions: [{ name: "task-scan", schedule: "@daily", config: { constructor: { prototype: 1 } } }] } }, /^agenc: heartbeat\.actions\[0\]\.config\.constructor: /m],
        [{ heartbeat: { actions: [{ name: "x", schedule: "@every 200000000d" }] } }, /^agenc: heartbeat\.actions\[0\]\.schedule: .*at most 100000000d/m],
        [{ heartbeat: { actions: [{ name: "task-scan", schedule: "@daily", channels: ["nowhere"] }] } }, /^agenc: heartbeat\.actions\[0\]\.channels\[0\]: no channel named "nowhere"/m],
        [{ heartbeat: { actions: [{ name: "task-scan", schedule: "@daily", enabled: false, config: { minReward: "lots" } }] } }, /^agenc: heartbeat\.actions\[0\]\.config\.minReward/m]
      ]
      for (const [config, expected] of cases) {
        // JSON.stringify drops a literal __proto__ key: write the text by hand.
        const text = JSON.stringify(config).replace('"config":{}', '"config":{"__proto__":1}')
        fs.writeFileSync(path.join(home, "gateway.json"), text)
        const result = yield* runCli(home, ["config", "validate"])
        assert.strictEqual(result.code, 78, `${text}: ${result.stdout}${result.stderr}`)
        assert.match(result.stderr, expected, text)
        assert.isTrue(assertNoStack(result.stderr), result.stderr)
      }
    }).pipe(Effect.scoped), 120_000)

  it.live("no crash on odd input: huge @every, --from at the end of dates, 10,000-deep nesting; a BOM is fine", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const every = yield* runCli(home, ["cron", "next", "@every 100000000d"])
      assert.strictEqual(every.code, 0, every.stderr)
      assert.strictEqual(every.stdout.trim(), "+275760-09-13T00:00:00.000Z")
      const from = yield* runCli(home, ["cron", "next", "@daily", "--from", "+275760-09-13T00:00:00.000Z"])
      assert.strictEqual(from.code, 2, from.stderr)
      assert.match(from.stderr, /^agenc: --from: /m)
      assert.isTrue(assertNoStack(every.stderr + from.stderr))

      write(home, { heartbeat: { actions: [{ name: "x", schedule: "@every 200000000d" }] } })
      const list = yield* runCli(home, ["heartbeat", "list"])
      assert.strictEqual(list.code, 78, list.stderr)
      assert.isTrue(assertNoStack(list.stderr))

      fs.writeFileSync(path.join(home, "gateway.json"), `{"heartbeat":{"actions":[{"name":"x","schedule":"@daily","config":{"a":${"[".repeat(10_000)}1${"]".repeat(10_000)}}}]}}`)
      const deep = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(deep.code, 78, deep.stderr.slice(0, 500))
      assert.match(deep.stderr, /^agenc: heartbeat\.actions\[0\]\.config\.a(\[0\])+: nested deeper than 64 levels$/m)
      assert.isTrue(assertNoStack(deep.stderr))

      fs.writeFileSync(path.join(home, "gateway.json"), "\ufeff" + JSON.stringify(quietConfig))
      const bom = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(bom.code, 0, bom.stderr)
    }).pipe(Effect.scoped), 60_000)
})

describe("validate means it (issue 19.1)", () => {
  it.live("the README's Slack example with SLACK_WEBHOOK_URL unset, a non-http URL and a disabled custom action's bad module all fail validate as they would fail start", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      write(home, { channels: [{ type: "slack", url: { env: "SLACK_WEBHOOK_URL" } }] })
      const unset = yield* runCli(home, ["config", "validate"], { SLACK_WEBHOOK_URL: "" })
      assert.strictEqual(unset.code, 78)
      assert.strictEqual(unset.stderr.trim(), "agenc: channels[0].url: environment variable SLACK_WEBHOOK_URL is not set")
      const start = yield* runCli(home, ["daemon", "start", "--foreground"], { SLACK_WEBHOOK_URL: "" })
      assert.strictEqual(start.code, 78)
      const ftp = yield* runCli(home, ["config", "validate"], { SLACK_WEBHOOK_URL: "ftp://example.com/x" })
      assert.strictEqual(ftp.code, 78)
      assert.include(ftp.stderr, "channels[0].url: not an http(s) URL")
      const ok = yield* runCli(home, ["config", "validate"], { SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/X" })
      assert.strictEqual(ok.code, 0, ok.stderr)

      writeAction(home, "broken.mjs", "broken", "Effect.succeed(null)")
      fs.appendFileSync(path.join(home, "broken.mjs"), "this is not javascript\n")
      write(home, { heartbeat: { actions: [{ name: "broken", schedule: "@daily", module: "./broken.mjs", enabled: false }] }, channels: [] })
      const disabled = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(disabled.code, 78)
      assert.match(disabled.stderr, /^agenc: heartbeat\.actions\[0\]\.module: module .*broken\.mjs failed to load/m)
    }).pipe(Effect.scoped), 60_000)
})
