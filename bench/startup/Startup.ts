/**
 * Start-up and shutdown of the built CLI, timed from this (the runner's) process: spawn to exit for
 * `node -e 0` and `agenc --help`; spawn to `READY=1` on a real `NOTIFY_SOCKET` for
 * `agenc daemon start --foreground`, then SIGTERM to exit, idle and with an action mid-run. The
 * datagram listener and CLI helpers are the daemon tests' own (python3 binds the AF_UNIX socket, and
 * stamps each datagram with CLOCK_MONOTONIC, the clock of `process.hrtime`).
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { notifyListener } from "../../test/daemon/NotifyListener.js"
import { cliJs, exited, spawnCli, tempDir, tempHome, writeAction } from "../../test/layers/CliProcess.js"

const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6

/** Spawn to exit of `node <args>`, in ms. */
export const spawnToExit = (args: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = monotonicMs()
    const child = spawn(process.execPath, args, { stdio: "ignore" })
    child.on("error", reject)
    child.on("close", (code) => code === 0 ? resolve(monotonicMs() - started) : reject(new Error(`node ${args.join(" ")} exited ${code}`)))
  })

/** `agenc --help`, spawn to exit. */
export const helpToExit = (): Promise<number> => spawnToExit([cliJs, "--help"])

/** `node -e 0`, spawn to exit: the floor every Node CLI pays. */
export const nodeToExit = (): Promise<number> => spawnToExit(["-e", "0"])

export interface DaemonCycle {
  readonly readyMs: number
  readonly sigtermToExitMs: number
  readonly exitCode: number | null
}

const waitFor = (check: () => boolean, timeoutMs: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("timed out waiting for the daemon"))
      yield* Effect.sleep(5)
    }
  })

/**
 * One daemon life: spawn → READY=1 → (optionally wait until a long action is running) → SIGTERM → exit.
 * Idle runs the default actions (none due in the seconds it lives); mid-run adds an every-second action
 * that sleeps a minute, with `shutdownGrace` set to `graceMs`.
 */
export const daemonCycle = (midRun: { readonly graceMs: number } | undefined): Promise<DaemonCycle> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const config = midRun === undefined
      ? { channels: [] }
      : {
        channels: [],
        heartbeat: { actions: [{ name: "slow", schedule: "@every 1s", module: "./slow.mjs" }] },
        daemon: { shutdownGrace: `${midRun.graceMs}ms` }
      }
    const home = yield* tempHome(config, "bench")
    if (midRun !== undefined) writeAction(home, "slow.mjs", "slow", `Effect.as(Effect.sleep("60 seconds"), { shouldNotify: false })`)
    const address = path.join(yield* tempDir, "notify.sock")
    const listener = yield* notifyListener(address)
    const started = monotonicMs()
    const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"], { NOTIFY_SOCKET: address })
    yield* waitFor(() => listener.messages.some((m) => m.message.startsWith("READY=1")), 20_000)
    const ready = listener.messages.find((m) => m.message.startsWith("READY=1"))!
    // An @every 1s slot falls within a second of READY; 1.3 s later the action is surely mid-run.
    if (midRun !== undefined) yield* Effect.sleep(1_300)
    const sent = monotonicMs()
    daemon.child.kill("SIGTERM")
    const result = yield* exited(daemon)
    const sigtermToExitMs = monotonicMs() - sent
    if (result.code !== 0) yield* Effect.logWarning(`daemon exited ${result.code}: ${result.stderr.slice(-500)}`)
    return { readyMs: ready.at * 1000 - started, sigtermToExitMs, exitCode: result.code }
  })))
