import { HttpClient } from "@effect/platform"
import { isAddress } from "@solana/kit"
import { Clock, Effect, type Either, Layer, Redacted } from "effect"
import type { ConfigError } from "../domain/ConfigError.js"
import { byRewardDesc, nowSeconds, type PortfolioEntry } from "../domain/Marketplace.js"
import { MAINNET_PROGRAM_ID, type SolanaRuntimeConfig } from "../domain/RuntimeConfig.js"
import { resolveSecret } from "../domain/Secret.js"
import { type AgentLayout, decodeAgentRegistration } from "../runtime/accounts/AgentRegistrationAccount.js"
import { claimableScan } from "../runtime/accounts/ClaimableScan.js"
import { base58, DISCRIMINATORS } from "../runtime/accounts/Discriminator.js"
import { decodeDispute, DISPUTE_TASK_OFFSET } from "../runtime/accounts/DisputeAccount.js"
import { decodeTask, TASK_STATUS_OFFSET } from "../runtime/accounts/TaskAccount.js"
import { CLAIM_IS_COMPLETED_OFFSET, CLAIM_WORKER_OFFSET, decodeTaskClaim } from "../runtime/accounts/TaskClaimAccount.js"
import { type Memcmp, makeSolanaRpc, type RawAccount } from "../runtime/SolanaRpc.js"
import { AgentRuntime, DecodeError, NotFoundError } from "../services/AgentRuntime.js"

const discriminatorFilter = (name: keyof typeof DISCRIMINATORS): Memcmp => ({ offset: 0, bytes: base58(DISCRIMINATORS[name]) })
const byteFilter = (offset: number, value: number): Memcmp => ({ offset, bytes: base58(Uint8Array.of(value)) })

/** The memcmp filters of the open-task scan: the Task discriminator at 0, status Open (0) at 186. */
export const OPEN_TASK_FILTERS: ReadonlyArray<Memcmp> = [discriminatorFilter("Task"), byteFilter(TASK_STATUS_OFFSET, 0)]

/** Decodes every account or fails with the first DecodeError. */
const decodeAll = <A>(accounts: ReadonlyArray<RawAccount>, decode: (address: string, data: Uint8Array) => Either.Either<A, DecodeError>) =>
  Effect.forEach(accounts, (account) => decode(account.address, account.data))

/**
 * `AgentRuntime` on the AgenC program over Solana JSON-RPC (`runtime.source: "solana"`). Reads only:
 * open tasks by `getProgramAccounts` (discriminator + status memcmp; capability, reward and deadline
 * checks client-side), the agent's registration by `getAccountInfo`, its open claims by a memcmp on
 * the worker, and disputes by a memcmp on the task.
 */
export const AgentRuntimeSolana = (config: SolanaRuntimeConfig): Layer.Layer<AgentRuntime, ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    AgentRuntime,
    Effect.gen(function*() {
      const url = Redacted.value(yield* resolveSecret(config.rpcUrl, "runtime.rpcUrl"))
      const rpc = makeSolanaRpc(yield* HttpClient.HttpClient, {
        url,
        commitment: config.commitment,
        timeoutMs: config.timeout,
        retries: config.retries,
        retryDelayMs: config.retryDelay
      })
      const programId = config.programId
      const layout: AgentLayout = config.agentLayout ?? (programId === MAINNET_PROGRAM_ID ? "mainnet" : "legacy")

      const registration = Effect.gen(function*() {
        const account = yield* rpc.getAccount(config.agent)
        if (account === null) {
          return yield* new NotFoundError({
            what: "AgentRegistration",
            id: config.agent,
            hint: `runtime.agent ${config.agent}: no AgentRegistration account on program ${programId}; is the agent registered on this cluster?`
          })
        }
        if (account.owner !== programId) {
          return yield* new DecodeError({ account: config.agent, message: `owned by ${account.owner}, not the AgenC program ${programId}` })
        }
        return yield* decodeAgentRegistration(account.address, account.data, layout)
      })

      return AgentRuntime.of({
        claimableTasks: Effect.fn("AgentRuntimeSolana.claimableTasks")(function*(filter) {
          const [agent, accounts] = yield* Effect.all([registration, rpc.getProgramAccounts(programId, OPEN_TASK_FILTERS)], { concurrency: 2 })
          // Filters on the raw bytes and builds Task objects only for the claimable ones; a malformed
          // account still fails the whole scan, as decoding every account would.
          const claimable = (yield* claimableScan(accounts, agent, filter, yield* nowSeconds)).sort(byRewardDesc)
          return filter.limit === undefined ? claimable : claimable.slice(0, Math.max(0, Math.floor(filter.limit)))
        }),

        agentSnapshot: Effect.fn("AgentRuntimeSolana.agentSnapshot")(function*() {
          const agent = yield* registration
          return {
            agent: agent.address,
            capabilities: agent.capabilities,
            tasksCompleted: agent.tasksCompleted,
            totalEarned: agent.totalEarned,
            reputation: agent.reputation,
            activeTasks: agent.activeTasks,
            stake: agent.stake,
            at: yield* Clock.currentTimeMillis
          }
        }),

        portfolio: Effect.fn("AgentRuntimeSolana.portfolio")(function*() {
          const claimAccounts = yield* rpc.getProgramAccounts(programId, [
            discriminatorFilter("TaskClaim"),
            { offset: CLAIM_WORKER_OFFSET, bytes: config.agent },
            byteFilter(CLAIM_IS_COMPLETED_OFFSET, 0)
          ])
          const claims = yield* decodeAll(claimAccounts, decodeTaskClaim)
          const taskAccounts = yield* rpc.getAccounts(claims.map((claim) => claim.task))
          const entries: Array<PortfolioEntry> = []
          for (const [i, claim] of claims.entries()) {
            const account = taskAccounts[i]
            // A closed task account (cancelled and reclaimed) leaves nothing to work on.
            if (account === null || account === undefined) continue
            entries.push({ task: yield* decodeTask(account.address, account.data), claimedAt: claim.claimedAt, expiresAt: claim.expiresAt })
          }
          return entries.sort((a, b) => a.claimedAt - b.claimedAt)
        }),

        disputes: Effect.fn("AgentRuntimeSolana.disputes")(function*(taskIds) {
          const ids = [...new Set(taskIds)].filter((id) => isAddress(id))
          const perTask = yield* Effect.forEach(
            ids,
            (task) => rpc.getProgramAccounts(programId, [discriminatorFilter("Dispute"), { offset: DISPUTE_TASK_OFFSET, bytes: task }]).pipe(
              Effect.flatMap((accounts) => decodeAll(accounts, decodeDispute))
            ),
            { concurrency: 4 }
          )
          return perTask.flat().sort((a, b) => a.createdAt - b.createdAt)
        })
      })
    })
  )
