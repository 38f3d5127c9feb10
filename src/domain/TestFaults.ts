import { Effect } from "effect"

/**
 * TEST ONLY: faults injected into the daemon's loops so process-level tests can prove supervision and
 * the watchdog. Read once from `AGENC_TEST_FAULTS` when a layer is built; unset in any real deployment.
 *
 * `AGENC_TEST_FAULTS="dispatcher=die:2,channel:file=die:1,dispatcher=hang-after:3"`: `LOOP=die:N` makes the
 * loop's first N turns die with a defect; `LOOP=hang-after:N` makes its N-th turn block for ever.
 * Loops: `dispatcher`, `channel:NAME`.
 */
export interface TestFault {
  /** Called by the loop on each turn; dies or hangs as configured, else does nothing. */
  readonly turn: Effect.Effect<void>
}

const none: TestFault = { turn: Effect.void }

/** The fault configured for `loop` in `env`, or one that does nothing. */
export const testFault = (loop: string, env: NodeJS.ProcessEnv = process.env): TestFault => {
  const spec = (env.AGENC_TEST_FAULTS ?? "").split(",").map((entry) => entry.trim()).find((entry) => entry.startsWith(`${loop}=`))
  if (spec === undefined) return none
  const [mode, count] = spec.slice(loop.length + 1).split(":")
  const n = Number(count ?? "1")
  let turns = 0
  return {
    turn: Effect.suspend(() => {
      turns++
      if (mode === "die" && turns <= n) return Effect.die(new Error(`injected fault in ${loop} (turn ${turns} of ${n})`))
      if (mode === "hang-after" && turns === n) return Effect.never
      return Effect.void
    })
  }
}
