/**
 * SIGTERM to exit of the built daemon (`agenc daemon start --foreground`, a temporary `AGENC_HOME`, no
 * actions due) with N idle connections open on `gateway.sock`: each round starts a daemon, opens N
 * `net.connect` clients that send nothing, sends SIGTERM and times the signal to the process's exit, as
 * this (the runner's) process sees it. Run: `npm run build && npx vite-node bench/shutdown/IdleConnections.ts
 * [rounds] [connections...]` (defaults: 7 rounds of 0 and 50). Set `AGENC_BENCH_DEBUG=1` to print the
 * daemon's last debug lines (the shutdown steps, with timestamps) of the last round.
 */
import { Effect } from "effect"
import * as path from "node:path"
import { exited, spawnCli, tempHome, waitReady } from "../../test/layers/CliProcess.js"
import { idleConnection } from "../../test/layers/RawSocket.js"

const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6

/** One daemon life: ready, N idle connections, SIGTERM, exit; answers the signal-to-exit time in ms. */
const sigtermWithIdleConnections = (connections: number, debug = false) =>
  Effect.scoped(Effect.gen(function*() {
    const home = yield* tempHome({ channels: [], ...(debug ? { log: { level: "debug" } } : {}) }, "bench-shutdown")
    const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
    yield* waitReady(home)
    const socket = path.join(home, "gateway.sock")
    const open = yield* Effect.forEach(Array.from({ length: connections }), () => idleConnection(socket))
    // Let the daemon accept every connection before the signal.
    yield* Effect.sleep(300)
    const sent = monotonicMs()
    if (debug) console.error(`SIGTERM sent at ${new Date().toISOString()}`)
    daemon.child.kill("SIGTERM")
    const result = yield* exited(daemon)
    const ms = monotonicMs() - sent
    if (result.code !== 0) yield* Effect.logWarning(`daemon exited ${result.code}: ${result.stderr.slice(-500)}`)
    const ended = open.filter((conn) => conn.readableEnded || conn.destroyed || conn.closed).length
    if (debug) console.error(`${result.stderr.split("\n").slice(-8).join("\n")}\nexit seen at ${new Date().toISOString()}`)
    return { ms, code: result.code, ended }
  }))

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

{
  const [roundsArg, ...countArgs] = process.argv.slice(2)
  const rounds = Number(roundsArg ?? 7)
  const counts = countArgs.length > 0 ? countArgs.map(Number) : [0, 50]
  const debug = process.env.AGENC_BENCH_DEBUG === "1"
  for (const count of counts) {
    const times: Array<number> = []
    const codes = new Set<number | null>()
    for (let round = 0; round < rounds; round++) {
      const { code, ms } = await Effect.runPromise(sigtermWithIdleConnections(count, debug && round === rounds - 1))
      times.push(ms)
      codes.add(code)
    }
    console.log(
      `${String(count).padStart(3)} idle connections: SIGTERM to exit median ${median(times).toFixed(0)} ms, ` +
        `min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)} (${rounds} rounds; exit codes ${[...codes].join(",")}) ` +
        `[${times.map((t) => t.toFixed(0)).join(" ")}]`
    )
  }
}
