import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
import { notifyListener } from "./NotifyListener.js"

/** An every-second action that always has something to say, delivered to the file channel. */
const everySecond = {
  heartbeat: { actions: [{ name: "tick", schedule: "@every 1s", module: "./tick.mjs" }] },
  channels: [{ type: "file" }]
}

const setup = (name: string) =>
  Effect.gen(function*() {
    const home = yield* tempHome(everySecond, name)
    writeAction(home, "tick.mjs", "tick", `Effect.succeed({ shouldNotify: true, message: "tick" })`)
    return home
  })

const status = (home: string) =>
  runCli(home, ["daemon", "status", "--json"]).pipe(Effect.map((result) => JSON.parse(result.stdout)))

const outboxLines = (home: string) => {
  const file = path.join(home, "outbox.jsonl")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter((line) => line !== "").length : 0
}

describe("supervised loops (real daemon, faults injected with the test-only AGENC_TEST_FAULTS)", () => {
  it.live("a defect in the dispatcher is logged with its cause, counted, and the dispatcher restarts", () =>
    Effect.gen(function*() {
      const home = yield* setup("dispatcher-defect")
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"], { AGENC_TEST_FAULTS: "dispatcher=die:2" })
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => outboxLines(home) >= 2, 15_000), daemon.output.stderr.slice(-3000))
      const report = yield* status(home)
      assert.deepInclude(report.loops.scheduler, { alive: true, restarts: 2 })
      assert.isString(report.loops.scheduler.lastTickAt)
      assert.include(daemon.output.stderr, "scheduler loop died; restart 1 in 100 ms")
      assert.include(daemon.output.stderr, "injected fault in dispatcher")
      assert.strictEqual(daemon.child.exitCode, null)
    }).pipe(Effect.scoped), 60_000)

  it.live("a defect in a channel worker restarts that worker, and queued messages are still delivered", () =>
    Effect.gen(function*() {
      const home = yield* setup("channel-defect")
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"], { AGENC_TEST_FAULTS: "channel:file=die:3" })
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => outboxLines(home) >= 3, 15_000), daemon.output.stderr.slice(-3000))
      const report = yield* status(home)
      assert.deepStrictEqual(report.loops.channels.file, { alive: true, restarts: 3 })
      assert.deepStrictEqual(report.deadLetters, { file: 0 })
      assert.include(daemon.output.stderr, "channel file loop died")
    }).pipe(Effect.scoped), 60_000)

  it.live("WATCHDOG=1 stops while the dispatcher is stuck, though the process and its other fibers live on", () =>
    Effect.gen(function*() {
      const home = yield* setup("watchdog-stuck")
      const address = `@agenc-watchdog-${process.pid}-${Date.now()}`
      const listener = yield* notifyListener(address)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"], {
        NOTIFY_SOCKET: address,
        WATCHDOG_USEC: "400000",
        AGENC_TEST_FAULTS: "dispatcher=hang-after:4"
      })
      yield* waitReady(home)
      const pings = () => listener.messages.filter((m) => m.message === "WATCHDOG=1")
      assert.isTrue(yield* eventually(() => pings().length >= 3, 5_000))
      // The 4th turn hangs about 3 s in; pings stop within the wake interval + 1 s after it.
      assert.isTrue(yield* eventually(() => daemon.output.stderr.includes("withholding WATCHDOG=1"), 15_000), daemon.output.stderr.slice(-3000))
      const stoppedAt = pings().length
      yield* Effect.sleep(2_000)
      assert.strictEqual(pings().length, stoppedAt, "no ping while the dispatcher is stuck")
      assert.strictEqual(daemon.child.exitCode, null)
      // The control socket still answers: only the dispatcher is wedged, which is what the watchdog is for.
      const report = yield* status(home)
      assert.strictEqual(report.state, "running")
      assert.isBelow(Date.parse(report.loops.scheduler.lastTickAt), Date.now() - 2_000)
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
    }).pipe(Effect.scoped), 60_000)
})
