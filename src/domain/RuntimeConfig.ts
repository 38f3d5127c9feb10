import { isAddress } from "@solana/kit"
import { Either, ParseResult, Schema } from "effect"
import { TimerDurationMs } from "./DurationMs.js"
import { U64_MAX } from "./Marketplace.js"
import { Secret } from "./Secret.js"

/** The live mainnet AgenC marketplace; the default `runtime.programId`. */
export const MAINNET_PROGRAM_ID = "HJsZ53Zb27b8QMRbQpuDngE44AdwCGxvEZr61Zmxw1xK"

/**
 * Known deployments of the AgenC coordination program (see the README). Only the mainnet one widens
 * `AgentRegistration.active_tasks` to u16, which `agentLayout` defaults from.
 */
export const KNOWN_PROGRAM_IDS = {
  mainnet: MAINNET_PROGRAM_ID,
  early: "EopUaCV2svxj9j4hd7KjbrWfdjkspmm2BCBe7jGpKzKZ",
  devnet: "6UcJzbTEemBz3aY5wK5qKHGMD7bdRsmR4smND29gB2ab",
  devnetLater: "2jdBSJ8U5ixfwgs1bRLPtRRnpZAPm8Xv1tEdu8yjHJC7"
} as const

/** Every capability bit the program defines (COMPUTE .. AGGREGATOR): the local agent's default. */
export const ALL_CAPABILITIES = 0x3ffn

/** Parses a u64 bitmask written as a decimal or `0x` hex string. */
export const parseU64 = (input: string): Either.Either<bigint, string> => {
  const text = input.trim()
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return Either.left(`"${input}" is not a non-negative integer`)
  const value = BigInt(text)
  return value > U64_MAX ? Either.left(`${input} does not fit in a u64`) : Either.right(value)
}

/** A u64 in config: a non-negative integer, or a decimal / `0x` hex string; decodes to `bigint`. */
export const U64 = Schema.transformOrFail(
  Schema.Union(Schema.NonNegativeInt, Schema.String).annotations({ description: "a u64: number, or a decimal or 0x hex string" }),
  Schema.BigIntFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      Either.mapLeft(parseU64(String(input)), (message) => new ParseResult.Type(ast, input, message)),
    encode: (value) => Either.right(value.toString())
  }
)

/** A base58 Solana address. */
export const Address = Schema.String.pipe(
  Schema.filter((s) => isAddress(s) || `"${s}" is not a base58 Solana address`)
)

/** The embedded local ledger in `$AGENC_HOME` (the default: no network needed). */
export class LocalRuntimeConfig extends Schema.Class<LocalRuntimeConfig>("LocalRuntimeConfig")({
  source: Schema.Literal("local"),
  agent: Schema.optionalWith(Schema.NonEmptyString, { default: () => "local-agent" }).annotations({
    description: "the local agent's name: the worker recorded on its claims"
  }),
  capabilities: Schema.optionalWith(U64, { default: () => ALL_CAPABILITIES }).annotations({
    description: "the local agent's capability bitmask (default 0x3ff: every bit the program defines)"
  })
}) {}

/** The AgenC program on Solana, read over JSON-RPC. */
export class SolanaRuntimeConfig extends Schema.Class<SolanaRuntimeConfig>("SolanaRuntimeConfig")({
  source: Schema.Literal("solana"),
  rpcUrl: Secret.annotations({ description: "JSON-RPC endpoint; a secret because providers embed API keys in it" }),
  programId: Schema.optionalWith(Address, { default: () => MAINNET_PROGRAM_ID }).annotations({
    description: "the AgenC coordination program (default: the live mainnet marketplace)"
  }),
  agent: Address.annotations({ description: "the agent's AgentRegistration account address" }),
  commitment: Schema.optionalWith(Schema.Literal("processed", "confirmed", "finalized"), { default: () => "confirmed" as const }),
  timeout: Schema.optionalWith(TimerDurationMs(10), { default: () => 30_000 }).annotations({
    description: "per-request timeout"
  }),
  retries: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 10)), { default: () => 4 }).annotations({
    description: "retries on 429, 5xx, timeouts and network errors, with exponential backoff"
  }),
  retryDelay: Schema.optionalWith(TimerDurationMs(1), { default: () => 500 }).annotations({
    description: "the first backoff delay; each retry doubles it"
  }),
  agentLayout: Schema.optional(Schema.Literal("mainnet", "legacy")).annotations({
    description: "AgentRegistration layout: mainnet has a u16 active_tasks; default: mainnet for the mainnet program id"
  })
}) {}

/** The `runtime` section: where the AgenC marketplace data comes from. */
export const RuntimeConfig = Schema.Union(LocalRuntimeConfig, SolanaRuntimeConfig)
export type RuntimeConfig = typeof RuntimeConfig.Type
