import { afterEach, assert, beforeEach, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runCli } from "./fixtures/cli.js"

let home = ""
let previousHome: string | undefined
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-cli-"))
  previousHome = process.env.AGENC_HOME
  process.env.AGENC_HOME = home
})
afterEach(() => {
  if (previousHome === undefined) delete process.env.AGENC_HOME
  else process.env.AGENC_HOME = previousHome
  fs.rmSync(home, { recursive: true, force: true })
})

const listJson = Effect.map(runCli("tasks", "list", "--json"), (run) => {
  assert.strictEqual(run.code, 0, run.stderr)
  return JSON.parse(run.stdout) as ReadonlyArray<Record<string, unknown>>
})

const ok = (...argv: ReadonlyArray<string>) =>
  Effect.map(runCli(...argv), (run) => {
    assert.strictEqual(run.code, 0, `${argv.join(" ")}: ${run.stderr}`)
    return run.stdout
  })

describe("agenc tasks", () => {
  it.live("walks the whole loop: add, list, claim, complete, dispute", () =>
    Effect.gen(function*() {
      assert.include(yield* ok("tasks", "list"), "no tasks")
      assert.strictEqual(yield* ok("tasks", "add", "--reward", "5000", "--capabilities", "3", "--description", "hello world"), "1")
      assert.strictEqual(yield* ok("tasks", "add", "--reward", "1000", "--capabilities", "COMPUTE,INFERENCE", "--deadline", "+2h", "--max-workers", "3"), "2")
      assert.strictEqual(yield* ok("tasks", "add", "--reward", "7", "--capabilities", "0x10", "--deadline", "2099-01-01T00:00:00Z"), "3")

      const tasks = yield* listJson
      assert.deepStrictEqual(tasks.map((t) => [t.id, t.status, t.taskType, (t.reward as { amount: string }).amount, t.requiredCapabilities, t.maxWorkers, t.description]), [
        ["1", "Open", "Exclusive", "5000", "3", 1, "hello world"],
        ["2", "Open", "Collaborative", "1000", "3", 3, ""],
        ["3", "Open", "Exclusive", "7", "16", 1, ""]
      ])
      const inTwoHours = Date.now() / 1000 + 7200
      assert.approximately(Date.parse(tasks[1]!.deadline as string) / 1000, inTwoHours, 5)
      assert.strictEqual(tasks[2]!.deadline, "2099-01-01T00:00:00.000Z")
      assert.strictEqual(tasks[0]!.deadline, null)
      assert.deepStrictEqual(tasks[0]!.reward, { amount: "5000", unit: "lamports" })

      const table = yield* ok("tasks", "list")
      assert.match(table.split("\n")[0]!, /^ID\s+STATUS\s+TYPE\s+REWARD\s+CAPS\s+WORKERS\s+DEADLINE\s+DESCRIPTION$/)
      assert.match(table, /\n1\s+Open\s+Exclusive\s+5000\s+0x3\s+0\/1\s+none\s+hello world/)
      assert.include(table, "2099-01-01T00:00:00Z")

      assert.strictEqual(yield* ok("tasks", "claim", "1"), "claimed task 1 (reward 5000 lamports, deadline none)")
      assert.strictEqual(yield* ok("tasks", "complete", "1"), "completed task 1: earned 5000 lamports (task is Completed)")
      yield* ok("tasks", "claim", "2")
      assert.match(yield* ok("tasks", "dispute", "2"), /^opened dispute 1 on task 2 \(voting until \d{4}-\d\d-\d\dT/)
      assert.deepStrictEqual((yield* listJson).map((t) => [t.id, t.status, t.currentWorkers]), [["1", "Completed", 1], ["2", "Disputed", 1], ["3", "Open", 0]])
    }))

  it.live("bad input: one line on stderr, exit 2, nothing changes", () =>
    Effect.gen(function*() {
      yield* ok("tasks", "add", "--reward", "10", "--capabilities", "1")
      yield* ok("tasks", "add", "--reward", "10", "--capabilities", "1")
      yield* ok("tasks", "claim", "1")
      yield* ok("tasks", "complete", "1")
      const before = yield* listJson
      const cases: ReadonlyArray<[ReadonlyArray<string>, RegExp]> = [
        [["tasks", "add", "--reward=-5", "--capabilities", "1"], /--reward: "-5" is not a positive whole number/],
        [["tasks", "add", "--reward", "0", "--capabilities", "1"], /reward must be greater than 0/],
        [["tasks", "add", "--reward", "abc", "--capabilities", "1"], /--reward/],
        [["tasks", "add", "--reward", "99999999999999999999", "--capabilities", "1"], /reward must be at most/],
        [["tasks", "add", "--reward", "10", "--capabilities", "0"], /capabilities must be a non-zero/],
        [["tasks", "add", "--reward", "10", "--capabilities", "FLYING"], /unknown capability FLYING/],
        [["tasks", "add", "--reward", "10", "--capabilities", "1", "--deadline", "2001-01-01T00:00:00Z"], /deadline 2001-01-01T00:00:00.000Z is not in the future/],
        [["tasks", "add", "--reward", "10", "--capabilities", "1", "--deadline", "tomorrow"], /--deadline: "tomorrow" is not an ISO date-time/],
        [["tasks", "add", "--reward", "10", "--capabilities", "1", "--max-workers", "101"], /max workers must be between 1 and 100/],
        [["tasks", "add", "--reward", "10", "--capabilities", "1", "--max-workers", "0"], /max workers must be between 1 and 100/],
        [["tasks", "add", "--reward", "10", "--capabilities", "1", "--description", "x".repeat(65)], /65 bytes/],
        [["tasks", "claim", "999"], /^agenc: no task 999$/],
        [["tasks", "claim", "abc"], /^agenc: no task abc$/],
        [["tasks", "complete", "999"], /^agenc: no task 999$/],
        [["tasks", "dispute", "999"], /^agenc: no task 999$/],
        [["tasks", "claim", "1"], /task 1 is Completed/],
        [["tasks", "complete", "2"], /task 2 has no open claim by local-agent/],
        [["tasks", "dispute", "2"], /task 2 has no open claim by local-agent/]
      ]
      for (const [argv, expected] of cases) {
        const run = yield* runCli(...argv)
        assert.strictEqual(run.code, 2, `${argv.join(" ")}: ${run.stderr}`)
        assert.match(run.stderr, expected, argv.join(" "))
        assert.notInclude(run.stderr, "\n", argv.join(" "))
        assert.strictEqual(run.stdout, "")
      }
      // @effect/cli rejects these itself (a flag-like value, a missing or non-integer option): exit 2 too.
      for (const argv of [["tasks", "add", "--reward", "-5", "--capabilities", "1"], ["tasks", "add", "--capabilities", "1"], ["tasks", "add", "--reward", "5", "--capabilities", "1", "--max-workers", "two"], ["tasks", "claim"]]) {
        assert.strictEqual((yield* runCli(...argv)).code, 2, argv.join(" "))
      }
      assert.deepStrictEqual(yield* listJson, before)
    }))

  it.live("the agent's capabilities come from runtime.capabilities; a solana config is refused", () =>
    Effect.gen(function*() {
      const narrow = path.join(home, "narrow.json")
      fs.writeFileSync(narrow, JSON.stringify({ runtime: { source: "local", capabilities: 1 } }))
      yield* ok("tasks", "add", "--reward", "10", "--capabilities", "2", "--config", narrow)
      const refused = yield* runCli("tasks", "claim", "1", "--config", narrow)
      assert.strictEqual(refused.code, 2)
      assert.match(refused.stderr, /needs capabilities 0x2; local-agent has 0x1/)

      const solana = path.join(home, "solana.json")
      fs.writeFileSync(solana, JSON.stringify({ runtime: { source: "solana", rpcUrl: "http://127.0.0.1:1", agent: "11111111111111111111111111111111" } }))
      const run = yield* runCli("tasks", "list", "--config", solana)
      assert.strictEqual(run.code, 2)
      assert.match(run.stderr, /drives the local ledger, but runtime.source is "solana"/)

      const broken = path.join(home, "broken.json")
      fs.writeFileSync(broken, JSON.stringify({ runtime: { source: "local", capabilities: "lots" } }))
      const bad = yield* runCli("tasks", "list", "--config", broken)
      assert.strictEqual(bad.code, 78)
      assert.match(bad.stderr, /^runtime/)
    }))
})
