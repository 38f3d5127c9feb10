import {
  addDecoderSizePrefix,
  fixDecoderSize,
  getAddressDecoder,
  getBytesDecoder,
  getStructDecoder,
  getU16Decoder,
  getU32Decoder,
  getU64Decoder,
  getU8Decoder,
  getUtf8Decoder
} from "@solana/kit"
import { Either } from "effect"
import type { DecodeError } from "../../services/AgentRuntime.js"
import { decodeAccount, enumName, unixSecondsDecoder } from "./AccountDecoder.js"

/** AgentStatus on chain. */
export type AgentStatus = "Inactive" | "Active" | "Busy" | "Suspended" | "Unknown"
const AGENT_STATUSES: ReadonlyArray<AgentStatus> = ["Inactive", "Active", "Busy", "Suspended"]

/**
 * Which build of the program wrote the account: `mainnet` widened `active_tasks` to u16 (and shrank
 * `_reserved` by one byte, so both have the same size and the size cannot tell them apart).
 */
export type AgentLayout = "mainnet" | "legacy"

/** The fields of an `AgentRegistration` the runtime uses. */
export interface AgentRegistration {
  readonly address: string
  readonly authority: string
  readonly capabilities: bigint
  readonly status: AgentStatus
  readonly endpoint: string
  readonly metadataUri: string
  readonly registeredAt: number
  readonly lastActive: number
  readonly tasksCompleted: bigint
  readonly totalEarned: bigint
  readonly reputation: number
  readonly activeTasks: number
  readonly stake: bigint
}

const borshString = () => addDecoderSizePrefix(getUtf8Decoder(), getU32Decoder())

// Fields after `endpoint` move with its length: decode in order; the rest of the account is ignored.
const decoderFor = (layout: AgentLayout) =>
  getStructDecoder([
    ["agentId", fixDecoderSize(getBytesDecoder(), 32)],
    ["authority", getAddressDecoder()],
    ["capabilities", getU64Decoder()],
    ["status", getU8Decoder()],
    ["endpoint", borshString()],
    ["metadataUri", borshString()],
    ["registeredAt", unixSecondsDecoder()],
    ["lastActive", unixSecondsDecoder()],
    ["tasksCompleted", getU64Decoder()],
    ["totalEarned", getU64Decoder()],
    ["reputation", getU16Decoder()],
    ["activeTasks", layout === "mainnet" ? getU16Decoder() : getU8Decoder()],
    ["stake", getU64Decoder()]
  ])

const decoders = { mainnet: decoderFor("mainnet"), legacy: decoderFor("legacy") }

/** Decodes an `AgentRegistration` account written by the `layout` build of the program. */
export const decodeAgentRegistration = (
  address: string,
  data: Uint8Array,
  layout: AgentLayout
): Either.Either<AgentRegistration, DecodeError> =>
  Either.map(decodeAccount("AgentRegistration", address, data, decoders[layout]), (raw): AgentRegistration => ({
    address,
    authority: raw.authority,
    capabilities: raw.capabilities,
    status: enumName(AGENT_STATUSES, raw.status),
    endpoint: raw.endpoint,
    metadataUri: raw.metadataUri,
    registeredAt: raw.registeredAt,
    lastActive: raw.lastActive,
    tasksCompleted: raw.tasksCompleted,
    totalEarned: raw.totalEarned,
    reputation: raw.reputation,
    activeTasks: raw.activeTasks,
    stake: raw.stake
  }))
