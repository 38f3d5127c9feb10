import { Clock, Effect, Layer } from "effect"
import { channelName } from "../domain/ChannelsConfig.js"
import { runSlot } from "../heartbeat/RunSlot.js"
import { dryRunGateway, dryRunStore } from "../heartbeat/DryRun.js"
import { AgentRuntimeLive } from "../layers/AgentRuntimeLive.js"
import { DatabaseReadOnly } from "../layers/DatabaseReadOnly.js"
import { Logging } from "../layers/Logging.js"
import { StateStoreSqlite } from "../layers/StateStoreSqlite.js"
import { AppConfig, type LoadedConfig } from "../services/AppConfig.js"
import { Gateway, type OutboundMessage } from "../services/Gateway.js"
import type { Registration, RunReport } from "../services/Scheduler.js"
import { StateStore } from "../services/StateStore.js"

/** What a dry run did, and where a real run would have delivered its message. */
export interface DryRunReport {
  readonly report: RunReport
  /** The channels a real run would deliver to (none when the run is quiet or failed). */
  readonly wouldSendTo: ReadonlyArray<string>
  /** Messages the action itself handed to the gateway (`yield* Gateway`), not delivered either. */
  readonly sentByAction: ReadonlyArray<OutboundMessage>
}

/**
 * `heartbeat run ACTION --dry-run`: runs the action against its real session and data source, but writes
 * nothing: it opens agenc.db read-only (a missing home or database reads as empty and is not created), its
 * session writes stay in memory, no ledger record, and no gateway (so no delivery and no retry of queued
 * messages either).
 */
export const dryRun = (loaded: LoadedConfig, registration: Registration) =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const channels = loaded.config.channels.map(channelName)
    const sentByAction: Array<OutboundMessage> = []
    const now = yield* Clock.currentTimeMillis
    const report = yield* runSlot(registration, now, { claimId: 0, trigger: "manual", deliver: false }).pipe(
      Effect.provideService(StateStore, dryRunStore(store)),
      Effect.provideService(Gateway, dryRunGateway(channels, sentByAction))
    )
    const dryRunReport: DryRunReport = {
      report,
      wouldSendTo: report.outcome === "notified" ? registration.channels ?? channels : [],
      sentByAction
    }
    return dryRunReport
  }).pipe(
    Effect.provide(
      Layer.mergeAll(StateStoreSqlite({ ledgerSize: loaded.config.heartbeat.ledgerSize }), AgentRuntimeLive).pipe(
        Layer.provideMerge(DatabaseReadOnly(loaded.home)),
        Layer.provideMerge(Layer.succeed(AppConfig, loaded)),
        Layer.provideMerge(Logging(loaded.config.log))
      )
    )
  )
