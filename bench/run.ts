/**
 * `npm run bench`: measures agenc's scheduler, CLI and daemon against croner, node-cron and bare Node,
 * each library in its own child process, and prints one table (JSON in bench/results/<date>.json).
 * `--quick` shortens every phase for development and the CI smoke; its figures mean little.
 *
 * Order matters on a small machine: start-up; scale, whose registrations take turns and whose 30-s idle
 * windows overlap each other and the task scan (an idle child's CPU is its own); and last and alone, fire
 * latency, whose children take turns so that no two wake on the same second. The whole run takes under
 * 5 minutes on 2 cores; `--quick` (the CI smoke) under a minute. Endurance (heap, RSS, fds, files over
 * hours of the real daemon) is `npm run soak` (bench/soak/Soak.ts), not part of this run.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { childResult, ROOT, runChild } from "./lib/Child.js"
import type { ScaleResult } from "./lib/Idle.js"
import type { FireResult } from "./lib/Phases.js"
import { distribution, quantile, type Spread, spread } from "./lib/Stats.js"
import { cell, num, ratio, render } from "./lib/Table.js"
import { daemonCycle, helpToExit, nodeToExit } from "./startup/Startup.js"

const quick = process.argv.includes("--quick")
const plan = quick
  ? { fireRounds: 1, fireSlots: 2, warmup: 0, others: 1_000, sizes: [1_000], bigSize: 0, scaleReps: 1, idleMs: 1_000, startupReps: 1, graceMs: 300, scan: false }
  : { fireRounds: 2, fireSlots: 12, warmup: 1, others: 10_000, sizes: [1_000, 10_000], bigSize: 100_000, scaleReps: 3, idleMs: 30_000, startupReps: 5, graceMs: 1_000, scan: true }

const began = Date.now()
const log = (message: string) => console.error(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}`)

// ---- start-up and shutdown -------------------------------------------------------------------------
log("start-up and shutdown")
const startupRuns = { node: [] as Array<number>, help: [] as Array<number>, ready: [] as Array<number>, termIdle: [] as Array<number>, termMidRun: [] as Array<number> }
for (let rep = 0; rep < plan.startupReps; rep++) {
  startupRuns.node.push(await nodeToExit())
  startupRuns.help.push(await helpToExit())
  const idle = await daemonCycle(undefined)
  startupRuns.ready.push(idle.readyMs)
  startupRuns.termIdle.push(idle.sigtermToExitMs)
  startupRuns.termMidRun.push((await daemonCycle({ graceMs: plan.graceMs })).sigtermToExitMs)
}
const startup = Object.fromEntries(Object.entries(startupRuns).map(([key, runs]) => [key, spread(runs)])) as Record<keyof typeof startupRuns, Spread>

// ---- scale -----------------------------------------------------------------------------------------
// Children are chained: each starts once the previous one has registered, so registrations (CPU-bound)
// never overlap, while the 30-s idle windows (which should cost nothing) do.
log("scale")
const scaleJobs: Array<Promise<ScaleResult>> = []
const scaleCases = [
  ...Array.from({ length: plan.scaleReps }, () => plan.sizes.flatMap((n) => ["agenc", "croner", "effect-naive"].map((library) => ({ library, n })))).flat(),
  ...(plan.bigSize > 0 ? ["agenc", "croner"].map((library) => ({ library, n: plan.bigSize })) : [])
]
for (const { library, n } of scaleCases) {
  const child = await runChild(`bench/scale/${library}.ts`, [`--n=${n}`, `--idle-ms=${plan.idleMs}`])
  scaleJobs.push(child.done.then((output) => output.result as ScaleResult))
  await child.when("registered")
}

// ---- task scan (another bench's file), while the scale children idle --------------------------------
/** bench/taskScan.ts runs under vite-node (it locates its output by its own path) and prints its JSON, then "wrote <file>". */
const runTaskScan = () =>
  new Promise<unknown>((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "vite-node"), ["bench/taskScan.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] })
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const json = stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1)
      if (code === 0 && json !== "") resolve(JSON.parse(json))
      else reject(new Error(`bench/taskScan.ts exited ${code}`))
    })
  })
