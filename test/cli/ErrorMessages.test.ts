import { SqlError } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Either } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { CliError } from "../../src/cli/CliError.js"
import { ControlError } from "../../src/daemon/ControlClient.js"
import { StartFailedError } from "../../src/daemon/DaemonControl.js"
import { AlreadyRunningError, PidFileError } from "../../src/daemon/PidFile.js"
import { SupervisorError } from "../../src/daemon/Supervisor.js"
import { ConfigError } from "../../src/domain/ConfigError.js"
import { ComposedActionError } from "../../src/heartbeat/Action.js"
import { ActionConfigError } from "../../src/heartbeat/actions/ActionConfigError.js"
import { describeError } from "../../src/domain/DescribeError.js"
import { DecodeError, LedgerError, LedgerRuleError, NotFoundError, RpcError } from "../../src/services/AgentRuntime.js"
import { DeliveryError } from "../../src/services/Gateway.js"
import { HomeError } from "../../src/layers/HomeAccess.js"
import { loadConfig } from "../../src/layers/AppConfigFile.js"
import { ActionBusyError, UnknownActionError } from "../../src/services/Scheduler.js"
import { StateError } from "../../src/services/StateStore.js"
import { runCli, tempHome, writeAction } from "../layers/CliProcess.js"
import { rpcNode } from "../runtime/fixtures/RpcNode.js"

/** One realistic instance of every typed error the CLI can print (the test below checks none is missing). */
const examples: Record<string, Error> = {
  ActionBusyError: new ActionBusyError({ name: "task-scan", holder: { pid: 42, trigger: "schedule", scheduledAt: 0 } }),
  ActionConfigError: new ActionConfigError({ action: "task-scan", field: "minReward", reason: "Expected number" }),
  AlreadyRunningError: new AlreadyRunningError({ pid: 42, file: "/home/a/.agenc/gateway.pid" }),
  CliError: CliError.usage("no action named \"x\""),
  ComposedActionError: new ComposedActionError({ failures: [{ action: "a", error: new NotFoundError({ what: "task", id: "7" }) }] }),
  ConfigError: new ConfigError({ path: "heartbeat.actions[0].schedule", message: "\"0 0 31 2 *\" never matches" }),
  ControlError: new ControlError({ message: "/home/a/.agenc/gateway.sock: no answer in time" }),
  DecodeError: new DecodeError({ account: "7xK", message: "not a Task account (discriminator mismatch, 12 bytes)" }),
  DeliveryError: new DeliveryError({ message: "HTTP 503", retryable: true }),
  HomeError: new HomeError({ file: "/home/a/.agenc", code: 77, message: "cannot create /home/a/.agenc: permission denied" }),
  LedgerError: new LedgerError({ message: "database is locked" }),
  LedgerRuleError: new LedgerRuleError({ message: "reward must be positive" }),
  NotFoundError: new NotFoundError({ what: "task", id: "9" }),
  PidFileError: new PidFileError({ message: "cannot read gateway.pid: EACCES" }),
  RpcError: new RpcError({ url: "https://api.devnet.solana.com", message: "getAccountInfo: HTTP 429" }),
  StartFailedError: new StartFailedError({ message: "the daemon exited with code 78 before it was ready", exitCode: 78, logTail: "" }),
  StateError: new StateError({ message: "disk I/O error" }),
  SupervisorError: new SupervisorError({ message: "another daemon runs (PID 42): not starting one", code: 1 }),
  UnknownActionError: new UnknownActionError({ name: "nope" })
}

/** Every `TaggedError("...")` declared under src/. */
const declaredErrorTags = (): ReadonlyArray<string> => {
  const tags = new Set<string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (file.endsWith(".ts")) for (const match of fs.readFileSync(file, "utf8").matchAll(/TaggedError\("(\w+)"\)/g)) tags.add(match[1]!)
    }
  }
  walk(path.resolve(import.meta.dirname, "../../src"))
  return [...tags].sort()
}

