import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { errorMessage } from "../../src/domain/DescribeError.js"
import { errnoCode } from "../../src/domain/Errno.js"

const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

describe("errnoCode / errorMessage", () => {
  it("reads a real system error's code and message", () => {
    const missing = path.join(os.tmpdir(), `agenc-errno-${process.pid}-missing`)
    const error = thrown(() => fs.readFileSync(missing))
    assert.strictEqual(errnoCode(error), "ENOENT")
    assert.include(errorMessage(error), "no such file or directory")
  })

  it("answers undefined / String for values that are not system errors", () => {
    assert.strictEqual(errnoCode(new Error("plain")), undefined)
    assert.strictEqual(errnoCode({ code: 42 }), undefined)
    assert.strictEqual(errnoCode("ENOENT"), undefined)
    assert.strictEqual(errnoCode(null), undefined)
    assert.strictEqual(errorMessage("just text"), "just text")
    assert.strictEqual(errorMessage(undefined), "undefined")
    assert.strictEqual(errorMessage({ message: 7 }), "7")
  })
})
