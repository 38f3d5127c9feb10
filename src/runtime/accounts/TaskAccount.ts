import { getAddressDecoder, removeNullCharacters } from "@solana/kit"
import { Either } from "effect"
import { TASK_STATUSES, TASK_TYPES, type Task } from "../../domain/Marketplace.js"
import { DecodeError } from "../../services/AgentRuntime.js"
import { discriminatorError, enumName, hasDiscriminator, layoutError } from "./AccountDecoder.js"

/** Offset of the `status` byte, the second `memcmp` of the open-task scan. */
export const TASK_STATUS_OFFSET = 186

/** The original allocation; the mainnet program appends operator/referrer fields (466 bytes). */
export const TASK_ACCOUNT_MIN_SIZE = 382

/** Fixed offsets (../shared/agenc-accounts.md): everything before `depends_on` never moves. */
export const TASK_OFFSETS = {
  creator: 40,
  requiredCapabilities: 72,
  description: 80,
  descriptionEnd: 144,
  rewardAmount: 176,
  maxWorkers: 184,
  currentWorkers: 185,
  status: TASK_STATUS_OFFSET,
  taskType: 187,
  createdAt: 188,
  deadline: 196,
  completedAt: 204,
  dependsOn: 313
} as const
const { creator: CREATOR, dependsOn: DEPENDS_ON } = TASK_OFFSETS
const PUBKEY = 32

/**
 * Where the variable tail of one Task account sits, once its length and Option tags are checked:
 * the offset of each Option's Pubkey (-1 for None), of `min_reputation`, and the end of `reward_mint`.
 */
export interface TaskTail {
  readonly dependsOn: number
  readonly minReputation: number
  readonly rewardMint: number
  readonly end: number
}

/**
 * Checks the discriminator, the length and the Option tags, in layout order, so that a later read can
 * index the bytes directly. Returns the tail's offsets or the `DecodeError` the account deserves.
 * Whatever follows `reward_mint` (padding, or the mainnet operator/referrer tail) is ignored.
 */
export const readTaskTail = (address: string, data: Uint8Array): TaskTail | DecodeError => {
  if (!hasDiscriminator("Task", data)) return discriminatorError("Task", address, data)
  const short = (field: string, need: number) => layoutError("Task", address, data, `${field} needs ${need} bytes`)
  if (data.length <= DEPENDS_ON) return short("depends_on", DEPENDS_ON + 1)
  const dependsOnTag = data[DEPENDS_ON]!
  if (dependsOnTag > 1) return layoutError("Task", address, data, optionTagMessage(dependsOnTag, DEPENDS_ON))
  const dependsOn = dependsOnTag === 1 ? DEPENDS_ON + 1 : -1
  const dependencyType = DEPENDS_ON + 1 + (dependsOnTag === 1 ? PUBKEY : 0)
  const minReputation = dependencyType + 1
  const rewardMintTag = minReputation + 2
  if (data.length <= rewardMintTag) return short("reward_mint", rewardMintTag + 1)
  const mintTag = data[rewardMintTag]!
  if (mintTag > 1) return layoutError("Task", address, data, optionTagMessage(mintTag, rewardMintTag))
  const end = rewardMintTag + 1 + (mintTag === 1 ? PUBKEY : 0)
  if (data.length < end) return short("reward_mint", end)
  return { dependsOn, minReputation, rewardMint: mintTag === 1 ? rewardMintTag + 1 : -1, end }
}

// Borsh Option tags are 0 or 1. Unlike kit's `getOptionDecoder` (which reads any other tag as None) a
// stray tag is an error: it means the layout is not what we think, and every later offset is wrong.
const optionTagMessage = (tag: number, offset: number) => `Option tag ${tag} at offset ${offset} (expected 0 or 1)`

/** A little-endian view of the account bytes. */
export const viewOf = (data: Uint8Array): DataView => new DataView(data.buffer, data.byteOffset, data.byteLength)

