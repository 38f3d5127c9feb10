import { FetchHttpClient, Headers } from "@effect/platform"
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import { Effect, Layer, Redacted } from "effect"
import { resolveSecret } from "../domain/Secret.js"
import { AppConfig } from "../services/AppConfig.js"

/** Where OTLP/HTTP traces go: the collector's base URL plus `/v1/traces` (a URL already ending so is kept). */
export const tracesUrl = (base: string): string => (/\/v1\/traces\/?$/.test(base) ? base : `${base.replace(/\/+$/, "")}/v1/traces`)

/**
 * Traces over OTLP/HTTP (JSON) when `gateway.json` has `telemetry.otlp`, else nothing (effect's no-op
 * tracer). Every `Effect.fn` name becomes a span: one per run (`Heartbeat.runSlot`), with children per
 * delivery attempt and per RPC call. Header values are secrets: resolved here, and their names are added
 * to the headers `@effect/platform` redacts in logs.
 */
export const Telemetry = (options: { readonly exportInterval?: number | undefined } = {}) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const { config } = yield* AppConfig
    const otlp = config.telemetry?.otlp
    if (otlp === undefined) return Layer.empty
    const headers = yield* Effect.forEach(Object.entries(otlp.headers), ([name, secret]) =>
      resolveSecret(secret, `telemetry.otlp.headers.${name}`).pipe(Effect.map((value) => [name, Redacted.value(value)] as const)))
    const redactHeaders = Layer.scopedDiscard(
      Effect.locallyScopedWith(Headers.currentRedactedNames, (names) => [...names, ...headers.map(([name]) => name.toLowerCase())])
    )
    const tracer = OtlpTracer.layer({
      url: tracesUrl(otlp.url),
      resource: { serviceName: otlp.serviceName },
      headers: Object.fromEntries(headers),
      exportInterval: options.exportInterval ?? 5_000,
      // The daemon's shutdown deadline is grace + 1.5 s: the last batch gets one second.
      shutdownTimeout: 1_000
    }).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer))
    // In order: the exporter's fibers, forked while the tracer is built, inherit the redacted names.
    return tracer.pipe(Layer.provideMerge(redactHeaders))
  }))
