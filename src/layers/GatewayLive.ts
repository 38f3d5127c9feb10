import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Clock, Effect, Layer, Redacted, Schedule, Schema } from "effect"
import { DeliveryPolicy } from "../domain/ChannelsConfig.js"
import { supervise } from "../domain/LoopSupervisor.js"
import { ConfigError } from "../domain/ConfigError.js"
import { makeChannelPlugin } from "../gateway/Channels.js"
import { type ChannelWorker, makeChannelWorker } from "../gateway/ChannelWorker.js"
import { makeOutbox } from "../gateway/Outbox.js"
import { makeRedactor } from "../gateway/Redactor.js"
import { makeThreadStore } from "../gateway/ThreadStore.js"
import { AppConfig } from "../services/AppConfig.js"
import { type ChannelPlugin, type DeliveryOutcome, Gateway } from "../services/Gateway.js"
import * as Metrics from "../services/Metrics.js"

/** A channel implemented in code, with the same `timeout` (ms) and `delivery` settings a configured one has. */
export interface CustomChannel {
  readonly plugin: ChannelPlugin
  readonly timeout?: number | undefined
  readonly delivery?: Partial<typeof DeliveryPolicy.Encoded> | undefined
}

/** Options for `GatewayLiveWith`; `GatewayLive` uses the defaults. */
export interface GatewayOptions {
  /** Channels implemented in code, beside those in `gateway.json`. */
  readonly plugins?: ReadonlyArray<CustomChannel> | undefined
  /** How often each channel looks for messages other processes queued (default 30 s). */
  readonly pollInterval?: number | undefined
  /** How long delivered ids are remembered, so the same id is not delivered twice (default 30 days). */
  readonly retention?: number | undefined
}

/**
 * The gateway over the configured channels: each message goes into the SQLite outbox before its first
 * attempt, each channel is tried concurrently, and a background fiber per channel retries what failed
 * until it is delivered or expires, in this process or the next.
 */
export const GatewayLiveWith = (options: GatewayOptions = {}) =>
  Layer.scoped(
    Gateway,
    Effect.gen(function*() {
      const { config, home } = yield* AppConfig
      const client = yield* HttpClient.HttpClient
      const secrets: Array<Redacted.Redacted<string>> = []
      const threads = yield* makeThreadStore
      const context = { home, client, threads, onSecret: (secret: Redacted.Redacted<string>) => void secrets.push(secret) }
      const configured = yield* Effect.forEach(config.channels, (channel, index) =>
        makeChannelPlugin(channel, `channels[${index}]`, context).pipe(
          Effect.map((plugin) => ({ plugin, timeout: channel.timeout, policy: channel.delivery }))
        ))
      const extra = yield* Effect.forEach(options.plugins ?? [], (custom, index) =>
        Schema.decodeUnknown(DeliveryPolicy)(custom.delivery ?? {}).pipe(
          Effect.mapError((error) => new ConfigError({ path: `plugins[${index}].delivery`, message: error.message })),
          Effect.map((policy) => ({ plugin: custom.plugin, timeout: custom.timeout ?? 10_000, policy }))
        ))
      const all = [...configured, ...extra]
      const names = new Set<string>()
      for (const { plugin } of all) {
        if (names.has(plugin.name)) return yield* new ConfigError({ path: "channels", message: `duplicate channel name "${plugin.name}"` })
        names.add(plugin.name)
      }
      const redact = makeRedactor(secrets)
      const outbox = yield* makeOutbox
      const pollInterval = options.pollInterval ?? 30_000
      const workers: ReadonlyArray<ChannelWorker> = yield* Effect.forEach(all, (channel) =>
        makeChannelWorker({ ...channel, outbox, redact, pollInterval }))
      // Leases of a process killed outright would otherwise hold its rows until they expire.
      const released = yield* Clock.currentTimeMillis.pipe(
        Effect.flatMap(outbox.releaseOrphans),
        Effect.catchAll((error) => Effect.logWarning(`outbox: cannot release orphaned leases: ${error.message}`).pipe(Effect.as([])))
      )
      for (const owner of released) yield* Effect.logWarning(`released the outbox leases of process ${owner.split("/")[1]}, which is gone`)
      for (const worker of workers) yield* Effect.forkScoped(supervise(`channel ${worker.name}`, worker.health, worker.run))

      const retention = options.retention ?? 30 * 86_400_000
      yield* Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => outbox.prune(now - retention)),
        Effect.catchAll((error) => Effect.logWarning(`outbox prune: ${error.message}`)),
        Effect.repeat(Schedule.spaced("6 hours")),
        Effect.forkScoped
      )
      yield* Effect.logDebug(`gateway channels: ${workers.map((worker) => worker.name).join(", ") || "none"}`)

      const outboxDown = (channel: string) => (error: { readonly message: string }): Effect.Effect<DeliveryOutcome> =>
        Effect.logError(`outbox unavailable: ${error.message}`).pipe(
          Effect.annotateLogs({ channel }),
          Effect.as({ channel, status: "dropped", attempts: 0, error: `outbox unavailable: ${redact(error.message)}` })
        )

      return Gateway.of({
        channels: workers.map((worker) => worker.name),
        send: Effect.fn("Gateway.send")((message, sendOptions) => {
          const wanted = sendOptions?.channels
          const selected = wanted === undefined ? workers : workers.filter((worker) => wanted.includes(worker.name))
          const unknown = (wanted ?? []).filter((name) => !names.has(name))
          return Effect.gen(function*() {
            yield* Effect.annotateCurrentSpan({ action: message.action, messageId: message.id })
            for (const name of unknown) yield* Effect.logWarning(`no channel named "${name}"`)
            const outcomes = yield* Effect.forEach(
              selected,
              (worker) =>
                (sendOptions?.waitForAttempts === false ? worker.enqueue(message) : worker.send(message)).pipe(
                  Effect.catchAll(outboxDown(worker.name))
                ),
              { concurrency: "unbounded" }
            )
            yield* Effect.forEach(outcomes, (outcome) => Metrics.recordDelivery(outcome.channel, outcome.status), { discard: true })
            return [
              ...outcomes,
              ...unknown.map((channel): DeliveryOutcome => ({ channel, status: "dropped", attempts: 0, error: `no channel named "${channel}"` }))
            ]
          }).pipe(Effect.annotateLogs({ action: message.action, messageId: message.id }))
        }),
        pending: Effect.fn("Gateway.pending")((channel) =>
          outbox.pendingCount(channel).pipe(Effect.catchAll((error) => Effect.logError(`outbox: ${error.message}`).pipe(Effect.as(0))))),
        status: Effect.forEach(workers, (worker) => worker.status).pipe(
          Effect.catchAll((error) => Effect.logError(`outbox: ${error.message}`).pipe(Effect.as([]))),
          Effect.withSpan("Gateway.status")
        ),
        flush: Effect.forEach(workers, (worker) => worker.drain(true), { concurrency: "unbounded", discard: true }).pipe(
          Effect.zipRight(outbox.pendingCount()),
          Effect.catchAll((error) => Effect.logError(`outbox: ${error.message}`).pipe(Effect.as(-1))),
          Effect.withSpan("Gateway.flush")
        )
      })
    })
  ).pipe(Layer.provide(FetchHttpClient.layer))

/** The gateway over the channels in `gateway.json`. */
export const GatewayLive = GatewayLiveWith()
