import { JSONSchema, Schema } from "effect"
import { GatewayConfig } from "../domain/GatewayConfig.js"

/** The JSON Schema of `gateway.json` (`agenc config schema`, and the file `config init` points `$schema` at). */
export const gatewaySchemaJson = (): string => JSON.stringify(JSONSchema.make(Schema.encodedSchema(GatewayConfig)), null, 2) + "\n"

/** Name of the schema file `config init` writes next to `gateway.json`. */
export const schemaFileName = "gateway.schema.json"

/**
 * What `config init` writes: only the keys a user is likely to change, durations as strings; everything
 * else keeps its default (`agenc config show` prints them all), so a later release's defaults still apply.
 */
export const initialConfig = (actions: ReadonlyArray<Record<string, unknown>> = []) => ({
  $schema: `./${schemaFileName}`,
  heartbeat: {
    timezone: "UTC",
    actions: [
      { name: "task-scan", schedule: "*/5 * * * *", config: { minReward: "0" } },
      { name: "daily-summary", schedule: "0 9 * * *" },
      { name: "portfolio-monitor", schedule: "0 * * * *", config: { horizons: ["24h", "2h"] } },
      ...actions
    ]
  },
  channels: [{ type: "console" }, { type: "file" }],
  runtime: { source: "local" },
  daemon: { shutdownGrace: "3s" },
  log: { level: "info" }
})
