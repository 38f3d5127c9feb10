import {
  fixDecoderSize,
  getAddressDecoder,
  getBytesDecoder,
  getStructDecoder,
  getU16Decoder,
  getU64Decoder,
  getU8Decoder,
  getUtf8Decoder
} from "@solana/kit"
import { Either } from "effect"
import { TASK_STATUSES, TASK_TYPES, type Task } from "../../domain/Marketplace.js"
import type { DecodeError } from "../../services/AgentRuntime.js"
import { decodeAccount, enumName, optionalAddress, unixSecondsDecoder } from "./AccountDecoder.js"

/** Offset of the `status` byte, the second `memcmp` of the open-task scan. */
export const TASK_STATUS_OFFSET = 186

/** The original allocation; the mainnet program appends operator/referrer fields (466 bytes). */
export const TASK_ACCOUNT_MIN_SIZE = 382

/**
 * The fields after the discriminator through `reward_mint`, in order. `depends_on` is an Option, so
 * every later offset depends on its tag; whatever follows `reward_mint` (padding, or the mainnet
 * operator/referrer tail) is ignored.
 */
const taskDecoder = getStructDecoder([
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
  ["createdAt", unixSecondsDecoder()],
  ["deadline", unixSecondsDecoder()],
  ["completedAt", unixSecondsDecoder()],
  // Not part of Task: kept as raw bytes, since base58 is the costliest step of decoding a task.
  ["escrow", fixDecoderSize(getBytesDecoder(), 32)],
  ["result", fixDecoderSize(getBytesDecoder(), 64)],
  ["completions", getU8Decoder()],
  ["requiredCompletions", getU8Decoder()],
  ["bump", getU8Decoder()],
  ["protocolFeeBps", getU16Decoder()],
  ["dependsOn", optionalAddress],
  ["dependencyType", getU8Decoder()],
  ["minReputation", getU16Decoder()],
  ["rewardMint", optionalAddress]
])

/** Decodes a `Task` account; `address` becomes the task's id. */
export const decodeTask = (address: string, data: Uint8Array): Either.Either<Task, DecodeError> =>
  Either.map(decodeAccount("Task", address, data, taskDecoder), (raw): Task => ({
    id: address,
    creator: raw.creator,
    requiredCapabilities: raw.requiredCapabilities,
    description: raw.description,
    rewardAmount: raw.rewardAmount,
    rewardMint: raw.rewardMint,
    maxWorkers: raw.maxWorkers,
    currentWorkers: raw.currentWorkers,
    status: enumName(TASK_STATUSES, raw.status),
    taskType: enumName(TASK_TYPES, raw.taskType),
    createdAt: raw.createdAt,
    deadline: raw.deadline,
    completedAt: raw.completedAt,
    minReputation: raw.minReputation,
    dependsOn: raw.dependsOn
  }))
