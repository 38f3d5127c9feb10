import { getBase58Decoder } from "@solana/kit"
import { createHash } from "node:crypto"

/** The 8-byte Anchor account discriminator: the first 8 bytes of `sha256("account:<Name>")`. */
export const discriminator = (name: string): Uint8Array =>
  new Uint8Array(createHash("sha256").update(`account:${name}`).digest().subarray(0, 8))

/** The discriminators of the accounts the runtime reads. */
export const DISCRIMINATORS = {
  Task: discriminator("Task"),
  AgentRegistration: discriminator("AgentRegistration"),
  TaskClaim: discriminator("TaskClaim"),
  Dispute: discriminator("Dispute")
} as const

/** The account names the runtime decodes. */
export type AccountName = keyof typeof DISCRIMINATORS

/** Base58 of bytes, as `memcmp` filters take them. */
export const base58 = (bytes: Uint8Array): string => getBase58Decoder().decode(bytes)
