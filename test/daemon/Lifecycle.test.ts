import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

const quietConfig = { heartbeat: { actions: [] }, channels: [] }

const statusJson = (home: string) =>
  runCli(home, ["daemon", "status", "--json"]).pipe(Effect.map((result) => ({ code: result.code, status: JSON.parse(result.stdout) })))

const deadPid = () =>
  Effect.promise(() =>
    new Promise<number>((resolve) => {
      const child = spawn("true")
      child.on("exit", () => resolve(child.pid!))
    })
  )

describe("daemon lifecycle (real CLI processes)", () => {
  it.live("start (detached) / status / stop", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      const started = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(started.code, 0, started.stderr)
      const pid = Number(started.stdout.trim())
      // Whatever happens below, do not leave the daemon behind.
      yield* Effect.addFinalizer(() => Effect.sync(() => { try { process.kill(pid, "SIGKILL") } catch { /* gone */ } }))
      assert.isTrue(pid > 0)
      assert.strictEqual(fs.statSync(pidFile).mode & 0o777, 0o600)
      assert.strictEqual(fs.statSync(path.join(home, "gateway.sock")).mode & 0o777, 0o600)
      assert.strictEqual(JSON.parse(fs.readFileSync(pidFile, "utf8")).pid, pid)

      const again = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(again.code, 1)
      assert.include(again.stderr, String(pid))

      const running = yield* statusJson(home)
      assert.strictEqual(running.code, 0)
      assert.strictEqual(running.status.running, true)
      assert.strictEqual(running.status.pid, pid)
      assert.isAtLeast(running.status.uptimeMs, 0)
      assert.strictEqual(running.status.lastCrash, null)
      assert.deepStrictEqual(running.status.actions, [])

      const stopped = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stopped.code, 0, stopped.stderr)
      assert.isFalse(fs.existsSync(pidFile))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.sock")))
      const after = yield* statusJson(home)
      assert.strictEqual(after.code, 3)
      assert.strictEqual(after.status.running, false)
      const stopAgain = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stopAgain.code, 0)
      assert.include(stopAgain.stdout, "not running")
      assert.include(fs.readFileSync(path.join(home, "logs/gateway.log"), "utf8"), "daemon ready")
    }).pipe(Effect.scoped), 60_000)

  it.live("two starts at once: exactly one daemon runs", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const first = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const second = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const pid = yield* waitReady(home)
      assert.include([first.child.pid, second.child.pid], pid)
      const loser = pid === first.child.pid ? second : first
      const lost = yield* exited(loser)
      assert.strictEqual(lost.code, 1)
      assert.include(lost.stderr, `already running (PID ${pid}`)
      assert.strictEqual(JSON.parse(fs.readFileSync(path.join(home, "gateway.pid"), "utf8")).pid, pid)
    }).pipe(Effect.scoped), 60_000)

  it.live("a stale PID file from a dead process is reported (exit 1); kill -9 then start records the crash", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      const dead = yield* deadPid()
      fs.writeFileSync(pidFile, JSON.stringify({ pid: dead, startTime: "1", bootId: undefined, startedAt: 0 }))
      const stale = yield* statusJson(home)
      assert.strictEqual(stale.code, 1)
      assert.strictEqual(stale.status.running, false)
      assert.include(stale.status.staleReason, "not running")

      const first = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const pid = yield* waitReady(home)
      assert.strictEqual(pid, first.child.pid)
      first.child.kill("SIGKILL")
      yield* exited(first)
      assert.isTrue(fs.existsSync(pidFile))

      const second = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const pid2 = yield* waitReady(home)
      assert.strictEqual(pid2, second.child.pid)
      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 0)
      assert.strictEqual(status.status.pid, pid2)
      assert.strictEqual(status.status.lastCrash.pid, pid)
      assert.include(status.status.lastCrash.reason, "not running")
      // Two unclean ends: the hand-written stale file and the kill -9.
      assert.strictEqual(status.status.restarts, 2)
      second.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(second)).code, 0)
    }).pipe(Effect.scoped), 60_000)

  it.live("a PID file naming a live unrelated process is stale and replaced; that process is left alone", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      const sleeper = yield* Effect.acquireRelease(
        Effect.sync(() => spawn("sleep", ["60"], { stdio: "ignore" })),
        (child) => Effect.sync(() => child.kill("SIGKILL"))
      )
      fs.writeFileSync(pidFile, JSON.stringify({ pid: sleeper.pid, startTime: "1", bootId: undefined, startedAt: 0 }))
      const stale = yield* statusJson(home)
      assert.strictEqual(stale.code, 1)
      assert.include(stale.status.staleReason, "another process")

      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const pid = yield* waitReady(home)
      assert.strictEqual(pid, daemon.child.pid)
      assert.strictEqual(sleeper.exitCode, null)
      assert.strictEqual(JSON.parse(fs.readFileSync(pidFile, "utf8")).pid, pid)
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      assert.isTrue(yield* eventually(() => !fs.existsSync(pidFile), 1_000))
      assert.strictEqual(sleeper.exitCode, null)
    }).pipe(Effect.scoped), 60_000)
})
