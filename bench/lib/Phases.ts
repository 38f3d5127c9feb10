import { recalibrate } from "./HiResClock.js"
import { argInt } from "./Report.js"

/** What a fire-latency child is asked for: samples per phase, other schedules, fires skipped after each change. */
export interface FirePlan {
  readonly slots: number
  readonly others: number
  readonly warmup: number
}

export const firePlan = (): FirePlan => ({ slots: argInt("slots", 20), others: argInt("others", 10_000), warmup: argInt("warmup", 1) })

/** Latency against the nearest whole second, for libraries that do not pass the slot to the callback. */
export const nearestSecond = (startedAt: number): number => startedAt - Math.round(startedAt / 1000) * 1000

/** What a fire-latency child reports. */
export interface FireResult {
  readonly library: string
  readonly others: number
  readonly idle: ReadonlyArray<number>
  readonly loaded: ReadonlyArray<number>
  /** CPU (user + system) over the idle phase, in % of one core: what an every-second schedule costs. */
  readonly idleCpuPct: number
}

/**
 * The two phases of a fire-latency child: `warmup` fires skipped (JIT, statement preparation), `slots`
 * samples idle; `onIdleDone` registers the others and calls `registered`; `warmup` more skipped (the
 * fire during registration), `slots` samples; then `onDone`. After each fire the sub-millisecond clock is
 * re-pinned (300 ms later, away from any slot) so the wall and monotonic clocks cannot drift apart.
 */
export class Phases {
  readonly idle: Array<number> = []
  readonly loaded: Array<number> = []
  private phase: "idle" | "registering" | "loaded" | "done" = "idle"
  private skip: number
  private cpuFrom: { readonly usage: NodeJS.CpuUsage; readonly at: number } | undefined
  private idleCpuPct = Number.NaN

  constructor(readonly plan: FirePlan, private readonly onIdleDone: () => void, private readonly onDone: () => void) {
    this.skip = plan.warmup
  }

  sample(latencyMs: number): void {
    setTimeout(recalibrate, 300)
    if (this.phase === "registering" || this.phase === "done") return
    if (this.skip > 0) {
      this.skip--
      return
    }
    const into = this.phase === "idle" ? this.idle : this.loaded
    into.push(latencyMs)
    if (this.phase === "idle" && this.cpuFrom === undefined) this.cpuFrom = { usage: process.cpuUsage(), at: performance.now() }
    if (into.length < this.plan.slots) return
    if (this.phase === "idle") {
      const used = process.cpuUsage(this.cpuFrom!.usage)
      this.idleCpuPct = ((used.user + used.system) / 1000 / (performance.now() - this.cpuFrom!.at)) * 100
      this.phase = "registering"
      this.onIdleDone()
    } else {
      this.phase = "done"
      this.onDone()
    }
  }

  registered(): void {
    this.phase = "loaded"
    this.skip = this.plan.warmup
  }

  result(library: string): FireResult {
    return { library, others: this.plan.others, idle: this.idle, loaded: this.loaded, idleCpuPct: this.idleCpuPct }
  }
}
