import { Layer } from "effect"
import { AppConfig, type LoadedConfig } from "../services/AppConfig.js"
import { AgentRuntimeLive } from "./AgentRuntimeLive.js"
import { Database } from "./Database.js"
import { GatewayLive } from "./GatewayLive.js"
import { Logging } from "./Logging.js"
import { SchedulerLive } from "./SchedulerLive.js"
import { StateStoreSqlite } from "./StateStoreSqlite.js"
import { Telemetry } from "./Telemetry.js"

/**
 * Everything the heartbeat needs for one loaded config: the database, state store, gateway, agent
 * runtime and scheduler, plus `AppConfig` and the logger. Built once, at the edge (a CLI command).
 */
export const MainLayer = (loaded: LoadedConfig) => {
  const services = Layer.mergeAll(
    StateStoreSqlite({ ledgerSize: loaded.config.heartbeat.ledgerSize }),
    GatewayLive,
    AgentRuntimeLive
  ).pipe(Layer.provideMerge(Database(loaded.home)))
  return SchedulerLive({ wakeIntervalMs: loaded.config.heartbeat.wakeInterval }).pipe(
    Layer.provideMerge(services),
    // Before the services, so their fibers (channel workers, runs) trace into it.
    Layer.provideMerge(Telemetry()),
    Layer.provideMerge(Layer.succeed(AppConfig, loaded)),
    Layer.provideMerge(Logging(loaded.config.log))
  )
}
