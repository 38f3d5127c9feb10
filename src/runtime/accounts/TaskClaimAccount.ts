import { fixDecoderSize, getAddressDecoder, getBooleanDecoder, getBytesDecoder, getStructDecoder, getU64Decoder } from "@solana/kit"
import { Either } from "effect"
import type { DecodeError } from "../../services/AgentRuntime.js"
import { decodeAccount, unixSecondsDecoder } from "./AccountDecoder.js"

/** Offset of `worker` (the worker's AgentRegistration address): an agent's claims are a memcmp on it. */
export const CLAIM_WORKER_OFFSET = 40
/** Offset of `is_completed`. */
export const CLAIM_IS_COMPLETED_OFFSET = 192

/** A `TaskClaim` account. */
export interface TaskClaim {
  readonly address: string
  readonly task: string
  readonly worker: string
  readonly claimedAt: number
  readonly expiresAt: number
  readonly completedAt: number
  readonly isCompleted: boolean
  readonly isValidated: boolean
  readonly rewardPaid: bigint
}

const claimDecoder = getStructDecoder([
  ["task", getAddressDecoder()],
  ["worker", getAddressDecoder()],
  ["claimedAt", unixSecondsDecoder()],
  ["expiresAt", unixSecondsDecoder()],
  ["completedAt", unixSecondsDecoder()],
  ["proofHash", fixDecoderSize(getBytesDecoder(), 32)],
  ["resultData", fixDecoderSize(getBytesDecoder(), 64)],
  ["isCompleted", getBooleanDecoder()],
  ["isValidated", getBooleanDecoder()],
  ["rewardPaid", getU64Decoder()]
])

/** Decodes a `TaskClaim` account (203 bytes). */
export const decodeTaskClaim = (address: string, data: Uint8Array): Either.Either<TaskClaim, DecodeError> =>
  Either.map(decodeAccount("TaskClaim", address, data, claimDecoder), (raw): TaskClaim => ({
    address,
    task: raw.task,
    worker: raw.worker,
    claimedAt: raw.claimedAt,
    expiresAt: raw.expiresAt,
    completedAt: raw.completedAt,
    isCompleted: raw.isCompleted,
    isValidated: raw.isValidated,
    rewardPaid: raw.rewardPaid
  }))
