/**
 * The schedules every library is given, so they do the same work. "Other" schedules are daily slots
 * (6-field, UTC) spread over the seconds of the hours *away* from now: they are registered, kept and
 * indexed, but none fires during a bench window, so idle CPU and fire latency measure the cost of having
 * them, not of running them.
 */

/** The probe: fires every second. */
export const EVERY_SECOND = "* * * * * *"

/** The i-th of the other schedules: a daily slot at least two hours from `nowMs`. */
export const otherSchedule = (i: number, nowMs: number): string => {
  const hourNow = new Date(nowMs).getUTCHours()
  const second = i % 60
  const minute = Math.floor(i / 60) % 60
  // 20 hours of 3,600 slots each, starting two hours ahead: 72,000 distinct times, then they repeat.
  const hour = (hourNow + 2 + (Math.floor(i / 3600) % 20)) % 24
  return `${second} ${minute} ${hour} * * *`
}

/** Resolves after `ms` of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