describe("every error says what went wrong", () => {
  it("each typed error class has a non-empty, one-line message that is more than its tag", () => {
    assert.deepStrictEqual(Object.keys(examples).sort(), declaredErrorTags(), "add an example for each new error class")
    for (const [tag, error] of Object.entries(examples)) {
      assert.strictEqual((error as { _tag?: string })._tag, tag)
      assert.isAbove(error.message.trim().length, 0, `${tag} has an empty message`)
      assert.notStrictEqual(error.message.trim(), tag)
      assert.notInclude(error.message, "\n", tag)
      const described = describeError(error)
      assert.notMatch(described, /:\s*$/, `${tag} describes as a bare tag: ${described}`)
    }
    // And the platform errors an action may leak.
    assert.notMatch(describeError(new SqlError.SqlError({ cause: new Error("SQLITE_BUSY: database is locked") })), /:\s*$/)
  })

  it("an UnknownException is described by what it wraps; multi-line messages become one line", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })
    const unknown = Object.assign(new Error("An unknown error occurred in Effect.tryPromise"), {
      _tag: "UnknownException",
      cause: new TypeError("fetch failed", { cause: refused })
    })
    assert.strictEqual(describeError(unknown), "fetch failed: connect ECONNREFUSED 127.0.0.1:9")
    assert.strictEqual(describeError(new LedgerError({ message: "line one\n  line two" })), "LedgerError: line one line two")
    assert.strictEqual(new ConfigError({ path: "a", message: "x\ny" }).line, "a: x y")
  })

  it.live("an unregistered runtime.agent fails task-scan with a message naming the address and the program", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      const agent = "11111111111111111111111111111111"
      const home = yield* tempHome({
        heartbeat: { actions: [{ name: "task-scan", schedule: "0 9 * * *" }] },
        channels: [],
        runtime: { source: "solana", rpcUrl: node.server.url, agent }
      }, "unregistered")
      const result = yield* runCli(home, ["heartbeat", "run", "task-scan"])
      assert.strictEqual(result.code, 1, result.stderr)
      assert.match(result.stdout + result.stderr, new RegExp(`runtime\\.agent ${agent}: no AgentRegistration account on program \\w+; is the agent registered on this cluster\\?`))
      assert.notMatch(result.stdout + result.stderr, /NotFoundError: $/m)
    }).pipe(Effect.scoped), 60_000)

  it.live("a custom action whose fetch is refused records ECONNREFUSED in the ledger and in `heartbeat run`", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "fetcher", schedule: "0 9 * * *", module: "./fetcher.mjs" }] }, channels: [] }, "refused")
      // A port that was just free: nothing listens there, so the connection is refused.
      const port = yield* Effect.async<number>((resume) => {
        const probe = net.createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as net.AddressInfo
          probe.close(() => resume(Effect.succeed(port)))
        })
      })
      writeAction(home, "fetcher.mjs", "fetcher", `Effect.as(Effect.tryPromise(() => fetch("http://127.0.0.1:${port}/")), { shouldNotify: false })`)
      const result = yield* runCli(home, ["heartbeat", "run", "fetcher"])
      assert.strictEqual(result.code, 1, result.stderr)
      assert.include(result.stdout, "ECONNREFUSED")
      assert.notInclude(result.stdout, "An unknown error occurred")
      const stderrLines = result.stderr.trim().split("\n").filter((line) => line.startsWith("agenc:"))
      assert.strictEqual(stderrLines.length, 1)
      assert.include(stderrLines[0], "ECONNREFUSED")
      const row = new Database(path.join(home, "agenc.db")).prepare("SELECT error FROM runs WHERE action = 'fetcher'").get() as { error: string }
      assert.include(row.error, "ECONNREFUSED")
    }).pipe(Effect.scoped), 60_000)

  it.live("a gateway.json that is not an object: one line naming the file and what it is (exit 78)", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({}, "not-an-object")
      const file = path.join(home, "gateway.json")
      for (const [text, got] of [["[]", "an array"], ["\"x\"", "a string (\"x\")"], ["42", "a number (42)"], ["null", "null"], ["true", "a boolean (true)"]] as const) {
        fs.writeFileSync(file, text)
        for (const args of [["config", "validate"], ["heartbeat", "list"]]) {
          const result = yield* runCli(home, args)
          assert.strictEqual(result.code, 78, `${text}: ${result.stderr}`)
          assert.strictEqual(result.stderr, `agenc: ${file}: expected a JSON object, got ${got}\n`)
        }
      }
      // Nested containers of the wrong kind read the same way, with their JSON path.
      for (const [config, line] of [
        [{ heartbeat: [] }, "heartbeat: expected a JSON object, got an array"],
        [{ heartbeat: { actions: {} } }, "heartbeat.actions: expected a JSON array, got an object"],
        [{ heartbeat: { actions: [5] } }, "heartbeat.actions[0]: expected a JSON object, got a number (5)"],
        [{ channels: [5] }, "channels[0]: expected a JSON object, got a number (5)"],
        [{ channels: "x" }, "channels: expected a JSON array, got a string (\"x\")"]
      ] as const) {
        fs.writeFileSync(file, JSON.stringify(config))
        const result = yield* runCli(home, ["config", "validate"])
        assert.strictEqual(result.code, 78, result.stderr)
        assert.strictEqual(result.stderr, `agenc: ${line}\n`)
      }
    }).pipe(Effect.scoped), 120_000)

  it.live("property: any value of the wrong type anywhere reads as one line without the decoder's words", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({}, "wrong-types")
      const file = path.join(home, "gateway.json")
      const value = fc.jsonValue({ maxDepth: 2 })
      // The real shape, with any container or leaf swapped for any JSON value.
      const config = fc.oneof(
        value,
        fc.record({ heartbeat: value, channels: value, daemon: value, log: value }, { requiredKeys: [] }),
        fc.record({ heartbeat: fc.record({ actions: fc.oneof(value, fc.array(value, { maxLength: 2 })), timezone: value, wakeInterval: value }, { requiredKeys: [] }) }),
        fc.record({ heartbeat: fc.record({ actions: fc.tuple(fc.record({ name: fc.constant("task-scan"), schedule: fc.constant("* * * * *"), config: value, enabled: value, channels: value })) }) }),
        fc.record({ channels: fc.array(fc.oneof(value, fc.record({ type: fc.constantFrom("webhook", "slack", "file", "console"), url: value, headers: value, delivery: value, path: value })), { maxLength: 2 }) })
      )
      let rejected = 0
      for (const sample of fc.sample(config, { numRuns: 400, seed: 1901 })) {
        fs.writeFileSync(file, JSON.stringify(sample))
        const loaded = yield* Effect.either(loadConfig({ file }))
        if (Either.isRight(loaded)) continue
        rejected++
        const line = loaded.left.line
        assert.notMatch(line, /Encoded side|\bStruct\b|ReadonlyArray|<->|\n/, `${JSON.stringify(sample)} -> ${line}`)
        const namesPath = /^(?:[A-Za-z$_][\w$-]*|\["(?:[^"\\]|\\.)*"\])(?:\.[A-Za-z$_][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: \S/.test(line)
        assert.isTrue(namesPath || line.startsWith(`${file}: `), `names a path or the file: ${line}`)
        if (typeof sample !== "object" || sample === null || Array.isArray(sample)) {
          assert.match(line, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: expected a JSON object, got `))
        }
      }
      assert.isAbove(rejected, 200, "the generator reaches the rejections")
    }).pipe(Effect.scoped), 120_000)

  it.live("a JSON syntax error in gateway.json prints as one line", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({}, "json-syntax")
      // The parser quotes the text around the error, newlines included.
      fs.writeFileSync(path.join(home, "gateway.json"), "{\"heartbeat\":\n {\"actions\": [}\n}\n")
      const result = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(result.code, 78)
      assert.match(result.stderr, /^[^\n]*not valid JSON[^\n]*\n$/)
    }).pipe(Effect.scoped), 30_000)
})
