import { Cause, Clock, Duration, Effect } from "effect"

/** How one long-lived loop is doing, for `daemon status` and the watchdog. */
export interface LoopSnapshot {
  readonly alive: boolean
  readonly restarts: number
  /** Epoch ms of the loop's last turn; undefined before the first. */
  readonly lastTickAt: number | undefined
}

/** The live counters of one loop: the loop calls `tick` on every turn, `supervise` keeps the rest. */
export class LoopHealth {
  alive = false
  restarts = 0
  lastTickAt: number | undefined = undefined

  /** Records a turn of the loop (its progress). */
  readonly tick = (now: number): void => {
    this.lastTickAt = now
  }

  get snapshot(): LoopSnapshot {
    return { alive: this.alive, restarts: this.restarts, lastTickAt: this.lastTickAt }
  }
}

/** The first restart waits this long, doubling up to `MAX_BACKOFF_MS`; a loop that ran a minute starts over. */
const FIRST_BACKOFF_MS = 100
const MAX_BACKOFF_MS = 30_000
const HEALTHY_AFTER_MS = 60_000

/**
 * Runs `loop` forever: a defect (or an unexpected end) is logged with its cause, counted in `health`, and
 * the loop is started again after a backoff. Interruption is the only way out.
 */
export const supervise = (name: string, health: LoopHealth, loop: Effect.Effect<unknown>): Effect.Effect<never> =>
  Effect.gen(function*() {
    let failures = 0
    for (;;) {
      const startedAt = yield* Clock.currentTimeMillis
      health.alive = true
      const cause = yield* loop.pipe(
        Effect.matchCause({ onFailure: (cause) => cause, onSuccess: () => Cause.die(new Error(`${name} loop ended`)) })
      )
      health.alive = false
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause)
      const ranFor = (yield* Clock.currentTimeMillis) - startedAt
      failures = ranFor >= HEALTHY_AFTER_MS ? 1 : failures + 1
      health.restarts++
      const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1))
      yield* Effect.logError(`${name} loop died; restart ${health.restarts} in ${delay} ms`, cause).pipe(
        Effect.annotateLogs({ loop: name, restarts: health.restarts })
      )
      yield* Effect.sleep(Duration.millis(delay))
    }
  }).pipe(Effect.ensuring(Effect.sync(() => (health.alive = false))))
