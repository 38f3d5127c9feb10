import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"

interface RunLine {
  readonly scheduledAt: string
  readonly outcome: string
  readonly messageId: string | null
  readonly deliveries: ReadonlyArray<{ channel: string; status: string; attempts: number | null; error: string | null }>
}

describe("`heartbeat runs` links each run to its deliveries (real daemon, webhooks on loopback)", () => {
  it.live("a scheduled run's deliveries show what the channel workers did after the run ended", () =>
    Effect.gen(function*() {
      const ok = yield* httpTestServer()
      const down = yield* httpTestServer()
      down.handler = () => ({ status: 503, body: "down for maintenance" })
      const home = yield* tempHome({
        heartbeat: { actions: [{ name: "note", module: "./note.mjs", schedule: "* * * * * *", channels: ["log", "ok", "down"] }] },
        channels: [
          { type: "file", name: "log" },
          { type: "webhook", name: "ok", url: ok.url },
          { type: "webhook", name: "down", url: down.url, delivery: { retries: 0, backoff: "10s" } }
        ]
      }, "run-deliveries")
      writeAction(home, "note.mjs", "note", `Effect.succeed({ shouldNotify: true, message: "something to act on" })`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => ok.succeeded.length >= 2 && down.requests.length >= 2, 20_000), daemon.output.stderr.slice(-2000))
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      const delivered = new Set(ok.succeeded.map((request) => (request.json() as { id: string }).id))
      const attempted = new Set(down.requests.map((request) => (request.json() as { id: string }).id))
      const result = yield* runCli(home, ["heartbeat", "runs", "note", "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      const runs = (JSON.parse(result.stdout) as ReadonlyArray<RunLine>).filter((run) => run.outcome === "notified")
      assert.isAtLeast(runs.length, 2)
      for (const run of runs) {
        // The link: the run's message id is its action and slot.
        assert.strictEqual(run.messageId, `note@${run.scheduledAt}`)
        assert.deepStrictEqual(run.deliveries.map((delivery) => delivery.channel).sort(), ["down", "log", "ok"])
      }
      const checked = runs.filter((run) => delivered.has(run.messageId!) && attempted.has(run.messageId!))
      assert.isAtLeast(checked.length, 1)
      for (const run of checked) {
        const byChannel = Object.fromEntries(run.deliveries.map((delivery) => [delivery.channel, delivery]))
        assert.strictEqual(byChannel.ok!.status, "delivered", JSON.stringify(run))
        assert.strictEqual(byChannel.ok!.attempts, 1)
        assert.strictEqual(byChannel.log!.status, "delivered", JSON.stringify(run))
        assert.strictEqual(byChannel.down!.status, "queued")
        assert.isAtLeast(byChannel.down!.attempts!, 1)
        assert.include(byChannel.down!.error, "503")
      }
      const text = yield* runCli(home, ["heartbeat", "runs", "note"])
      assert.include(text.stdout, "ok delivered")
      assert.include(text.stdout, "down queued")
    }).pipe(Effect.scoped), 60_000)
})
