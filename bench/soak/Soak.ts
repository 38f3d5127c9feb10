/**
 * `npm run soak -- --minutes N [--actions K] [--rate R]`: the real built daemon (`dist/cli.js daemon start
 * --foreground` under `node --expose-gc`) as a child, with K custom actions (bench/soak/action.mjs) firing R
 * times a second each: a quarter notify (to a file channel and a loopback webhook served here), the rest are
 * quiet, one fails every run, one hangs until its timeout. Every `--sample` seconds (30) it samples the
 * daemon from outside: live heap after a full GC (the `debug.memory` control op), RSS and threads
 * (/proc/PID/status), open fds (/proc/PID/fd), CPU time, runs (the ledger's AUTOINCREMENT counter) and the
 * sizes of agenc.db (+ WAL), the log files and the outbox files. After a warm-up it prints slopes per run and
 * per day, and 30-day projections at the default schedules and at 1 run/s; JSON goes to
 * bench/results/soak-<date>.json.
 *
 * Other flags: --warmup MINUTES (default: a sixth of the run, at most 10), --sample SECONDS, --keep (leave
 * the temporary $AGENC_HOME), --cli PATH (another build of dist/cli.js, e.g. a copy taken before a rebuild).
 */
import Sqlite from "better-sqlite3"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { slope } from "../lib/Stats.js"
import { num, render } from "../lib/Table.js"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

// ---- arguments -------------------------------------------------------------------------------------
const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))
  if (index < 0) return undefined
  const arg = args[index]!
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[index + 1]
}
const number = (name: string, fallback: number, check: (n: number) => boolean = (n) => n > 0): number => {
  const text = flag(name)
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || !check(value)) {
    console.error(`--${name}: "${text}" is not a valid value`)
    process.exit(2)
  }
  return value
}
const minutes = number("minutes", 10)
const actionCount = number("actions", 20, (n) => Number.isInteger(n) && n >= 3)
const rate = number("rate", 1)
const sampleSeconds = number("sample", 30)
const warmupMinutes = number("warmup", Math.min(10, minutes / 6), (n) => n >= 0 && n < minutes)
const keepHome = args.includes("--keep")
const cli = path.resolve(flag("cli") ?? path.join(ROOT, "dist", "cli.js"))
if (!fs.existsSync(cli)) {
  console.error(`${cli} is missing: run npm run build`)
  process.exit(2)
}

const began = new Date()
const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`)

// ---- the loopback webhook --------------------------------------------------------------------------
let webhookHits = 0
const webhook = http.createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    webhookHits++
    response.writeHead(200, { "content-type": "application/json" }).end("{\"ok\":true}")
  })
})
await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve))
const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`

// ---- the daemon's home -----------------------------------------------------------------------------
const home = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-soak-"))
const schedule = rate === 1 ? "* * * * * *" : `@every ${Math.round(1000 / rate)}ms`
const modeOf = (index: number): string =>
  index === actionCount - 1 ? "hang" : index === actionCount - 2 ? "fail" : index % 4 === 0 ? "notify" : "quiet"
const actions = Array.from({ length: actionCount }, (_, index) => ({
  name: `soak-${String(index).padStart(3, "0")}-${modeOf(index)}`,
  schedule,
  module: path.join(ROOT, "bench", "soak", "action.mjs"),
  timeout: modeOf(index) === "hang" ? "2s" : "30s",
  ...(modeOf(index) === "notify" ? { channels: ["file", "webhook"] } : { channels: [] }),
  config: { mode: modeOf(index) }
}))
const config = {
  // 1,000 runs kept per action instead of 10,000: at 1 run/s the ledger reaches its bound in 17 minutes, not
  // 2.8 hours, so an hour's soak shows agenc.db flat at the bound rather than the ledger filling up.
  heartbeat: { ledgerSize: 1_000, actions },
  channels: [
    // Smaller than the defaults (10MB, 5 kept) so that a one-hour soak reaches the cap and shows the plateau.
    { type: "file", path: "outbox.jsonl", maxSize: "1MB", keep: 3 },
    { type: "webhook", url: webhookUrl, timeout: "5s" }
  ],
  runtime: { source: "local" },
  // Retention every minute instead of every 10: the database's saw-tooth stays below the sampling period.
  daemon: { logFile: { path: "logs/gateway.log", maxSize: "4MB", keep: 2 }, retention: { interval: "1m" } },
  log: { level: "info", format: "json" }
}
fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config, null, 2))
fs.mkdirSync(path.join(home, "logs"), { recursive: true, mode: 0o700 })
const logFile = path.join(home, "logs", "gateway.log")