/**
 * i64 as a number without a BigInt: `hi * 2^32` and `lo` are exact doubles, so their sum is rounded
 * once, exactly as `Number(getBigInt64())` rounds (timestamps are far below 2^53 anyway).
 */
export const i64At = (view: DataView, offset: number): number => view.getInt32(offset + 4, true) * 4294967296 + view.getUint32(offset, true)

// Fixed-size UTF-8, zero-padded: as kit's `fixDecoderSize(getUtf8Decoder(), 64)` reads it (a default
// TextDecoder, then every U+0000 removed). Trailing zeros are skipped before decoding rather than after:
// a zero byte never continues a UTF-8 sequence, so the text is the same.
const utf8 = new TextDecoder()
const fixedText = (data: Uint8Array, start: number, end: number): string => {
  while (end > start && data[end - 1] === 0) end--
  if (end === start) return ""
  const text = utf8.decode(data.subarray(start, end))
  return text.includes("\0") ? removeNullCharacters(text) : text
}

// Base58 stays kit's (the project takes Solana's own codecs over a hand-written one), but it is the
// costliest step by far (~10 µs per Pubkey: a BigInt division per character), so addresses are computed
// when first read. Any 32 bytes are a valid address, so deferring cannot defer an error.
const addressDecoder = getAddressDecoder()
const addressAt = (bytes: Uint8Array, offset: number): string | null => offset < 0 ? null : addressDecoder.read(bytes, offset)[0]

/**
 * Decodes a `Task` account; `address` becomes the task's id. Fixed-offset fields are read through a
 * DataView (kit's number decoders copy the bytes into a new ArrayBuffer per field, the other half of the
 * old cost); `creator`, `dependsOn` and `rewardMint` are memoized enumerable getters over a private
 * copy of the account's prefix, so they read as strings, show in `JSON.stringify` and spreads, and do
 * not change if the caller reuses `data`.
 */
export const decodeTask = (address: string, data: Uint8Array): Either.Either<Task, DecodeError> => {
  const tail = readTaskTail(address, data)
  return tail instanceof DecodeError ? Either.left(tail) : Either.right(taskFrom(address, data, tail))
}

/** Builds the Task of an account whose tail `readTaskTail` has checked. */
export const taskFrom = (address: string, data: Uint8Array, tail: TaskTail): Task => {
  const view = viewOf(data)
  const keys = data.slice(0, tail.end)
  let creator: string | undefined
  let dependsOn: string | null | undefined
  let rewardMint: string | null | undefined
  return {
    id: address,
    get creator() {
      return creator ??= addressAt(keys, CREATOR)!
    },
    requiredCapabilities: view.getBigUint64(TASK_OFFSETS.requiredCapabilities, true),
    description: fixedText(data, TASK_OFFSETS.description, TASK_OFFSETS.descriptionEnd),
    rewardAmount: view.getBigUint64(TASK_OFFSETS.rewardAmount, true),
    get rewardMint() {
      return rewardMint !== undefined ? rewardMint : (rewardMint = addressAt(keys, tail.rewardMint))
    },
    maxWorkers: data[TASK_OFFSETS.maxWorkers]!,
    currentWorkers: data[TASK_OFFSETS.currentWorkers]!,
    status: enumName(TASK_STATUSES, data[TASK_STATUS_OFFSET]!),
    taskType: enumName(TASK_TYPES, data[TASK_OFFSETS.taskType]!),
    createdAt: i64At(view, TASK_OFFSETS.createdAt),
    deadline: i64At(view, TASK_OFFSETS.deadline),
    completedAt: i64At(view, TASK_OFFSETS.completedAt),
    minReputation: view.getUint16(tail.minReputation, true),
    get dependsOn() {
      return dependsOn !== undefined ? dependsOn : (dependsOn = addressAt(keys, tail.dependsOn))
    }
  }
}
