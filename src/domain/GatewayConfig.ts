import { Schema } from "effect"
import { ChannelsConfig, defaultChannels, Links } from "./ChannelsConfig.js"
import { DaemonConfig } from "./DaemonConfig.js"
import { HeartbeatConfig } from "./HeartbeatConfig.js"
import { LogConfig } from "./LogConfig.js"
import { MetricsConfig, TelemetryConfig } from "./ObservabilityConfig.js"
import { RuntimeConfig } from "./RuntimeConfig.js"

const empty = <A, I>(schema: Schema.Schema<A, I>, input: unknown) => () => Schema.decodeUnknownSync(schema)(input)

/** `gateway.json`: the whole configuration, decoded once. */
export class GatewayConfig extends Schema.Class<GatewayConfig>("GatewayConfig")({
  $schema: Schema.optional(Schema.String),
  heartbeat: Schema.optionalWith(HeartbeatConfig, { default: empty(HeartbeatConfig, {}) }),
  channels: Schema.optionalWith(ChannelsConfig, { default: empty(ChannelsConfig, defaultChannels()) }),
  runtime: Schema.optionalWith(RuntimeConfig, { default: empty(RuntimeConfig, { source: "local" }) }),
  daemon: Schema.optionalWith(DaemonConfig, { default: empty(DaemonConfig, {}) }),
  log: Schema.optionalWith(LogConfig, { default: empty(LogConfig, {}) }),
  links: Schema.optionalWith(Links, { default: empty(Links, {}) }),
  metrics: Schema.optional(MetricsConfig),
  telemetry: Schema.optional(TelemetryConfig)
}) {}
