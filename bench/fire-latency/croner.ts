/**
 * Fire latency of croner: one `Cron` per schedule, as its README shows; `--slots` samples idle, then
 * with `--others` daily jobs. croner does not pass the slot to the callback, so a sample is measured
 * against the nearest whole second (valid while |latency| < 500 ms; an early fire shows as a negative
 * sample). Children run with TZ=UTC and croner in its default local-time mode: its `timezone` option goes
 * through Intl per job and makes 10,000 registrations take ~16 s.
 */
import { Cron } from "croner"
import { nowMs } from "../lib/HiResClock.js"
import { emit } from "../lib/Report.js"
import { firePlan, nearestSecond, Phases } from "../lib/Phases.js"
import { EVERY_SECOND, otherSchedule } from "../lib/Workload.js"

const plan = firePlan()
const jobs: Array<Cron> = []
const phases = new Phases(plan, () =>
  // Registered from outside the callback, as a reload would.
  setTimeout(() => {
    const now = Date.now()
    for (let i = 0; i < plan.others; i++) jobs.push(new Cron(otherSchedule(i, now), () => {}))
    phases.registered()
  }, 100), () => {
  probe.stop()
  for (const job of jobs) job.stop()
  emit("result", phases.result("croner"))
  process.exit(0)
})
const probe = new Cron(EVERY_SECOND, () => phases.sample(nearestSecond(nowMs())))