const scanFile = path.join(ROOT, "bench", "taskScan.ts")
let scan: unknown = plan.scan ? "bench/taskScan.ts not present" : "skipped with --quick"
if (plan.scan && fs.existsSync(scanFile)) {
  log("task scan (bench/taskScan.ts), during the scale children's idle windows")
  scan = await runTaskScan().catch((error: unknown) => String(error))
}
const scaleResults = await Promise.all(scaleJobs)
const scaleFigure = (library: string, n: number, field: keyof Omit<ScaleResult, "library" | "n">): Spread | undefined => {
  const runs = scaleResults.filter((r) => r.library === library && r.n === n).map((r) => r[field])
  return runs.length === 0 ? undefined : spread(runs)
}

// ---- fire latency ----------------------------------------------------------------------------------
// One child per library and round: `fireSlots` samples idle, then with `others` registered. Rounds
// alternate the libraries' order so none always runs first.
log(`fire latency: ${plan.fireRounds} round(s) × ${plan.fireSlots} slots per library, idle and with ${plan.others} others`)
const fireLibraries = ["agenc", "croner", "nodecron"] as const
const fireSamples = new Map<string, Array<number>>()
const fireRoundP99 = new Map<string, Array<number>>()
const fireCpu = new Map<string, Array<number>>()
for (let round = 0; round < plan.fireRounds; round++) {
  const order = round % 2 === 0 ? fireLibraries : [...fireLibraries].reverse()
  for (const library of order) {
    const result = await childResult<FireResult>(`bench/fire-latency/${library}.ts`, [
      `--slots=${plan.fireSlots}`,
      `--others=${plan.others}`,
      `--warmup=${plan.warmup}`
    ])
    for (const [others, samples] of [[0, result.idle], [plan.others, result.loaded]] as const) {
      const key = `${library}/${others}`
      fireSamples.set(key, [...(fireSamples.get(key) ?? []), ...samples])
      fireRoundP99.set(key, [...(fireRoundP99.get(key) ?? []), quantile(samples, 0.99)])
    }
    fireCpu.set(library, [...(fireCpu.get(library) ?? []), result.idleCpuPct])
  }
}
const fire = Object.fromEntries([...fireSamples].map(([key, samples]) => [key, { ...distribution(samples), roundP99: spread(fireRoundP99.get(key)!) }]))

const KB = 1024

