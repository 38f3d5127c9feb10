import { assert, describe, it } from "@effect/vitest"
import { formatReward, formatSol, formatSpan, formatUtc, shortId } from "../../src/heartbeat/actions/FormatSol.js"

describe("formatSol", () => {
  it("prints SOL with lamport precision and no trailing zeros", () => {
    assert.strictEqual(formatSol(1_500_000_000n), "1.5 SOL")
    assert.strictEqual(formatSol(1n), "0.000000001 SOL")
    assert.strictEqual(formatSol(0n), "0 SOL")
    assert.strictEqual(formatSol(2_000_000_000n), "2 SOL")
    assert.strictEqual(formatSol(123_456_789_012n), "123.456789012 SOL")
    assert.strictEqual(formatSol(18_446_744_073_709_551_615n), "18446744073.709551615 SOL")
    assert.strictEqual(formatSol(-250_000_000n), "-0.25 SOL")
  })
})

describe("formatting helpers", () => {
  it("formats mint rewards in base units, ids, times and horizons", () => {
    assert.strictEqual(formatReward(1_000_000n, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"), "1000000 units of EPjFWdd5…")
    assert.strictEqual(formatReward(5n, null), "0.000000005 SOL")
    assert.strictEqual(shortId("9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"), "9xQeWvG8")
    assert.strictEqual(formatUtc(Date.parse("2025-03-04T05:06:59Z") / 1000), "2025-03-04 05:06 UTC")
    assert.strictEqual(formatSpan(45), "45s")
    assert.strictEqual(formatSpan(3 * 3600 + 300), "3h 5m")
    assert.strictEqual(formatSpan(2 * 86_400 + 4 * 3600), "2d 4h")
  })
})
