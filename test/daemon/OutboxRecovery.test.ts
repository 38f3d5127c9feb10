import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

const db = (home: string) => new Database(path.join(home, "agenc.db"))

const fileLines = (home: string): ReadonlyArray<{ id: string; scheduledAt: string; deliveredAt: string }> => {
  const file = path.join(home, "outbox.jsonl")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) : []
}

/** A module that notifies exactly once per AGENC_HOME (a marker file), then stays quiet. */
const notifyOnce = (home: string, file: string) =>
  fs.writeFileSync(
    path.join(home, file),
    `import { Effect } from "effect"
import * as fs from "node:fs"
const marker = ${JSON.stringify(path.join(home, "notified"))}
export default { name: "once", description: "notifies once", execute: () => Effect.sync(() => {
  if (fs.existsSync(marker)) return { shouldNotify: false }
  fs.writeFileSync(marker, "")
  return { shouldNotify: true, message: "only once" }
}) }
`
  )

describe("outbox recovery (real daemon, real SQLite)", () => {
  it.live("an unreadable outbox row is dead-lettered with its reason, logged once, and the rows behind it are delivered", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [] }, channels: [{ type: "file" }] }, "dead-letter")
      // One start and stop creates and migrates the database.
      const first = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      first.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(first)).code, 0)
      const good = { id: "good@1", action: "good", message: "still delivered", metadata: {}, scheduledAt: 1, startedAt: 1 }
      const conn = db(home)
      const insert = conn.prepare("INSERT INTO outbox (id, channel, payload, status, created_at, next_attempt_at) VALUES (?, 'file', ?, 'pending', ?, ?)")
      const now = Date.now()
      insert.run("corrupt@1", "{not json", now - 2_000, now - 2_000)
      insert.run("wrong-shape@1", JSON.stringify({ id: 7 }), now - 1_500, now - 1_500)
      insert.run("good@1", JSON.stringify(good), now - 1_000, now - 1_000)
      conn.close()

      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => fileLines(home).some((line) => line.id === "good@1"), 10_000), daemon.output.stderr.slice(-3000))
      const report = JSON.parse((yield* runCli(home, ["daemon", "status", "--json"])).stdout)
      assert.deepStrictEqual(report.deadLetters, { file: 2 })
      assert.deepStrictEqual(report.loops.channels.file, { alive: true, restarts: 0 })
      const rows = db(home).prepare("SELECT id, status, last_error FROM outbox ORDER BY id").all() as Array<{ id: string; status: string; last_error: string }>
      assert.deepStrictEqual(rows.map((row) => [row.id, row.status]), [["corrupt@1", "dead"], ["good@1", "delivered"], ["wrong-shape@1", "dead"]])
      assert.match(rows[0]!.last_error, /^unreadable payload: /)
      assert.match(rows[2]!.last_error, /^unreadable payload: /)
      // Logged once each, even across the worker's later passes.
      yield* Effect.sleep(1_500)
      assert.strictEqual(daemon.output.stderr.split("dead letter corrupt@1").length - 1, 1)
      assert.strictEqual(daemon.output.stderr.split("dead letter wrong-shape@1").length - 1, 1)
    }).pipe(Effect.scoped), 60_000)

  it.live("kill -9 during an attempt: the next daemon releases the dead owner's lease and re-sends within seconds, same idempotency key", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      // The first attempt never gets an answer: the daemon is killed in the middle of it.
      server.reply("hang")
      const config = {
        heartbeat: { actions: [{ name: "once", schedule: "@every 1s", module: "./once.mjs" }] },
        channels: [{ type: "webhook", url: `${server.url}/hook`, timeout: "60s" }]
      }
      const home = yield* tempHome(config, "kill9-lease")
      notifyOnce(home, "once.mjs")
      const first = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      yield* Effect.promise(() => server.waitFor((requests) => requests.length === 1, 15_000))
      first.child.kill("SIGKILL")
      yield* exited(first)
      const leased = db(home).prepare("SELECT lease_until, lease_owner FROM outbox").get() as { lease_until: number; lease_owner: string }
      assert.isAbove(leased.lease_until, Date.now() + 40_000, "the killed daemon's lease is still far from expiring")
      assert.include(leased.lease_owner, `/${first.child.pid}/`)

      const startedAt = Date.now()
      const second = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      yield* Effect.promise(() => server.waitFor((requests) => requests.length === 2, 40_000))
      // The lease the killed daemon took runs for the 60 s timeout and a margin: without the release the
      // re-send would wait for it. The bound is loose because the machine is shared.
      const resentAfter = server.requests[1]!.at - startedAt
      assert.isBelow(resentAfter, 20_000, `re-sent ${resentAfter} ms after the restart`)
      assert.strictEqual(server.requests[1]!.headers["idempotency-key"], server.requests[0]!.headers["idempotency-key"])
      assert.include(second.output.stderr, `released the outbox leases of process ${first.child.pid}`)
      assert.isTrue(yield* eventually(() => (db(home).prepare("SELECT status FROM outbox").get() as { status: string }).status === "delivered", 5_000))
    }).pipe(Effect.scoped), 90_000)

  it.live("a hanging webhook beside an every-second action: no slot is skipped and the file channel delivers on time", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = () => "hang"
      const config = {
        heartbeat: { actions: [{ name: "tick", schedule: "@every 1s", module: "./tick.mjs" }] },
        channels: [{ type: "webhook", url: `${server.url}/hook`, timeout: "10s" }, { type: "file" }]
      }
      const home = yield* tempHome(config, "slow-channel")
      fs.writeFileSync(path.join(home, "tick.mjs"), `import { Effect } from "effect"\nexport default { name: "tick", description: "t", execute: () => Effect.succeed({ shouldNotify: true, message: "tick" }) }\n`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      yield* Effect.sleep(6_500)
      daemon.child.kill("SIGTERM")
      yield* exited(daemon)
      const runs = db(home).prepare("SELECT outcome, started_at - scheduled_at AS late, ended_at - started_at AS took FROM runs WHERE action = 'tick'").all() as Array<{ outcome: string; took: number }>
      assert.isAtLeast(runs.length, 4)
      assert.deepStrictEqual([...new Set(runs.map((run) => run.outcome))].filter((o) => o !== "failed"), ["notified"], JSON.stringify(runs))
      assert.isTrue(runs.every((run) => run.took < 2_000), `runs waited for the webhook: ${JSON.stringify(runs)}`)
      const delivered = fileLines(home)
      assert.isAtLeast(delivered.length, 4)
      for (const line of delivered) {
        const lag = Date.parse(line.deliveredAt) - Date.parse(line.scheduledAt)
        assert.isBelow(lag, 2_000, `file delivery of ${line.id} lagged ${lag} ms`)
      }
      assert.isAtLeast(server.requests.length, 1)
    }).pipe(Effect.scoped), 60_000)
})
