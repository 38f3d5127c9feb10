/**
 * `npm run bench:restart` (as root): how long a crashed daemon is gone.
 *
 * - systemd: the unit installed by scripts/install-systemd-service.sh in a real systemd (the shared
 *   systemd-sandbox), on a fresh home under /var/lib; `kill -9` of the main PID, then the time to READY=1
 *   (systemd's ActiveEnterTimestampMonotonic minus CLOCK_MONOTONIC read just before the kill).
 *   `systemctl reset-failed` between rounds keeps the start limits out of the measurement.
 * - supervisor: a detached `daemon start` (the supervisor); `kill -9` of the daemon child, then the time
 *   until the new daemon answers on its control socket. A fresh supervisor each round, so each kill is a
 *   first crash (the backoff grows with consecutive crashes).
 *
 * Prints one JSON object (median, min, max in ms) on stdout. `--rounds=N` (default 10).
 */
import { Effect } from "effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCli, tempHome, waitReady } from "../../test/layers/CliProcess.js"
import { killAndWaitReady, ROOT, sandbox, sandboxUnavailable } from "../../test/layers/SystemdSandbox.js"
import { spread } from "../lib/Stats.js"

const rounds = Number(process.argv.find((arg) => arg.startsWith("--rounds="))?.slice("--rounds=".length) ?? 10)
const UNIT = "agenc.service"

const underSystemd = Effect.gen(function*() {
  const home = `/var/lib/agenc-bench-${crypto.randomBytes(6).toString("hex")}`
  yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(home, { recursive: true, force: true })))
  const box = yield* sandbox
  const installed = box.exec("/bin/bash", path.join(ROOT, "scripts/install-systemd-service.sh"), "--home", home)
  if (installed.code !== 0) return yield* Effect.die(new Error(`install failed: ${installed.stderr}`))
  if (box.exec("systemctl", "start", UNIT).code !== 0) return yield* Effect.die(new Error("agenc.service did not start"))
  const runs: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    const back = yield* killAndWaitReady(box, UNIT, 30_000)
    if (back === undefined) return yield* Effect.die(new Error(`round ${round}: not back after kill -9`))
    runs.push(back.readyMs)
    box.exec("systemctl", "reset-failed", UNIT)
  }
  return spread(runs)
}).pipe(Effect.scoped)

const underSupervisor = Effect.gen(function*() {
  const runs: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    const ms = yield* Effect.scoped(Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [] }, channels: [] }, "bench restart")
      const started = yield* runCli(home, ["daemon", "start"])
      if (started.code !== 0) return yield* Effect.die(new Error(`daemon start: ${started.stderr}`))
      const pid = Number(started.stdout.trim())
      yield* Effect.addFinalizer(() => runCli(home, ["daemon", "stop"]))
      const killedAt = process.hrtime.bigint()
      process.kill(pid, "SIGKILL")
      for (;;) {
        const next = yield* waitReady(home, 30_000)
        if (next !== pid) return Number(process.hrtime.bigint() - killedAt) / 1e6
        yield* Effect.sleep(10)
      }
    }))
    runs.push(ms)
  }
  return spread(runs)
})

const program = Effect.gen(function*() {
  const unavailable = sandboxUnavailable()
  const systemd = unavailable === undefined ? yield* underSystemd : { skipped: unavailable }
  const supervisor = yield* underSupervisor
  const round = (s: unknown) =>
    typeof s === "object" && s !== null && "median" in s
      ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? v.map((x: number) => Math.round(x)) : Math.round(v as number)]))
      : s
  console.log(JSON.stringify({ rounds, killToReadySystemdMs: round(systemd), killToAnsweringSupervisorMs: round(supervisor) }, null, 2))
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exit(1)
})
