/**
 * The design agenc's scheduler replaced, for reference: one fiber per action repeating on
 * `Schedule.cron`. Not a competitor, a measure of what one dispatcher fiber plus a heap saves.
 */
import { Cron, Effect, Either, Schedule } from "effect"
import { measureScale } from "../lib/Idle.js"
import { argInt, emit, memoryAfterGc } from "../lib/Report.js"
import { otherSchedule } from "../lib/Workload.js"

const n = argInt("n", 10_000)
const idleMs = argInt("idle-ms", 30_000)
const baseline = memoryAfterGc()
emit("result", await measureScale("effect-naive", n, idleMs, baseline, async () => {
  const now = Date.now()
  for (let i = 0; i < n; i++) {
    const cron = Either.getOrThrow(Cron.parse(otherSchedule(i, now)))
    Effect.runFork(Effect.repeat(Effect.void, Schedule.cron(cron)))
  }
  // Let every fiber reach its first sleep before memory is read.
  await new Promise((resolve) => setTimeout(resolve, 50))
}, () => emit("registered")))
process.exit(0)
