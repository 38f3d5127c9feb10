import { Clock, Duration, Effect } from "effect"

/**
 * How far before the instant the timer is aimed. A Node timer has whole-millisecond granularity and
 * fires 0–2 ms after its delay on an idle machine (the delay is counted from the loop's cached time,
 * and the callback waits for the loop's next turn); aiming 3 ms early leaves the rest to a finer wait.
 */
export const TIMER_LEAD_MS = 3

/** The final wait blocks the thread for at most this long; anything longer goes back to a timer. */
const FINAL_WAIT_MS = TIMER_LEAD_MS + 1

/** The read loop that catches the tick itself gives up after this long (a clock stepped back). */
const SPIN_LIMIT_MS = 2

const liveSleep = Clock.make().sleep
const cell = new Int32Array(new SharedArrayBuffer(4))

/** Whether `clock` sleeps on real timers (effect's live clock), so waiting on the thread means something. */
export const sleepsOnRealTimers = (clock: Clock.Clock): boolean => clock.sleep === liveSleep

/**
 * The last stretch, synchronous: block the thread (`Atomics.wait`, no CPU) until within a millisecond of
 * `at`, then read the clock in a tight loop until it turns `at`. `Date.now()` truncates, so it reads `at`
 * from the very instant `at` on: the wait ends at or after `at`, never before. Answers false when the
 * clock still reads before `at` after the spin limit (it was stepped back): the caller goes back to a timer.
 */
const finalWait = (clock: Clock.Clock, at: number): boolean => {
  const remaining = at - clock.unsafeCurrentTimeMillis()
  // The clock's millisecond may be almost over: the instant is between remaining - 1 and remaining away.
  // Wake half a millisecond before the earliest it can be: a thread's wake-up overshoots by tens of µs.
  if (remaining > 1.5) Atomics.wait(cell, 0, 0, remaining - 1.5)
  const limit = performance.now() + SPIN_LIMIT_MS
  while (clock.unsafeCurrentTimeMillis() < at) {
    if (performance.now() > limit) return false
  }
  return true
}

const sleepUntil = (clock: Clock.Clock, at: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    const remaining = at - clock.unsafeCurrentTimeMillis()
    return remaining > 0 ? clock.sleep(Duration.millis(remaining)) : Effect.void
  })

const onRealTimers = (clock: Clock.Clock, at: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    const remaining = at - clock.unsafeCurrentTimeMillis()
    if (remaining <= 0) return Effect.void
    if (remaining > FINAL_WAIT_MS) return Effect.zipRight(clock.sleep(Duration.millis(remaining - TIMER_LEAD_MS)), onRealTimers(clock, at))
    return finalWait(clock, at) ? Effect.void : Effect.zipRight(clock.sleep(Duration.millis(1)), onRealTimers(clock, at))
  })

/**
 * Waits until the clock reads `at` (epoch ms) or later, and on the live clock returns within
 * microseconds of that instant: a timer to `TIMER_LEAD_MS` before it, then `finalWait`. The thread is
 * held for at most `FINAL_WAIT_MS`, once per handed-over slot. On any other clock (`TestClock`, a
 * test's wrapper) it is that clock's own sleep.
 */
export const until = (at: number): Effect.Effect<void> =>
  Clock.clockWith((clock) => sleepsOnRealTimers(clock) ? onRealTimers(clock, at) : sleepUntil(clock, at))
