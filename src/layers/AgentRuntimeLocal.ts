import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import type { LocalRuntimeConfig } from "../domain/RuntimeConfig.js"
import { makeLedgerStore } from "../runtime/LedgerStore.js"
import { AgentRuntime } from "../services/AgentRuntime.js"

/** The local agent a `runtime: {source: "local"}` config describes. */
export const localAgent = (config: LocalRuntimeConfig) => ({ name: config.agent, capabilities: config.capabilities })

/** `AgentRuntime` on the embedded ledger in the SQLite database (`runtime.source: "local"`). */
export const AgentRuntimeLocal = (config: LocalRuntimeConfig) =>
  Layer.effect(
    AgentRuntime,
    Effect.map(SqlClient.SqlClient, (sql) => {
      const ledger = makeLedgerStore(sql, localAgent(config))
      return AgentRuntime.of({
        claimableTasks: Effect.fn("AgentRuntimeLocal.claimableTasks")((filter) => ledger.claimable(filter)),
        agentSnapshot: Effect.fn("AgentRuntimeLocal.agentSnapshot")(() => ledger.snapshot()),
        portfolio: Effect.fn("AgentRuntimeLocal.portfolio")(() => ledger.portfolio()),
        disputes: Effect.fn("AgentRuntimeLocal.disputes")((taskIds) => ledger.disputes(taskIds))
      })
    })
  )
