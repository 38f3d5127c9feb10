import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, spawnCli, tempDir, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
import { notifyListener } from "./NotifyListener.js"

const withAction = (module: string, grace: string) => ({
  heartbeat: { actions: [{ name: "slow", schedule: "@every 1s", module }] },
  channels: [],
  daemon: { shutdownGrace: grace }
})

describe("daemon shutdown (real CLI processes)", () => {
  it.live("SIGTERM during a long-running action: exits 0 within 5 s, PID file and socket gone, STOPPING sent on a path socket", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(withAction("./slow.mjs", "1s"), "sigterm")
      writeAction(home, "slow.mjs", "slow", `Effect.as(Effect.sleep("60 seconds"), { shouldNotify: false })`)
      const dir = yield* tempDir
      const address = path.join(dir, "notify.sock")
      const listener = yield* notifyListener(address)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"], { NOTIFY_SOCKET: address })
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => listener.messages.some((m) => m.message.startsWith("READY=1")), 5_000))
      // Let the action start.
      yield* Effect.sleep(1_500)
      const sentAt = Date.now()
      daemon.child.kill("SIGTERM")
      const result = yield* exited(daemon)
      const took = Date.now() - sentAt
      assert.strictEqual(result.code, 0, result.stderr)
      assert.isBelow(took, 5_000)
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.sock")))
      assert.include(result.stderr, "waiting up to 1000 ms for 1 running action")
      assert.isTrue(yield* eventually(() => listener.messages.some((m) => m.message.startsWith("STOPPING=1")), 1_000))
    }).pipe(Effect.scoped), 60_000)

  it.live("a hanging finalizer: the process still ends at the limit, exit 1, naming the step; PID file removed", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(withAction("./hang.mjs", "300ms"), "hang")
      // The action's own cleanup never finishes when it is interrupted.
      writeAction(home, "hang.mjs", "slow", `Effect.as(Effect.onInterrupt(Effect.never, () => Effect.never), { shouldNotify: false })`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      yield* Effect.sleep(1_500)
      const sentAt = Date.now()
      daemon.child.kill("SIGTERM")
      const result = yield* exited(daemon)
      assert.isBelow(Date.now() - sentAt, 5_000)
      assert.strictEqual(result.code, 1)
      assert.match(result.stderr, /step \\?"draining in-flight actions\\?" hung/, result.stderr.slice(-1500))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
    }).pipe(Effect.scoped), 60_000)

  it.live("a second SIGTERM during shutdown exits at once", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(withAction("./slow.mjs", "30s"), "second")
      writeAction(home, "slow.mjs", "slow", `Effect.as(Effect.sleep("60 seconds"), { shouldNotify: false })`)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      yield* Effect.sleep(1_500)
      daemon.child.kill("SIGTERM")
      // With a 30 s grace the first signal alone would wait for the action.
      yield* Effect.sleep(500)
      assert.strictEqual(daemon.child.exitCode, null)
      daemon.child.kill("SIGTERM")
      const result = yield* exited(daemon)
      assert.strictEqual(result.code, 143)
      assert.include(result.stderr, "second SIGTERM")
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
    }).pipe(Effect.scoped), 60_000)
})
