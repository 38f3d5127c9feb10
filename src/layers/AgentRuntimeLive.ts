import { FetchHttpClient } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import type { ConfigError } from "../domain/ConfigError.js"
import type { AgentRuntime } from "../services/AgentRuntime.js"
import { AppConfig } from "../services/AppConfig.js"
import { AgentRuntimeLocal } from "./AgentRuntimeLocal.js"
import { AgentRuntimeSolana } from "./AgentRuntimeSolana.js"

/** `AgentRuntime` from `runtime.source`: the local ledger (default) or the program over Solana RPC. */
export const AgentRuntimeLive: Layer.Layer<AgentRuntime, ConfigError, AppConfig | SqlClient.SqlClient> = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ config }): Layer.Layer<AgentRuntime, ConfigError, SqlClient.SqlClient> => {
    const runtime = config.runtime
    switch (runtime.source) {
      case "local":
        return AgentRuntimeLocal(runtime)
      case "solana":
        return AgentRuntimeSolana(runtime).pipe(Layer.provide(FetchHttpClient.layer))
    }
  })
)