// ---- report ----------------------------------------------------------------------------------------
const f = (key: string) => fire[key]!
const rows: Array<Array<string>> = []
for (const others of [0, plan.others]) {
  const label = others === 0 ? "idle" : `+${others} others`
  for (const stat of ["min", "p50", "p99", "max"] as const) {
    rows.push([
      `fire latency ${label} ${stat} (ms)`,
      num(f(`agenc/${others}`)[stat], 2),
      num(f(`croner/${others}`)[stat], 2),
      num(f(`nodecron/${others}`)[stat], 2),
      ratio(f(`agenc/${others}`)[stat], f(`croner/${others}`)[stat]),
      stat === "min" ? "≥ 0" : stat === "p99" ? (others === 0 ? "≤ 2" : "≤ 3") : stat === "max" && others === 0 ? "≤ 5" : ""
    ])
  }
  rows.push([`  p99 per round (ms) ${label}`, cell(f(`agenc/${others}`).roundP99, 2), cell(f(`croner/${others}`).roundP99, 2), cell(f(`nodecron/${others}`).roundP99, 2), "", ""])
}
const cpuCell = (library: string) => cell(spread(fireCpu.get(library)!), 2)
rows.push(["CPU, every-second probe, idle phase (% of a core)", cpuCell("agenc"), cpuCell("croner"), cpuCell("nodecron"), "", ""])
for (const n of [...plan.sizes, ...(plan.bigSize > 0 ? [plan.bigSize] : [])]) {
  const a = (field: keyof Omit<ScaleResult, "library" | "n">) => scaleFigure("agenc", n, field)
  const c = (field: keyof Omit<ScaleResult, "library" | "n">) => scaleFigure("croner", n, field)
  const e = (field: keyof Omit<ScaleResult, "library" | "n">) => scaleFigure("effect-naive", n, field)
  const kb = (s: Spread | undefined) => s === undefined ? undefined : spread(s.runs.map((v) => v / KB))
  rows.push([`heap per action @${n} (KB)`, cell(kb(a("heapPerAction")), 2), cell(kb(c("heapPerAction")), 2), e("heapPerAction") ? `naive ${cell(kb(e("heapPerAction")), 2)}` : "", ratio(a("heapPerAction")!.median, c("heapPerAction")!.median), n === 10_000 ? "≤ 5" : ""])
  rows.push([`RSS per action @${n} (KB)`, cell(kb(a("rssPerAction")), 2), cell(kb(c("rssPerAction")), 2), e("rssPerAction") ? `naive ${cell(kb(e("rssPerAction")), 2)}` : "", ratio(a("rssPerAction")!.median, c("rssPerAction")!.median), ""])
  rows.push([`time to register ${n} (ms)`, cell(a("registerMs"), 0), cell(c("registerMs"), 0), e("registerMs") ? `naive ${cell(e("registerMs"), 0)}` : "", ratio(a("registerMs")!.median, c("registerMs")!.median), n === 10_000 ? "≤ croner" : ""])
  rows.push([`  CPU to register ${n} (ms)`, cell(a("registerCpuMs"), 0), cell(c("registerCpuMs"), 0), e("registerCpuMs") ? `naive ${cell(e("registerCpuMs"), 0)}` : "", ratio(a("registerCpuMs")!.median, c("registerCpuMs")!.median), ""])
  rows.push([`idle CPU @${n} over ${plan.idleMs / 1000} s (%)`, cell(a("idleCpuPct"), 2), cell(c("idleCpuPct"), 2), e("idleCpuPct") ? `naive ${cell(e("idleCpuPct"), 2)}` : "", "", "< 1"])
}
rows.push(["agenc --help to exit (ms)", cell(startup.help, 0), "", `node -e 0: ${cell(startup.node, 0)}`, ratio(startup.help.median, startup.node.median), "≤ 200 or ≤ 2.5×"])
rows.push(["daemon spawn to READY=1 (ms)", cell(startup.ready, 0), "", `node -e 0: ${cell(startup.node, 0)}`, ratio(startup.ready.median, startup.node.median), "≤ 250 or ≤ 2.5×"])
rows.push(["SIGTERM to exit, idle (ms)", cell(startup.termIdle, 0), "", "", "", "≤ 100"])
rows.push([`SIGTERM to exit, action mid-run (ms)`, cell(startup.termMidRun, 0), "", `grace ${plan.graceMs}`, ratio(startup.termMidRun.median, plan.graceMs), `≤ grace + teardown`])
const scanFigures = scan as { ledger?: { typical?: { medianMs: number; minMs: number; maxMs: number }; unlimited?: { medianMs: number; minMs: number; maxMs: number; matched: number } }; decode?: { medianMs: number; p10Ms: number; p90Ms: number } }
const scanCell = (figure: { medianMs: number; minMs?: number; maxMs?: number; p10Ms?: number; p90Ms?: number } | undefined) =>
  figure === undefined ? "–" : `${num(figure.medianMs, 2)} (${num(figure.minMs ?? figure.p10Ms ?? Number.NaN, 2)}–${num(figure.maxMs ?? figure.p90Ms ?? Number.NaN, 2)})`
if (typeof scan === "object" && scan !== null) {
  rows.push(["local scan of 100,000 tasks, limit 50 (ms)", scanCell(scanFigures.ledger?.typical), "", "", "", "≤ 50"])
  rows.push([`  same, no limit: ${scanFigures.ledger?.unlimited?.matched ?? "?"} matches (ms)`, scanCell(scanFigures.ledger?.unlimited), "", "", "", ""])
  rows.push(["decode 10,000 task accounts (ms, p10–p90)", scanCell(scanFigures.decode), "", "", "", "≤ 100"])
}

const cpu = os.cpus()
const machine = `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`
const table = render(["figure", "agenc", "croner", "node-cron / baseline", "agenc ÷ croner|base", "target"], rows)
console.log(`\nagenc bench${quick ? " (--quick: figures are not meaningful)" : ""} — ${new Date(began).toISOString()} — ${machine}\n`)
console.log(table)
if (typeof scan === "string") console.log(`\ntask scan: ${scan}`)

const resultsDir = path.join(ROOT, "bench", "results")
fs.mkdirSync(resultsDir, { recursive: true })
const file = path.join(resultsDir, `${new Date(began).toISOString().replace(/[:.]/g, "-")}${quick ? "-quick" : ""}.json`)
fs.writeFileSync(file, JSON.stringify({ date: new Date(began).toISOString(), machine, quick, plan, fire, scale: scaleResults, startup, scan, table }, null, 2))
log(`done; JSON in ${path.relative(ROOT, file)}`)
process.exit(0)
