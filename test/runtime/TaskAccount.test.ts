/**
 * The DataView decoder of Task accounts against the kit struct decoder it replaced (kept here as the
 * reference), on random accounts: same Task values, same failures.
 */
import {
  fixDecoderSize,
  getAddressDecoder,
  getBytesDecoder,
  getI64Decoder,
  getOptionDecoder,
  getStructDecoder,
  getU16Decoder,
  getU64Decoder,
  getU8Decoder,
  getUtf8Decoder
} from "@solana/kit"
import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { TASK_STATUSES, TASK_TYPES, type Task } from "../../src/domain/Marketplace.js"
import { decodeTask } from "../../src/runtime/accounts/TaskAccount.js"
import { addressFor, taskBytes } from "./fixtures/accounts.js"

const i64 = getI64Decoder()
const reference = getStructDecoder([
  ["taskId", fixDecoderSize(getBytesDecoder(), 32)],
  ["creator", getAddressDecoder()],
  ["requiredCapabilities", getU64Decoder()],
  ["description", fixDecoderSize(getUtf8Decoder(), 64)],
  ["constraintHash", fixDecoderSize(getBytesDecoder(), 32)],
  ["rewardAmount", getU64Decoder()],
  ["maxWorkers", getU8Decoder()],
  ["currentWorkers", getU8Decoder()],
  ["status", getU8Decoder()],
  ["taskType", getU8Decoder()],
  ["createdAt", i64],
  ["deadline", i64],
  ["completedAt", i64],
  ["escrow", fixDecoderSize(getBytesDecoder(), 32)],
  ["result", fixDecoderSize(getBytesDecoder(), 64)],
  ["completions", getU8Decoder()],
  ["requiredCompletions", getU8Decoder()],
  ["bump", getU8Decoder()],
  ["protocolFeeBps", getU16Decoder()],
  ["dependsOn", getOptionDecoder(getAddressDecoder())],
  ["dependencyType", getU8Decoder()],
  ["minReputation", getU16Decoder()],
  ["rewardMint", getOptionDecoder(getAddressDecoder())]
])

/** The Task the kit decoder reads, or null when it throws or an Option tag is neither 0 nor 1. */
const referenceTask = (address: string, data: Uint8Array): Task | null => {
  if (data[313] !== undefined && data[313] > 1) return null
  try {
    const raw = reference.read(data, 8)[0]
    const mintTag = data[313] === 1 ? 349 : 317
    if (data[mintTag]! > 1) return null
    const option = (o: { __option: "Some"; value: string } | { __option: "None" }) => o.__option === "Some" ? o.value : null
    return {
      id: address,
      creator: raw.creator,
      requiredCapabilities: raw.requiredCapabilities,
      description: raw.description,
      rewardAmount: raw.rewardAmount,
      rewardMint: option(raw.rewardMint),
      maxWorkers: raw.maxWorkers,
      currentWorkers: raw.currentWorkers,
      status: TASK_STATUSES[raw.status] ?? "Unknown",
      taskType: TASK_TYPES[raw.taskType] ?? "Unknown",
      createdAt: Number(raw.createdAt),
      deadline: Number(raw.deadline),
      completedAt: Number(raw.completedAt),
      minReputation: raw.minReputation,
      dependsOn: option(raw.dependsOn)
    }
  } catch {
    return null
  }
}

/** A random Task account: fixture fields, then raw bytes over the description, odd tags, truncation, shift. */
const account = fc.record({
  n: fc.nat(1_000_000),
  size: fc.constantFrom(382, 432, 466),
  requiredCapabilities: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  rewardAmount: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  maxWorkers: fc.nat(255),
  currentWorkers: fc.nat(255),
  status: fc.nat(9),
  taskType: fc.nat(6),
  createdAt: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  deadline: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  minReputation: fc.nat(65_535),
  dependsOn: fc.boolean(),
  rewardMint: fc.boolean(),
  description: fc.oneof(fc.string({ maxLength: 70, unit: "binary" }), fc.uint8Array({ minLength: 64, maxLength: 64 })),
  tag: fc.option(fc.tuple(fc.constantFrom(313, 317, 349), fc.nat(255)), { freq: 4 }),
  truncate: fc.option(fc.nat(470), { freq: 4 }),
  // Bytes that sit at an odd offset of a larger buffer, as a slice of an RPC answer may.
  shift: fc.nat(7)
}).map((a) => {
  let data = taskBytes({
    size: a.size,
    creator: addressFor(a.n, 5),
    requiredCapabilities: a.requiredCapabilities,
    rewardAmount: a.rewardAmount,
    maxWorkers: a.maxWorkers,
    currentWorkers: a.currentWorkers,
    status: a.status,
    taskType: a.taskType,
    createdAt: a.createdAt,
    deadline: a.deadline,
    minReputation: a.minReputation,
    dependsOn: a.dependsOn ? addressFor(a.n, 6) : null,
    rewardMint: a.rewardMint ? addressFor(a.n, 7) : null,
    description: typeof a.description === "string" ? a.description : ""
  })
  if (typeof a.description !== "string") data.set(a.description, 80)
  if (a.tag !== null) data[a.tag[0]] = a.tag[1]
  if (a.truncate !== null) data = data.subarray(0, a.truncate)
  const shifted = new Uint8Array(data.length + a.shift).fill(0xee)
  shifted.set(data, a.shift)
  return shifted.subarray(a.shift)
})

describe("decodeTask (DataView reader)", () => {
  it("reads what kit's struct decoder reads, and fails where it fails, on random accounts", () => {
    fc.assert(fc.property(account, (data) => {
      const address = addressFor(1234)
      const expected = referenceTask(address, data)
      const actual = decodeTask(address, data)
      if (expected === null) {
        assert.isTrue(Either.isLeft(actual) && actual.left._tag === "DecodeError" && actual.left.account === address)
      } else {
        assert.isTrue(Either.isRight(actual))
        const task = (actual as Either.Right<never, Task>).right
        assert.deepStrictEqual(Object.keys(task), Object.keys(expected))
        assert.deepStrictEqual({ ...task }, expected)
      }
    }), { numRuns: 2000 })
  })

  it("names a stray Option tag of reward_mint too", () => {
    const data = taskBytes({ dependsOn: addressFor(3) })
    data[349] = 7
    const result = decodeTask(addressFor(1), data)
    assert.isTrue(Either.isLeft(result) && result.left.message.includes("Option tag 7 at offset 349"))
  })

  it("computes addresses lazily but shows them like plain fields, and keeps them if the bytes are reused", () => {
    const data = taskBytes({ creator: addressFor(11), dependsOn: addressFor(12), rewardMint: addressFor(13), rewardAmount: 5n })
    const task = Either.getOrThrow(decodeTask(addressFor(1), data))
    data.fill(0, 8)
    assert.strictEqual(task.creator, addressFor(11))
    assert.strictEqual(task.creator, task.creator)
    assert.strictEqual(task.dependsOn, addressFor(12))
    assert.strictEqual(task.rewardMint, addressFor(13))
    const json = JSON.parse(JSON.stringify(task, (_, v) => typeof v === "bigint" ? v.toString() : v))
    assert.strictEqual(json.creator, addressFor(11))
    assert.strictEqual(json.dependsOn, addressFor(12))
    assert.strictEqual(json.rewardMint, addressFor(13))
    assert.strictEqual({ ...task }.creator, addressFor(11))
    const none = Either.getOrThrow(decodeTask(addressFor(1), taskBytes()))
    assert.isNull(none.dependsOn)
    assert.isNull(none.rewardMint)
  })
})
