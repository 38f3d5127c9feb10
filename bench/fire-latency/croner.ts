/**
 * Fire latency of croner: one `Cron` per schedule, as its README shows. croner does not pass the slot to
 * the callback, so a sample is measured against the nearest whole second (valid while |latency| < 500 ms;
 * an early fire shows as a negative sample). Children run with TZ=UTC and croner in its default local-time
 * mode: its `timezone` option goes through Intl per job and makes 10,000 registrations take ~16 s.
 */
import { Cron } from "croner"
import { nowMs } from "../lib/HiResClock.js"
import { argInt, emit } from "../lib/Report.js"
import { EVERY_SECOND, otherSchedule } from "../lib/Workload.js"

const slots = argInt("slots", 60)
const others = argInt("others", 0)
const warmup = argInt("warmup", 2)

const now = Date.now()
const jobs = Array.from({ length: others }, (_, i) => new Cron(otherSchedule(i, now), () => {}))
const samples: Array<number> = []
let fired = 0
const probe = new Cron(EVERY_SECOND, () => {
  const startedAt = nowMs()
  if (++fired > warmup && samples.length < slots) samples.push(startedAt - Math.round(startedAt / 1000) * 1000)
  if (samples.length === slots) {
    probe.stop()
    for (const job of jobs) job.stop()
    emit("result", { library: "croner", others, samples })
    process.exit(0)
  }
})
