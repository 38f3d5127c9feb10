/**
 * Fire latency of node-cron: one task per schedule via `cron.schedule`. Measured against the nearest
 * whole second, as for croner (TZ=UTC, default local-time mode).
 */
import cron from "node-cron"
import { nowMs } from "../lib/HiResClock.js"
import { argInt, emit } from "../lib/Report.js"
import { EVERY_SECOND, otherSchedule } from "../lib/Workload.js"

const slots = argInt("slots", 60)
const others = argInt("others", 0)
const warmup = argInt("warmup", 2)

const now = Date.now()
for (let i = 0; i < others; i++) cron.schedule(otherSchedule(i, now), () => {})
const samples: Array<number> = []
let fired = 0
cron.schedule(EVERY_SECOND, () => {
  const startedAt = nowMs()
  if (++fired > warmup && samples.length < slots) samples.push(startedAt - Math.round(startedAt / 1000) * 1000)
  if (samples.length === slots) {
    emit("result", { library: "node-cron", others, samples })
    process.exit(0)
  }
})
