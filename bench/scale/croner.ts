/** croner at scale: `--n` daily `Cron` jobs (TZ=UTC, default local-time mode; see fire-latency/croner.ts). */
import { Cron } from "croner"
import { measureScale } from "../lib/Idle.js"
import { argInt, emit, memoryAfterGc } from "../lib/Report.js"
import { otherSchedule } from "../lib/Workload.js"

const n = argInt("n", 10_000)
const idleMs = argInt("idle-ms", 30_000)
const jobs: Array<Cron> = []
const baseline = memoryAfterGc()
emit("result", await measureScale("croner", n, idleMs, baseline, async () => {
  const now = Date.now()
  for (let i = 0; i < n; i++) jobs.push(new Cron(otherSchedule(i, now), () => {}))
}, () => emit("registered")))
process.exit(0)
