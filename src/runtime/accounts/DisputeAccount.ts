import { fixDecoderSize, getAddressDecoder, getBytesDecoder, getStructDecoder, getU64Decoder, getU8Decoder } from "@solana/kit"
import { Either } from "effect"
import { DISPUTE_STATUSES, type Dispute } from "../../domain/Marketplace.js"
import type { DecodeError } from "../../services/AgentRuntime.js"
import { decodeAccount, enumName, unixSecondsDecoder } from "./AccountDecoder.js"

/** Offset of `task`: the disputes of a task are a memcmp on it. */
export const DISPUTE_TASK_OFFSET = 40
/** Offset of the `status` byte. */
export const DISPUTE_STATUS_OFFSET = 169

/** ResolutionType on chain. */
export const RESOLUTION_TYPES = ["Refund", "Complete", "Split"] as const

const disputeDecoder = getStructDecoder([
  ["disputeId", fixDecoderSize(getBytesDecoder(), 32)],
  ["task", getAddressDecoder()],
  ["initiator", getAddressDecoder()],
  ["initiatorAuthority", getAddressDecoder()],
  ["evidenceHash", fixDecoderSize(getBytesDecoder(), 32)],
  ["resolutionType", getU8Decoder()],
  ["status", getU8Decoder()],
  ["createdAt", unixSecondsDecoder()],
  ["resolvedAt", unixSecondsDecoder()],
  ["votesFor", getU64Decoder()],
  ["votesAgainst", getU64Decoder()],
  ["totalVoters", getU8Decoder()],
  ["votingDeadline", unixSecondsDecoder()]
])

/** Decodes a `Dispute` account (263 bytes); `address` becomes the dispute's id. */
export const decodeDispute = (address: string, data: Uint8Array): Either.Either<Dispute, DecodeError> =>
  Either.map(decodeAccount("Dispute", address, data, disputeDecoder), (raw): Dispute => ({
    id: address,
    task: raw.task,
    status: enumName(DISPUTE_STATUSES, raw.status),
    resolutionType: enumName(RESOLUTION_TYPES, raw.resolutionType),
    createdAt: raw.createdAt,
    resolvedAt: raw.resolvedAt,
    votesFor: raw.votesFor,
    votesAgainst: raw.votesAgainst,
    votingDeadline: raw.votingDeadline
  }))
