import { getBase64Encoder } from "@solana/kit"
import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { base64Bytes } from "../../src/runtime/Base64Bytes.js"

describe("base64Bytes", () => {
  it("reads what kit's base64 codec reads", () => {
    const kit = getBase64Encoder()
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const text = Buffer.from(bytes).toString("base64")
      const decoded = base64Bytes(text)
      assert.deepStrictEqual(decoded, new Uint8Array(kit.encode(text)))
      assert.strictEqual(decoded!.buffer.byteLength, bytes.length, "not a view into Buffer's shared pool")
    }))
  })

  it("is null for text that is not base64", () => {
    for (const text of ["A", "AB!D", "AA==AAAA", "A A=", "AQID\n", "é==="]) assert.isNull(base64Bytes(text), text)
    assert.deepStrictEqual(base64Bytes(""), new Uint8Array(0))
  })
})