// ---- the daemon ------------------------------------------------------------------------------------
// Its output goes to the log file exactly as a detached `daemon start` sends it there.
const logFd = fs.openSync(logFile, "a", 0o600)
const daemon = spawn(process.execPath, ["--expose-gc", cli, "daemon", "start", "--foreground"], {
  env: { ...process.env, AGENC_HOME: home, TZ: "UTC" },
  stdio: ["ignore", logFd, logFd]
})
fs.closeSync(logFd)
const pid = daemon.pid!
let exited: string | undefined
daemon.on("exit", (code, signal) => (exited = `code ${code ?? "-"} signal ${signal ?? "-"}`))

const request = (body: unknown, timeoutMs = 15_000): Promise<{ ok: boolean; result?: any; error?: string }> =>
  new Promise((resolve, reject) => {
    const socket = net.createConnection(path.join(home, "gateway.sock"))
    let buffer = ""
    const timer = setTimeout(() => (socket.destroy(), reject(new Error("control socket timed out"))), timeoutMs)
    socket.setEncoding("utf8")
    socket.on("connect", () => socket.write(JSON.stringify(body) + "\n"))
    socket.on("data", (chunk: string) => (buffer += chunk))
    socket.on("error", (error) => (clearTimeout(timer), reject(error)))
    socket.on("close", () => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(buffer))
      } catch {
        reject(new Error(`bad answer ${JSON.stringify(buffer)}`))
      }
    })
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
for (let tries = 0; ; tries++) {
  if (exited !== undefined) {
    console.error(`the daemon exited (${exited}) before it was ready:\n${fs.readFileSync(logFile, "utf8").slice(-4_000)}`)
    process.exit(1)
  }
  const answer = await request({ op: "ping" }, 1_000).catch(() => undefined)
  if (answer?.ok === true) break
  if (tries > 600) {
    console.error("the daemon did not become ready within 60 s")
    daemon.kill("SIGKILL")
    process.exit(1)
  }
  await sleep(100)
}

// ---- sampling --------------------------------------------------------------------------------------
interface Sample {
  readonly t: number
  readonly runs: number
  readonly heapUsed: number
  readonly external: number
  readonly rss: number
  readonly threads: number
  readonly fds: number
  readonly cpuSeconds: number
  readonly db: number
  readonly wal: number
  readonly logs: number
  readonly outbox: number
  readonly webhookHits: number
}

const size = (file: string): number => {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}
/** The file and its rotated siblings (`name.1`, `name.2`, …). */
const family = (file: string): number =>
  fs.readdirSync(path.dirname(file)).filter((name) => name === path.basename(file) || name.startsWith(`${path.basename(file)}.`))
    .reduce((sum, name) => sum + size(path.join(path.dirname(file), name)), 0)
