import { assert, describe, it } from "@effect/vitest"
import { Cause, Data } from "effect"
import { describeError, describeFailure } from "../../src/domain/DescribeError.js"

class FetchError extends Data.TaggedError("FetchError")<{ readonly cause: unknown }> {}
class QuoteError extends Data.TaggedError("QuoteError")<{ readonly message: string; readonly cause?: unknown }> {}

const refused = () => new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) })

describe("describeError: the cause an action's error wraps is part of its line", () => {
  it("a typed error with no message of its own is described by its tag and what it wraps", () => {
    assert.strictEqual(describeError(new FetchError({ cause: refused() })), "FetchError: fetch failed: connect ECONNREFUSED 127.0.0.1:9")
  })

  it("an error that wraps another keeps its own message first", () => {
    assert.strictEqual(
      describeError(new Error("price feed unreachable", { cause: refused() })),
      "price feed unreachable: fetch failed: connect ECONNREFUSED 127.0.0.1:9"
    )
    assert.strictEqual(describeError(new QuoteError({ message: "no quote", cause: "HTTP 503" })), "QuoteError: no quote: HTTP 503")
  })

  it("a message that already names its cause does not repeat it", () => {
    assert.strictEqual(
      describeError(new QuoteError({ message: "network error: connect ECONNREFUSED 127.0.0.1:9", cause: new Error("connect ECONNREFUSED 127.0.0.1:9") })),
      "QuoteError: network error: connect ECONNREFUSED 127.0.0.1:9"
    )
  })

  it("a defect (a rejected `Effect.promise`) carries its cause chain too", () => {
    assert.strictEqual(describeFailure(Cause.die(refused())), "fetch failed: connect ECONNREFUSED 127.0.0.1:9")
  })

  it("a cause that is not an error or a message adds nothing; an error with no message and no cause says so", () => {
    assert.strictEqual(describeError(new QuoteError({ message: "no quote", cause: Cause.fail("x") })), "QuoteError: no quote")
    assert.strictEqual(describeError(new FetchError({ cause: undefined })), "FetchError: (no message)")
  })
})
