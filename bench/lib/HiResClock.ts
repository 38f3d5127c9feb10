/**
 * Wall-clock time with sub-millisecond precision. `Date.now()` truncates to whole milliseconds, which
 * would bias every latency up by ~0.5 ms; `performance.now()` is monotonic with µs resolution but has
 * its own origin. We pin the monotonic clock to the wall clock at the instant `Date.now()` ticks, so the
 * offset is exact to a few µs. The two clocks drift apart (NTP slews the wall clock by up to 500 ppm,
 * 0.5 ms a second), and a scheduler that starts a run right at the millisecond tick of its slot would
 * then read as early or late by the drift: fire-latency children call `recalibrate` between samples.
 */
const catchTick = (): number => {
  const start = Date.now()
  let now = start
  while (now === start) now = Date.now()
  return now - performance.now()
}

/**
 * A preemption or a GC pause between seeing the tick and reading `performance.now()` makes the offset
 * too small (the clock would read early, and a punctual start would look early): of three catches, the
 * largest offset is the least delayed one.
 */
const calibrate = (): number => Math.max(catchTick(), catchTick(), catchTick())

let offset = calibrate()

/** Re-pins the monotonic clock to the wall clock (a spin of up to 3 ms); call it away from a measurement. */
export const recalibrate = (): void => {
  offset = calibrate()
}

/** Epoch milliseconds, fractional. */
export const nowMs = (): number => offset + performance.now()
