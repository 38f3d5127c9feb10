import { NodeContext } from "@effect/platform-node"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type GatewayOptions, GatewayLiveWith } from "../../src/layers/GatewayLive.js"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"
import { Database } from "../../src/layers/Database.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { Gateway, type OutboundMessage } from "../../src/services/Gateway.js"

/** A fresh `$AGENC_HOME`. */
export const tempHome = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "agenc-gateway-"))

/** `GatewayLive` on `home` with these `channels[]` entries, its database and config provided. */
export const gatewayLayer = (home: string, channels: ReadonlyArray<unknown>, options: GatewayOptions = {}) =>
  GatewayLiveWith({ pollInterval: 200, ...options }).pipe(
    Layer.provide(Layer.effect(
      AppConfig,
      decodeConfig({ channels }).pipe(Effect.map((config) => ({ home, file: path.join(home, "gateway.json"), fromFile: false, config })))
    )),
    Layer.provide(Database(home).pipe(Layer.provide(NodeContext.layer)))
  )

/** Every log line (logfmt, all levels, annotations included), for asserting what is and is not logged. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const layer = Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))),
    Logger.minimumLogLevel(LogLevel.All)
  )
  return { lines, layer }
}

/** A message as the scheduler would send it. */
export const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: "task-scan@2025-03-01T09:00:00.000Z",
  action: "task-scan",
  message: "3 new claimable tasks",
  metadata: { count: 3, tasks: ["a", "b", "c"] },
  scheduledAt: Date.parse("2025-03-01T09:00:00.000Z"),
  startedAt: Date.parse("2025-03-01T09:00:00.250Z"),
  ...overrides
})

/** Fast retry settings so tests take milliseconds, not minutes. */
export const fastDelivery = { retries: 2, backoff: 100, maxBackoff: 400, expireAfter: "1h" }

/** Real-time sleep for live tests. */
export const sleep = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

/** Polls `check` until it is true or `timeoutMs` passes (then fails the test). */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, timeoutMs = 10_000): Effect.Effect<void, E | Error, R> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error("condition not met in time"))
      yield* sleep(25)
    }
  })

/** Builds the gateway in the test's scope (closed with it, like a process exiting) and returns the service. */
export const startGateway = (home: string, channels: ReadonlyArray<unknown>, options: GatewayOptions = {}) =>
  Layer.build(gatewayLayer(home, channels, options)).pipe(Effect.map((context) => Context.get(context, Gateway)))
