/**
 * Wall-clock time with sub-millisecond precision. `Date.now()` truncates to whole milliseconds, which
 * would bias every latency up by ~0.5 ms; `performance.now()` is monotonic with µs resolution but has
 * its own origin. We pin the monotonic clock to the wall clock once, at the instant `Date.now()` ticks,
 * so the offset is exact to a few µs. Drift between the two clocks over a bench child's life (≤ 2 min,
 * NTP slew in ppm) is far below the figures we report.
 */
const calibrate = (): number => {
  const start = Date.now()
  let now = start
  while (now === start) now = Date.now()
  return now - performance.now()
}

const offset = calibrate()

/** Epoch milliseconds, fractional. */
export const nowMs = (): number => offset + performance.now()
