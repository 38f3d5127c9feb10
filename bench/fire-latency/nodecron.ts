/**
 * Fire latency of node-cron: one task per schedule via `cron.schedule`; `--slots` samples idle, then with
 * `--others` daily tasks. Measured against the nearest whole second, as for croner (TZ=UTC, default
 * local-time mode).
 */
import cron from "node-cron"
import { nowMs } from "../lib/HiResClock.js"
import { emit } from "../lib/Report.js"
import { firePlan, nearestSecond, Phases } from "../lib/Phases.js"
import { EVERY_SECOND, otherSchedule } from "../lib/Workload.js"

const plan = firePlan()
const phases = new Phases(plan, () =>
  setTimeout(() => {
    const now = Date.now()
    for (let i = 0; i < plan.others; i++) cron.schedule(otherSchedule(i, now), () => {})
    phases.registered()
  }, 100), () => {
  emit("result", phases.result("node-cron"))
  process.exit(0)
})
cron.schedule(EVERY_SECOND, () => phases.sample(nearestSecond(nowMs())))
