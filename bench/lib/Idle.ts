import { memoryAfterGc } from "./Report.js"
import { sleep } from "./Workload.js"

/** What a scale child reports. */
export interface ScaleResult {
  readonly library: string
  readonly n: number
  readonly registerMs: number
  /** The CPU (user + system) the registration used: on a loaded machine, less noisy than its wall time. */
  readonly registerCpuMs: number
  readonly heapPerAction: number
  readonly rssPerAction: number
  readonly idleCpuPct: number
}

/**
 * Measures one library at `n` actions: `register` is timed, memory is the after-GC difference from
 * `baseline`, then the process idles for `idleMs` and reports the CPU it used (user + system) as a
 * percentage of one core.
 */
export const measureScale = async (
  library: string,
  n: number,
  idleMs: number,
  baseline: { readonly heapUsed: number; readonly rss: number },
  register: () => Promise<void>,
  onRegistered: () => void
): Promise<ScaleResult> => {
  const started = performance.now()
  const startedCpu = process.cpuUsage()
  await register()
  const registerMs = performance.now() - started
  const registerCpu = process.cpuUsage(startedCpu)
  const after = memoryAfterGc()
  onRegistered()
  const cpu = process.cpuUsage()
  const wall = performance.now()
  await sleep(idleMs)
  const used = process.cpuUsage(cpu)
  const idleCpuPct = ((used.user + used.system) / 1000 / (performance.now() - wall)) * 100
  return {
    library,
    n,
    registerMs,
    registerCpuMs: (registerCpu.user + registerCpu.system) / 1000,
    heapPerAction: (after.heapUsed - baseline.heapUsed) / n,
    rssPerAction: (after.rss - baseline.rss) / n,
    idleCpuPct
  }
}
