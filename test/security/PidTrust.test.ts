import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"
import { bootId, runCliDetached, startTimeOf, stateOf, unrelatedProcess } from "./SecurityKit.js"

const quietConfig = { heartbeat: { actions: [] }, channels: [] }

const statusJson = (home: string) =>
  runCli(home, ["daemon", "status", "--json"]).pipe(Effect.map((result) => ({ ...result, status: JSON.parse(result.stdout) })))

/** A daemon started in the foreground by the test; SIGKILLed with the scope. */
const startDaemon = (home: string) =>
  Effect.gen(function*() {
    const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
    const pid = yield* waitReady(home)
    assert.strictEqual(pid, daemon.child.pid)
    return daemon
  })

describe("verify before signalling (issue 11.1, issue 10.5)", () => {
  for (const [shape, record] of [
    ["a bare PID", (pid: number) => `${pid}\n`],
    ["JSON without a start time", (pid: number) => JSON.stringify({ pid, startedAt: 0 })]
  ] as const) {
    it.live(`${shape} naming a live unrelated process: status says stale, stop leaves it alone, start goes ahead`, () =>
      Effect.gen(function*() {
        const home = yield* tempHome(quietConfig)
        const pidFile = path.join(home, "gateway.pid")
        const sleeper = yield* unrelatedProcess
        fs.writeFileSync(pidFile, record(sleeper.pid!))

        const status = yield* statusJson(home)
        assert.strictEqual(status.code, 1, status.stderr)
        assert.strictEqual(status.status.state, "stale")
        assert.strictEqual(status.status.running, false)
        assert.strictEqual(status.status.uptimeMs, null)

        const stop = yield* runCli(home, ["daemon", "stop", "--timeout", "1s"])
        assert.strictEqual(stop.code, 0, stop.stderr)
        assert.include(stop.stdout, "not running")
        assert.isFalse(fs.existsSync(pidFile), "the stale PID file was removed")
        assert.strictEqual(sleeper.exitCode, null)
        assert.strictEqual(sleeper.signalCode, null, "the unrelated process was not signalled")

        fs.writeFileSync(pidFile, record(sleeper.pid!))
        const daemon = yield* startDaemon(home)
        daemon.child.kill("SIGTERM")
        assert.strictEqual((yield* exited(daemon)).code, 0)
        assert.strictEqual(sleeper.signalCode, null)
      }).pipe(Effect.scoped), 60_000)
  }

  it.live("a PID file holding 0 or 1 is invalid: stop signals nobody (not the caller's process group) and removes it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      for (const pid of ["0", "1", JSON.stringify({ pid: 0, startTime: "1", bootId: bootId(), startedAt: 0 })]) {
        fs.writeFileSync(pidFile, pid)
        // Its own process group: kill(0) would reach only the CLI itself.
        const stop = yield* runCliDetached(home, ["daemon", "stop", "--timeout", "1s"])
        assert.strictEqual(stop.signal, null, `stop with PID file ${pid} was killed by ${stop.signal}`)
        assert.strictEqual(stop.code, 0, stop.stderr)
        assert.include(stop.stdout, "not running")
        assert.isFalse(fs.existsSync(pidFile))
        fs.writeFileSync(pidFile, pid)
        const status = yield* runCliDetached(home, ["daemon", "status", "--json"])
        assert.strictEqual(status.code, 1, status.stderr)
        assert.strictEqual(JSON.parse(status.stdout).state, "stale")
      }
    }).pipe(Effect.scoped), 60_000)

  it.live("a zombie named by an otherwise exact PID record is not running: status stale, start goes ahead", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      // `sleep 0.2 &` then exec: the new parent (sleep 60) never waits, so the child stays a zombie.
      const parent = yield* Effect.acquireRelease(
        Effect.sync(() => spawn("sh", ["-c", "sleep 0.2 & echo $!; exec sleep 60"], { stdio: ["ignore", "pipe", "ignore"] })),
        (child) => Effect.sync(() => child.kill("SIGKILL"))
      )
      const zombie = yield* Effect.promise(() => new Promise<number>((resolve) => parent.stdout!.once("data", (chunk) => resolve(Number(String(chunk).trim())))))
      const startTime = startTimeOf(zombie)
      assert.isTrue(yield* eventually(() => stateOf(zombie) === "Z", 5_000), "the child became a zombie")
      fs.writeFileSync(pidFile, JSON.stringify({ pid: zombie, startTime, bootId: bootId(), startedAt: Date.now() }))

      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 1, status.stdout)
      assert.strictEqual(status.status.state, "stale")
      assert.include(status.status.staleReason, "zombie")

      const daemon = yield* startDaemon(home)
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
    }).pipe(Effect.scoped), 60_000)

  it.live("stop removes a stale PID file left by a dead process", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const pidFile = path.join(home, "gateway.pid")
      const dead = yield* Effect.promise(() => new Promise<number>((resolve) => {
        const child = spawn("true")
        child.on("exit", () => resolve(child.pid!))
      }))
      fs.writeFileSync(pidFile, JSON.stringify({ pid: dead, startTime: "1", bootId: bootId(), startedAt: 0 }))
      const stop = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stop.code, 0, stop.stderr)
      assert.include(stop.stdout, "removed a stale PID file")
      assert.isFalse(fs.existsSync(pidFile))
    }).pipe(Effect.scoped), 30_000)

  it.live("a stopped daemon (SIGSTOP) is unresponsive: exit 4 after at most about 3 s", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const daemon = yield* startDaemon(home)
      const pid = daemon.child.pid!
      process.kill(pid, "SIGSTOP")
      yield* Effect.addFinalizer(() => Effect.sync(() => { try { process.kill(pid, "SIGCONT") } catch { /* gone */ } }))
      const began = Date.now()
      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 4, status.stderr)
      assert.strictEqual(status.status.state, "unresponsive")
      assert.strictEqual(status.status.pid, pid)
      // Generous: the 3 s socket timeout plus a loaded machine's process start.
      assert.isBelow(Date.now() - began, 20_000)
      const text = yield* runCli(home, ["daemon", "status"])
      assert.strictEqual(text.code, 4)
      assert.include(text.stdout, "unresponsive")
      process.kill(pid, "SIGCONT")
      const after = yield* statusJson(home)
      assert.strictEqual(after.code, 0)
      assert.strictEqual(after.status.state, "running")
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
    }).pipe(Effect.scoped), 60_000)

  it.live("with gateway.json broken on disk: status shows the live daemon and configError (exit 0); trigger and stop still find it", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "task-scan", schedule: "@daily" }] }, channels: [], daemon: { pidFile: "run/agenc.pid", socket: "run/agenc.sock" } })
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      const pid = yield* waitReady(home, 20_000, path.join(home, "run/agenc.sock"))
      assert.strictEqual(pid, daemon.child.pid)
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({ heartbeat: { actions: [{ name: "task-scan", schedule: "@dayly" }] } }))

      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 0, status.stderr)
      assert.strictEqual(status.status.state, "running")
      assert.strictEqual(status.status.pid, pid)
      assert.match(status.status.configError, /^heartbeat\.actions\[0\]\.schedule: /)
      assert.deepStrictEqual(status.status.actions.map((a: { name: string }) => a.name), ["task-scan"], "the live daemon's schedule")
      const text = yield* runCli(home, ["daemon", "status"])
      assert.strictEqual(text.code, 0)
      assert.include(text.stderr, "warning")
      assert.include(text.stderr, "heartbeat.actions[0].schedule")

      const trigger = yield* runCli(home, ["heartbeat", "trigger", "task-scan", "--json"])
      assert.strictEqual(trigger.code, 0, trigger.stderr)

      const stop = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stop.code, 0, stop.stderr)
      assert.include(stop.stdout, `stopped (PID ${pid})`)
      assert.strictEqual((yield* exited(daemon)).code, 0)
      assert.isFalse(fs.existsSync(path.join(home, "daemon.json")))
    }).pipe(Effect.scoped), 90_000)

  it.live("restart and reload validate the new file first: an invalid one leaves the daemon untouched (exit 78)", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(quietConfig)
      const daemon = yield* startDaemon(home)
      const pid = daemon.child.pid!
      delete process.env.AGENC_TEST_UNSET_URL
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({ channels: [{ type: "slack", url: { env: "AGENC_TEST_UNSET_URL" } }] }))
      for (const command of ["restart", "reload"]) {
        const result = yield* runCli(home, ["daemon", command])
        assert.strictEqual(result.code, 78, `${command}: ${result.stdout}${result.stderr}`)
        assert.include(result.stderr, "channels[0].url: environment variable AGENC_TEST_UNSET_URL is not set")
      }
      const status = yield* statusJson(home)
      assert.strictEqual(status.code, 0)
      assert.strictEqual(status.status.pid, pid)
      assert.strictEqual(daemon.child.exitCode, null)
      assert.notInclude(daemon.output.stderr, "reload", "no SIGHUP reached the daemon")
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
    }).pipe(Effect.scoped), 60_000)
})
