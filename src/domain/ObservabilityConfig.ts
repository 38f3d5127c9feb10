import { Schema } from "effect"
import * as net from "node:net"
import { isHttpUrl } from "./ChannelsConfig.js"
import { Secret } from "./Secret.js"

/** A `host:port` the metrics listener binds; IPv6 hosts in brackets (`[::1]:9464`). */
export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/** Splits `host:port`; undefined when it is not one. */
export const parseListen = (text: string): ListenAddress | undefined => {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  if (match === null) return undefined
  const host = match[1] ?? match[2]!
  const port = Number(match[3])
  if (port < 1 || port > 65_535) return undefined
  if (match[1] !== undefined && net.isIPv6(host) === false) return undefined
  return { host, port }
}

/** Whether `host` can only be reached from this machine: `localhost`, 127.0.0.0/8, `::1`. */
export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || (net.isIPv4(host) && host.startsWith("127."))

const Listen = Schema.NonEmptyString.pipe(
  Schema.filter((text) => parseListen(text) !== undefined || "expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464")
)

/** `metrics`: Prometheus text format on `http://listen/metrics`, served by the daemon. Absent: no listener. */
export class MetricsConfig extends Schema.Class<MetricsConfig>("MetricsConfig")(
  Schema.Struct({
    listen: Listen.annotations({ description: "host:port of the /metrics listener; loopback only unless allowRemote" }),
    allowRemote: Schema.optionalWith(Schema.Boolean, { default: () => false }).annotations({
      description: "allow a non-loopback listen address (the metrics have no authentication)"
    })
  }).pipe(
    Schema.filter((metrics) =>
      metrics.allowRemote || isLoopback(parseListen(metrics.listen)?.host ?? "localhost") || {
        path: ["listen"],
        message: `${metrics.listen} is not a loopback address; the metrics have no authentication: set "allowRemote": true to serve them there`
      }
    )
  )
) {}

/** `telemetry.otlp`: where traces go, over OTLP/HTTP (JSON). */
export class OtlpConfig extends Schema.Class<OtlpConfig>("OtlpConfig")({
  url: Schema.NonEmptyString.pipe(Schema.filter((url) => isHttpUrl(url) || "not an http(s) URL")).annotations({
    description: "the collector's OTLP/HTTP base URL (e.g. http://127.0.0.1:4318); traces go to <url>/v1/traces"
  }),
  headers: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Secret }), { default: () => ({}) }).annotations({
    description: "extra request headers (e.g. an API key): a value, or {\"env\": NAME}, or {\"file\": PATH}; never logged"
  }),
  serviceName: Schema.optionalWith(Schema.NonEmptyString, { default: () => "agenc" })
}) {}

/** `telemetry`: traces, off unless `otlp` is set. */
export class TelemetryConfig extends Schema.Class<TelemetryConfig>("TelemetryConfig")({
  otlp: Schema.optional(OtlpConfig)
}) {}