const status = (field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return match === null ? Number.NaN : Number(match[1])
}
const cpuSeconds = (): number => {
  // Fields after the command name (which may contain spaces): utime and stime are fields 14 and 15.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}
const dbFile = path.join(home, "agenc.db")
const runCount = (): number => {
  // Read-only and brief: the AUTOINCREMENT counter counts every run ever recorded, pruned or not.
  const db = new Sqlite(dbFile, { readonly: true, fileMustExist: true })
  try {
    const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'runs'").get() as { seq: number } | undefined
    return row?.seq ?? 0
  } finally {
    db.close()
  }
}

const started = performance.now()
const samples: Array<Sample> = []
const take = async (): Promise<Sample> => {
  const memory = await request({ op: "debug.memory" })
  if (!memory.ok) throw new Error(`debug.memory: ${memory.error}`)
  return {
    t: (performance.now() - started) / 1000,
    runs: runCount(),
    heapUsed: memory.result.heapUsed,
    external: memory.result.external,
    rss: status("VmRSS") * 1024,
    threads: status("Threads"),
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    cpuSeconds: cpuSeconds(),
    db: size(dbFile),
    wal: size(`${dbFile}-wal`),
    logs: family(logFile),
    outbox: family(path.join(home, "outbox.jsonl")),
    webhookHits
  }
}

log(`soak: PID ${pid}, ${actionCount} actions × ${rate}/s for ${minutes} min (warm-up ${num(warmupMinutes)} min), sampled every ${sampleSeconds} s; home ${home}`)
const end = started + minutes * 60_000
let stopping = false
process.on("SIGINT", () => (stopping = true))
process.on("SIGTERM", () => (stopping = true))
for (let next = started; !stopping && exited === undefined && performance.now() < end + 1;) {
  const sample = await take().catch((error: unknown) => {
    log(`sample failed: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  })
  if (sample !== undefined) {
    samples.push(sample)
    log(`t=${num(sample.t / 60)} min runs=${sample.runs} heap=${num(sample.heapUsed / 2 ** 20, 2)} MB rss=${num(sample.rss / 2 ** 20)} MB fds=${sample.fds} threads=${sample.threads} db=${num((sample.db + sample.wal) / 1024)} KB logs=${num(sample.logs / 1024)} KB outbox=${num(sample.outbox / 1024)} KB`)
  }
  next += sampleSeconds * 1000
  while (!stopping && exited === undefined && performance.now() < Math.min(next, end)) await sleep(Math.min(500, next - performance.now()))
  if (performance.now() >= end && (samples.at(-1)?.t ?? 0) * 1000 >= minutes * 60_000 - 1000) break
}

// ---- stop ------------------------------------------------------------------------------------------
const crashed = exited
if (crashed === undefined) {
  daemon.kill("SIGTERM")
  await new Promise((resolve) => daemon.once("exit", resolve))
}
webhook.close()

// ---- report ----------------------------------------------------------------------------------------
const warm = samples.filter((s) => s.t >= warmupMinutes * 60)
const first = warm[0]
const last = samples.at(-1)
if (first === undefined || last === undefined || warm.length < 2) {
  console.error(`too few samples after the warm-up (${warm.length}); run longer`)
  process.exit(1)
}
const runs = last.runs - first.runs
const DAY = 86_400
/** The default schedules: task-scan every 5 min (288 a day), portfolio-monitor hourly (24), daily-summary (1). */
const DEFAULT_RUNS_PER_DAY = 288 + 24 + 1
const THIRTY_DAYS_AT_1_PER_S = 30 * DAY
const metrics: ReadonlyArray<{ readonly key: keyof Sample; readonly label: string; readonly unit: "bytes" | "count" }> = [
  { key: "heapUsed", label: "live heap after GC", unit: "bytes" },
  { key: "external", label: "external (Buffers, native)", unit: "bytes" },
  { key: "rss", label: "RSS", unit: "bytes" },
  { key: "fds", label: "open fds", unit: "count" },
  { key: "threads", label: "threads", unit: "count" },
  { key: "db", label: "agenc.db", unit: "bytes" },
  { key: "wal", label: "agenc.db-wal", unit: "bytes" },
  { key: "logs", label: "log files", unit: "bytes" },
  { key: "outbox", label: "outbox files", unit: "bytes" }
]
const figures = metrics.map(({ key, label, unit }) => {
  const perRun = slope(warm.map((s) => [s.runs, s[key]] as const))
  const perDay = slope(warm.map((s) => [s.t / DAY, s[key]] as const))
  const values = warm.map((s) => s[key])
  return {
    key,
    label,
    unit,
    afterWarmup: first[key],
    end: last[key],
    min: Math.min(...values),
    max: Math.max(...values),
    perRun,
    perDay,
    at30DaysDefault: first[key] + perRun * DEFAULT_RUNS_PER_DAY * 30,
    at30DaysOnePerSecond: first[key] + perRun * THIRTY_DAYS_AT_1_PER_S
  }
})
const amount = (value: number, unit: "bytes" | "count", digits = 1): string => {
  if (!Number.isFinite(value)) return "n/a"
  if (unit === "count") return num(value, digits)
  const abs = Math.abs(value)
  return abs >= 2 ** 30 ? `${num(value / 2 ** 30, 2)} GB` : abs >= 2 ** 20 ? `${num(value / 2 ** 20, 2)} MB` : abs >= 1024 ? `${num(value / 1024, 1)} KB` : `${num(value, 1)} B`
}
const seconds = last.t - first.t
const cpuPct = (100 * (last.cpuSeconds - first.cpuSeconds)) / seconds
const rssDrift = Math.max(...warm.map((s) => Math.abs(s.rss - first.rss))) / first.rss
const cpu = os.cpus()
const machine = `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`
const command = `npm run soak -- ${args.join(" ")}`.trimEnd()
const table = render(
  ["figure", "after warm-up", "end", "min–max", "per run", "per day (this rate)", "30 d @ defaults", "30 d @ 1 run/s"],
  figures.map((f) => [
    f.label,
    amount(f.afterWarmup, f.unit),
    amount(f.end, f.unit),
    `${amount(f.min, f.unit)}–${amount(f.max, f.unit)}`,
    amount(f.perRun, f.unit, 3),
    amount(f.perDay, f.unit),
    amount(f.at30DaysDefault, f.unit),
    amount(f.at30DaysOnePerSecond, f.unit)
  ])
)
console.log(`\nagenc soak — ${began.toISOString()} — ${machine}`)
console.log(`${command}: ${actionCount} actions × ${rate}/s, ${num(minutes)} min, warm-up ${num(warmupMinutes)} min, ${samples.length} samples`)
console.log(`runs: ${last.runs} in all, ${runs} after warm-up (${num(runs / seconds, 2)}/s); webhook deliveries ${last.webhookHits}; daemon CPU ${num(cpuPct, 2)} % after warm-up`)
console.log(`RSS drift after warm-up: max ${num(100 * rssDrift, 1)} % of its value then${crashed === undefined ? "" : `; THE DAEMON EXITED EARLY (${crashed})`}\n`)
console.log(table)
console.log("\nper run: least-squares slope over the ledger's run counter; 30 d: the value after warm-up + slope × runs in 30 days")
console.log(`(defaults: ${DEFAULT_RUNS_PER_DAY} runs a day; 1 run/s: ${THIRTY_DAYS_AT_1_PER_S} runs). Bounded files plateau: read their max, not the line.`)

const resultsDir = path.join(ROOT, "bench", "results")
fs.mkdirSync(resultsDir, { recursive: true })
const out = path.join(resultsDir, `soak-${began.toISOString().replace(/[:.]/g, "-")}.json`)
fs.writeFileSync(out, JSON.stringify({ date: began.toISOString(), machine, command, actions: actionCount, rate, minutes, warmupMinutes, sampleSeconds, runs: last.runs, runsAfterWarmup: runs, cpuPct, rssDrift, crashed: crashed ?? null, figures, samples, table }, null, 2))
log(`JSON in ${path.relative(ROOT, out)}`)
if (!keepHome) fs.rmSync(home, { recursive: true, force: true })
else log(`home kept: ${home}`)
process.exit(crashed === undefined ? 0 : 1)
