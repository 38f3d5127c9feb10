import type { Pause } from "../services/StateStore.js"

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

/** A pause as `heartbeat list`, `heartbeat next` and `daemon status` print it (`null`: not paused). */
export const pauseJson = (pause: Pause | undefined) =>
  pause === undefined ? null : { since: iso(pause.since)!, reason: pause.reason ?? null, until: iso(pause.until), by: pause.by }

/** Whether a slot at `slot` runs under `pause`: a pause ends at its `until` (that instant runs). */
export const runsDespite = (pause: Pause | undefined, slot: number): boolean =>
  pause === undefined || (pause.until !== undefined && slot >= pause.until)
