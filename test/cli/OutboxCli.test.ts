import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { runCli, tempHome } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"

interface Entry {
  readonly id: string
  readonly channel: string
  readonly status: string
  readonly attempts: number
  readonly nextAttemptAt: string | null
  readonly lastError: string | null
}

const list = (home: string, ...args: ReadonlyArray<string>) =>
  runCli(home, ["outbox", "list", "--json", ...args]).pipe(
    Effect.map((result) => {
      assert.strictEqual(result.code, 0, result.stderr)
      return JSON.parse(result.stdout) as ReadonlyArray<Entry>
    })
  )

describe("agenc outbox (real CLI, no daemon)", () => {
  it.live("list, retry and drop: what is queued, retried now, given up; unknown ids exit 2", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      // The webhook refuses with 503: the message stays queued for retry.
      server.handler = () => ({ status: 503, body: "down" })
      const home = yield* tempHome({
        heartbeat: { actions: [{ name: "say", module: "./say.mjs", schedule: "0 0 1 1 *" }] },
        channels: [{ type: "webhook", name: "hook", url: server.url, timeout: "2s", delivery: { retries: 0, backoff: "1h" } }, { type: "file", name: "log" }]
      }, "outbox")
      yield* Effect.sync(() =>
        fs.writeFileSync(`${home}/say.mjs`, `import { Effect } from "effect"
import * as fs from "node:fs"\nexport default { name: "say", description: "says hi", execute: () => Effect.succeed({ shouldNotify: true, message: "hi" }) }\n`)
      )
      const run = yield* runCli(home, ["heartbeat", "run", "say"])
      assert.strictEqual(run.code, 0, run.stderr)
      const entries = yield* list(home)
      const hook = entries.find((entry) => entry.channel === "hook")!
      const file = entries.find((entry) => entry.channel === "log")!
      assert.strictEqual(hook.status, "pending")
      assert.isAtLeast(hook.attempts, 1)
      assert.match(hook.nextAttemptAt!, /Z$/)
      assert.include(hook.lastError!, "503")
      assert.deepStrictEqual([file.status, file.nextAttemptAt, file.lastError], ["delivered", null, null])
      assert.deepStrictEqual((yield* list(home, "--status", "pending")).map((entry) => entry.channel), ["hook"])
      assert.deepStrictEqual((yield* list(home, "--channel", "log")).map((entry) => entry.status), ["delivered"])
      const table = yield* runCli(home, ["outbox", "list"])
      assert.match(table.stdout.split("\n")[0]!, /^ID +CHANNEL +STATUS +ATTEMPTS +NEXT ATTEMPT +LAST ERROR$/)

      const retried = yield* runCli(home, ["outbox", "retry", hook.id, "--channel", "hook"])
      assert.strictEqual(retried.code, 0, retried.stderr)
      assert.strictEqual(retried.stdout, `${hook.id} -> hook: pending, due now\n`)
      const due = (yield* list(home, "--channel", "hook"))[0]!
      assert.isAtMost(Date.parse(due.nextAttemptAt!), Date.now())

      // A delivered message is neither retried nor dropped (exit 1, says why).
      const notRetried = yield* runCli(home, ["outbox", "retry", file.id, "--channel", "log"])
      assert.strictEqual(notRetried.code, 1)
      assert.include(notRetried.stderr, "log: delivered")

      const dropped = yield* runCli(home, ["outbox", "drop", hook.id])
      assert.strictEqual(dropped.code, 0, dropped.stderr)
      assert.strictEqual(dropped.stdout, `${hook.id} -> hook: dropped\n`)
      const gone = (yield* list(home, "--channel", "hook"))[0]!
      assert.deepStrictEqual([gone.status, gone.lastError], ["dropped", "dropped by the operator"])

      for (const args of [["outbox", "retry", "nope@x"], ["outbox", "drop", "nope@x"], ["outbox", "list", "--status", "lost"], ["outbox", "list", "--limit", "0"]]) {
        const result = yield* runCli(home, args)
        assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
      }
    }).pipe(Effect.scoped), 60_000)
})
