/** The supervisor of a detached `daemon start`, with real processes and signals (`npm run build` first). */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { isAlive } from "../../src/domain/ProcessIdentity.js"
import { parentOf } from "../../src/daemon/Supervisor.js"
import { eventually, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

const quiet = (daemon: Record<string, unknown> = {}) => ({ heartbeat: { actions: [] }, channels: [], daemon })

const pidIn = (file: string): number => JSON.parse(fs.readFileSync(file, "utf8")).pid

const statusJson = (home: string) =>
  runCli(home, ["daemon", "status", "--json"]).pipe(Effect.map((result) => ({ code: result.code, status: JSON.parse(result.stdout) })))

/** `daemon start` in `home`; every process it leaves is SIGKILLed when the scope closes, whatever happens. */
const startSupervised = (home: string) =>
  Effect.gen(function*() {
    const started = yield* runCli(home, ["daemon", "start"])
    assert.strictEqual(started.code, 0, started.stderr)
    const daemonPid = Number(started.stdout.trim())
    const supervisorPid = pidIn(path.join(home, "gateway.supervisor.pid"))
    yield* Effect.addFinalizer((exit) =>
      Effect.sync(() => {
        // What the supervisor and daemon said, when the test failed.
        if (Exit.isFailure(exit)) console.log(fs.readFileSync(path.join(home, "logs/gateway.log"), "utf8"))
        for (const pid of [supervisorPid, daemonPid]) {
          try {
            process.kill(pid, "SIGKILL")
          } catch {
            // gone
          }
        }
      })
    )
    return { daemonPid, supervisorPid }
  })

/** kill -9 of the daemon; answers the new daemon's PID once it answers on the socket. */
const killDaemon = (home: string, pid: number) =>
  Effect.gen(function*() {
    process.kill(pid, "SIGKILL")
    const killedAt = Date.now()
    for (;;) {
      const next = yield* waitReady(home, 20_000)
      if (next !== pid) return { pid: next, backMs: Date.now() - killedAt }
      yield* Effect.sleep(20)
    }
  })

describe("daemon supervisor (real CLI processes)", () => {
  it.live("kill -9 of the daemon: restarted after 100 ms and answering again, counted; SIGHUP passed on; stop leaves no process", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quiet())
      const { daemonPid, supervisorPid } = yield* startSupervised(home)
      assert.strictEqual(parentOf(daemonPid), supervisorPid)
      assert.strictEqual(pidIn(path.join(home, "gateway.pid")), daemonPid, "the PID file names the daemon itself")
      assert.strictEqual(fs.statSync(path.join(home, "gateway.supervisor.pid")).mode & 0o777, 0o600)
      const up = yield* statusJson(home)
      assert.strictEqual(up.code, 0)
      assert.deepStrictEqual(up.status.supervisor, { state: "running", pid: supervisorPid })
      assert.strictEqual(up.status.pid, daemonPid)

      const back = yield* killDaemon(home, daemonPid)
      console.log(`supervised kill -9 -> answering: ${back.backMs} ms`)
      // The first restart waits daemon.restartDelay (100 ms); answering adds the daemon's start-up, slow on a
      // loaded machine, so the bound is generous (`npm run bench:restart` measures it).
      assert.isAtMost(back.backMs, 5_000)
      assert.strictEqual(parentOf(back.pid), supervisorPid)
      const after = yield* statusJson(home)
      assert.strictEqual(after.status.pid, back.pid)
      assert.strictEqual(after.status.restarts, 1)
      assert.strictEqual(after.status.lastCrash.pid, daemonPid)
      assert.include(after.status.lastCrash.reason, "killed by SIGKILL; restarted by the supervisor after 0.1 s")
      const text = yield* runCli(home, ["daemon", "status"])
      assert.include(text.stdout, `supervisor: running (PID ${supervisorPid})`)

      // SIGHUP to the supervisor reaches the daemon (a reload), which stays the same process
      process.kill(supervisorPid, "SIGHUP")
      const log = path.join(home, "logs/gateway.log")
      assert.isTrue(yield* eventually(() => fs.readFileSync(log, "utf8").includes("reloaded: 0 added"), 10_000))
      assert.strictEqual(yield* waitReady(home), back.pid)

      const stopped = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stopped.code, 0, stopped.stderr)
      assert.include(stopped.stdout, `stopped the supervisor (PID ${supervisorPid})`)
      assert.include(stopped.stdout, `stopped (PID ${back.pid})`)
      assert.isFalse(isAlive(supervisorPid))
      assert.isFalse(isAlive(back.pid))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.supervisor.pid")))
      const down = yield* statusJson(home)
      assert.strictEqual(down.code, 3)
      assert.deepStrictEqual(down.status.supervisor, { state: "stopped", pid: null })
    }).pipe(Effect.scoped), 90_000)

  it.live("a crash loop stops after daemon.restartLimit, with a crash record saying so", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quiet({ restartLimit: { burst: 2, interval: "5m" } }))
      const { daemonPid, supervisorPid } = yield* startSupervised(home)
      const first = yield* killDaemon(home, daemonPid)
      const second = yield* killDaemon(home, first.pid)
      process.kill(second.pid, "SIGKILL")
      assert.isTrue(yield* eventually(() => !isAlive(supervisorPid), 10_000), "the supervisor did not give up")
      const status = yield* statusJson(home)
      assert.strictEqual(status.status.state, "stale")
      assert.strictEqual(status.status.lastCrash.pid, second.pid)
      assert.include(status.status.lastCrash.reason, "killed by SIGKILL; gave up: 3 crashes within 300 s (daemon.restartLimit allows 2 restarts)")
      assert.deepStrictEqual(status.status.supervisor, { state: "stopped", pid: null })
      assert.include(fs.readFileSync(path.join(home, "logs/gateway.log"), "utf8"), "gave up")
    }).pipe(Effect.scoped), 90_000)

  it.live("daemon restart replaces both; SIGTERM to the supervisor stops both gracefully", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quiet())
      const first = yield* startSupervised(home)
      const restarted = yield* runCli(home, ["daemon", "restart"])
      assert.strictEqual(restarted.code, 0, restarted.stderr)
      assert.isFalse(isAlive(first.supervisorPid))
      assert.isFalse(isAlive(first.daemonPid))
      const daemonPid = Number(restarted.stdout.trim().split("\n").at(-1))
      const supervisorPid = pidIn(path.join(home, "gateway.supervisor.pid"))
      yield* Effect.addFinalizer(() => Effect.sync(() => [daemonPid, supervisorPid].forEach((pid) => isAlive(pid) && process.kill(pid, "SIGKILL"))))
      assert.strictEqual(parentOf(daemonPid), supervisorPid)
      assert.notStrictEqual(supervisorPid, first.supervisorPid)
      process.kill(supervisorPid, "SIGTERM")
      assert.isTrue(yield* eventually(() => !isAlive(supervisorPid) && !isAlive(daemonPid), 10_000))
      const log = fs.readFileSync(path.join(home, "logs/gateway.log"), "utf8")
      assert.include(log, "daemon stopped")
      assert.include(log, "supervisor stopped")
      assert.isFalse(fs.existsSync(path.join(home, "gateway.pid")))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.supervisor.pid")))
      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 3)
      assert.strictEqual(status.status.lastCrash, null)
    }).pipe(Effect.scoped), 60_000)

  it.live("SIGKILL of the supervisor: the daemon runs on unsupervised, status says so, stop still stops it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quiet())
      const { daemonPid, supervisorPid } = yield* startSupervised(home)
      process.kill(supervisorPid, "SIGKILL")
      assert.isTrue(yield* eventually(() => !isAlive(supervisorPid), 5_000))
      assert.strictEqual(yield* waitReady(home), daemonPid)
      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 0)
      assert.strictEqual(status.status.pid, daemonPid)
      assert.deepStrictEqual(status.status.supervisor, { state: "stale", pid: supervisorPid })
      const text = yield* runCli(home, ["daemon", "status"])
      assert.include(text.stdout, `supervisor: not running (PID ${supervisorPid} is gone); the daemon runs unsupervised`)
      const again = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(again.code, 1)
      assert.include(again.stderr, `already running (PID ${daemonPid})`)

      const stopped = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stopped.code, 0, stopped.stderr)
      assert.include(stopped.stdout, `stopped (PID ${daemonPid})`)
      assert.isFalse(isAlive(daemonPid))
      assert.isFalse(fs.existsSync(path.join(home, "gateway.supervisor.pid")))
      assert.strictEqual((yield* statusJson(home)).code, 3)
    }).pipe(Effect.scoped), 60_000)

  it.live("--foreground runs unsupervised; a bad config makes a detached start exit 78 with no process left", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quiet())
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      assert.strictEqual(yield* waitReady(home), daemon.child.pid)
      assert.strictEqual(parentOf(daemon.child.pid!), process.pid)
      const status = yield* statusJson(home)
      assert.deepStrictEqual(status.status.supervisor, { state: "stopped", pid: null })
      daemon.child.kill("SIGTERM")
      assert.isTrue(yield* eventually(() => !fs.existsSync(path.join(home, "gateway.pid")), 10_000))

      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({ heartbeat: { actions: 5 } }))
      const bad = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(bad.code, 78, bad.stderr)
      assert.include(bad.stderr, "heartbeat.actions")
      assert.isFalse(fs.existsSync(path.join(home, "gateway.supervisor.pid")))
    }).pipe(Effect.scoped), 60_000)

  it.live("after the daemon rotated its log, a restarted daemon writes the current log file, not the rotated one", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quiet({ logFile: { path: "logs/gateway.log", maxSize: 1, keep: 3 } }))
      const log = path.join(home, "logs/gateway.log")
      const { daemonPid } = yield* startSupervised(home)
      // the daemon checks its log's size every 5 s; past 1 byte it rotates
      assert.isTrue(yield* eventually(() => fs.existsSync(`${log}.1`), 15_000), "the daemon never rotated its log")
      assert.strictEqual(fs.readlinkSync(`/proc/${daemonPid}/fd/1`), log)
      const back = yield* killDaemon(home, daemonPid)
      assert.strictEqual(fs.readlinkSync(`/proc/${back.pid}/fd/1`), log)
      assert.strictEqual(fs.readlinkSync(`/proc/${back.pid}/fd/2`), log)
      assert.strictEqual((yield* runCli(home, ["daemon", "stop"])).code, 0)
    }).pipe(Effect.scoped), 60_000)
})
