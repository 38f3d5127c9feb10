/** Small statistics for the bench: order statistics, a median with its spread, a least-squares slope. */

const sorted = (values: ReadonlyArray<number>): Array<number> => [...values].sort((a, b) => a - b)

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const s = sorted(values)
  const position = (s.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return s[low]! + (s[high]! - s[low]!) * (position - low)
}

/** A figure from repeated runs: the median, and min–max so the reader sees how noisy it was. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: ReadonlyArray<number>
}

export const spread = (runs: ReadonlyArray<number>): Spread => ({
  median: quantile(runs, 0.5),
  min: Math.min(...runs),
  max: Math.max(...runs),
  runs
})

/** The latency distribution a fire-latency run reports. */
export interface Distribution {
  readonly n: number
  readonly min: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

export const distribution = (samples: ReadonlyArray<number>): Distribution => ({
  n: samples.length,
  min: Math.min(...samples),
  p50: quantile(samples, 0.5),
  p99: quantile(samples, 0.99),
  max: Math.max(...samples)
})

/** Least-squares slope of y over x. */
export const slope = (points: ReadonlyArray<readonly [number, number]>): number => {
  const n = points.length
  if (n < 2) return Number.NaN
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  return den === 0 ? Number.NaN : num / den
}
