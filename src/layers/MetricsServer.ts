import { HttpMiddleware, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
// Not from "@effect/platform-node": that index also loads its HTTP client, undici, at every start.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import { ConfigError } from "../domain/ConfigError.js"
import { parseListen } from "../domain/ObservabilityConfig.js"
import { AppConfig } from "../services/AppConfig.js"
import { Gateway } from "../services/Gateway.js"
import { StateStore } from "../services/StateStore.js"
import * as Metrics from "../services/Metrics.js"
import { CONTENT_TYPE, prometheusText } from "./PrometheusText.js"

/** Reads each channel's outbox depth into its gauge, so a scrape sees the queue as it is now. */
const refreshOutboxDepth = Effect.gen(function*() {
  const gateway = yield* Gateway
  yield* Effect.forEach(gateway.channels, (channel) => gateway.pending(channel).pipe(Effect.flatMap((n) => Metrics.setOutboxDepth(channel, n))), {
    discard: true
  })
})

/** Not traced: a scrape every 15 s would drown the runs. */
const scrape = refreshOutboxDepth.pipe(
  Effect.zipRight(prometheusText),
  Effect.map((text) => HttpServerResponse.text(text, { contentType: CONTENT_TYPE })),
  Effect.withTracerEnabled(false)
)

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/metrics", scrape),
  HttpRouter.get("/", Effect.succeed(HttpServerResponse.text("agenc metrics: GET /metrics\n")))
)

/** Each configured action's last success from the ledger, so a restart does not blank the gauge. */
const seedLastSuccess = Effect.gen(function*() {
  const { config } = yield* AppConfig
  const store = yield* StateStore
  for (const action of config.heartbeat.actions) {
    const last = yield* Effect.forEach(["notified", "quiet"], (outcome) => store.runs({ action: action.name, outcome, limit: 1 }))
    const endedAt = Math.max(...last.flat().map((run) => run.endedAt))
    if (endedAt > 0) yield* Metrics.setLastSuccess(action.name, endedAt)
  }
}).pipe(Effect.catchAll((error) => Effect.logWarning(`metrics: cannot read the last successes from the ledger: ${error.message}`)))

/**
 * The daemon's metrics: the last successes read from the ledger, and the `/metrics` listener when
 * `gateway.json` has `metrics.listen`. The address was checked when the config was decoded (loopback
 * unless `allowRemote`); failing to listen is a `ConfigError` on `metrics.listen`.
 */
export const MetricsServer = Layer.unwrapEffect(Effect.gen(function*() {
  const { config } = yield* AppConfig
  yield* seedLastSuccess
  const metrics = config.metrics
  if (metrics === undefined) return Layer.empty
  const address = parseListen(metrics.listen)!
  return Layer.scopedDiscard(Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => http.createServer(), { host: address.host, port: address.port }).pipe(
      Effect.mapError((error) =>
        new ConfigError({ path: "metrics.listen", message: `cannot listen on ${metrics.listen}: ${String((error.cause as Error)?.message ?? error.cause)}` })
      )
    )
    yield* HttpServer.serveEffect(router).pipe(
      Effect.locally(HttpMiddleware.currentTracerDisabledWhen, () => true),
      Effect.provideService(HttpServer.HttpServer, server)
    )
    yield* Effect.logInfo(`metrics on http://${metrics.listen}/metrics`)
  }))
}))
