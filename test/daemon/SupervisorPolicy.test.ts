import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as fc from "fast-check"
import { RestartLimit } from "../../src/domain/DaemonConfig.js"
import { afterCrash, BACKOFF, initialRestartState, type RestartState } from "../../src/daemon/Supervisor.js"

const limit = (burst: number, interval: number) => Schema.decodeUnknownSync(RestartLimit)({ burst, interval })
const policy = { firstDelayMs: 100, limit: limit(100, 300_000) }

/** Crashes `uptimes.length` times in a row, each after the daemon was up that long; answers the delays. */
const delays = (uptimes: ReadonlyArray<number>, p = policy) => {
  let state: RestartState = initialRestartState
  let now = 0
  const out: Array<number | "give up"> = []
  for (const uptimeMs of uptimes) {
    now += uptimeMs
    const decision = afterCrash(state, { now, uptimeMs }, p)
    if (decision._tag === "GiveUp") {
      out.push("give up")
      break
    }
    out.push(decision.delayMs)
    state = decision.state
    now += decision.delayMs
  }
  return out
}

describe("supervisor restart policy", () => {
  it("first restart after daemon.restartDelay, then 1 s doubling to 60 s", () => {
    assert.deepStrictEqual(delays(Array(10).fill(1_000)), [100, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000])
  })

  it("back to the first delay once the daemon stayed up 10 minutes", () => {
    assert.deepStrictEqual(delays([1_000, 1_000, 1_000, BACKOFF.resetAfterMs, 1_000]), [100, 1_000, 2_000, 100, 1_000])
    assert.deepStrictEqual(delays([1_000, 1_000, BACKOFF.resetAfterMs - 1]), [100, 1_000, 2_000])
  })

  it("gives up when restarting would exceed burst restarts within interval (default 5 in 5 min)", () => {
    const defaults = { firstDelayMs: 100, limit: Schema.decodeUnknownSync(RestartLimit)({}) }
    assert.deepStrictEqual(delays(Array(8).fill(1_000), defaults), [100, 1_000, 2_000, 4_000, 8_000, "give up"])
    // crashes 2 min apart: never more than 5 within 5 min
    assert.deepStrictEqual(delays(Array(8).fill(120_000), defaults).includes("give up"), false)
  })

  it("property: delays stay within [first, 60 s]; it gives up exactly when the window holds more than burst crashes", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 900_000 }), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1_000, max: 600_000 }),
      (uptimes, burst, interval) => {
        const p = { firstDelayMs: 100, limit: limit(burst, interval) }
        let state: RestartState = initialRestartState
        let now = 0
        const times: Array<number> = []
        for (const uptimeMs of uptimes) {
          now += uptimeMs
          times.push(now)
          const inWindow = times.filter((at) => at > now - interval).length
          const decision = afterCrash(state, { now, uptimeMs }, p)
          if (decision._tag === "GiveUp") return inWindow > burst
          if (inWindow > burst) return false
          if (decision.delayMs < 100 || decision.delayMs > BACKOFF.maxMs) return false
          state = decision.state
          now += decision.delayMs
        }
        return true
      }
    ))
  })
})
