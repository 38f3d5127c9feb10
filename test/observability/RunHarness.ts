import { Clock, Effect, Either, Layer } from "effect"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import type { HeartbeatResult } from "../../src/services/HeartbeatAction.js"
import { runSlot } from "../../src/heartbeat/RunSlot.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import { AgentRuntime, NotFoundError } from "../../src/services/AgentRuntime.js"
import type { Registration } from "../../src/services/Scheduler.js"
import { Gateway } from "../../src/services/Gateway.js"
import { StateStore } from "../../src/services/StateStore.js"
import * as path from "node:path"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"
import { GatewayLiveWith } from "../../src/layers/GatewayLive.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { eventually, fastDelivery } from "../gateway/GatewayTestKit.js"
import type { HttpTestServer } from "../layers/HttpTestServer.js"
import { Database } from "../../src/layers/Database.js"
import { NodeContext } from "@effect/platform-node"

/** These runs never read the marketplace. */
const absentRuntime = Layer.succeed(AgentRuntime, {
  claimableTasks: () => Effect.fail(new NotFoundError({ what: "runtime", id: "observability-test" })),
  agentSnapshot: () => Effect.fail(new NotFoundError({ what: "runtime", id: "observability-test" })),
  portfolio: () => Effect.fail(new NotFoundError({ what: "runtime", id: "observability-test" })),
  disputes: () => Effect.fail(new NotFoundError({ what: "runtime", id: "observability-test" }))
})

/** Two webhook channels on `server`: `ok-hook` (answered 200) and `bad-hook` (answered 400: dropped, a dead letter). */
export const channels = (server: HttpTestServer) => {
  server.handler = (request) => (request.path === "/bad" ? { status: 400, body: "no" } : { status: 200, body: "ok" })
  return [
    { type: "webhook", name: "ok-hook", url: `${server.url}/ok`, delivery: fastDelivery },
    { type: "webhook", name: "bad-hook", url: `${server.url}/bad`, delivery: fastDelivery }
  ]
}

/**
 * What runSlot needs, over real SQLite in `home` and the real gateway with `channelConfigs`: one database
 * for both, as in the daemon (two built side by side would migrate the same file at once).
 */
export const runLayer = (home: string, channelConfigs: ReadonlyArray<unknown>) =>
  Layer.mergeAll(
    StateStoreSqlite({ ledgerSize: 1_000 }),
    GatewayLiveWith({ pollInterval: 200 }).pipe(Layer.provide(Layer.effect(
      AppConfig,
      decodeConfig({ channels: channelConfigs }).pipe(Effect.map((config) => ({ home, file: path.join(home, "gateway.json"), fromFile: false, config })))
    ))),
    absentRuntime
  ).pipe(Layer.provide(Database(home).pipe(Layer.provide(NodeContext.layer))))

/** A registration of an action that does `execute`. */
export const registration = (
  name: string,
  execute: Effect.Effect<HeartbeatResult, unknown>,
  overrides: Partial<Registration> = {}
): Registration => ({
  name,
  action: { name, description: "observability test", execute: () => execute },
  schedule: Either.getOrThrow(CronSchedule.parse("0 0 1 1 *", "UTC")),
  timeoutMs: 300_000,
  overlap: "skip",
  catchUp: "none",
  catchUpWindowMs: 86_400_000,
  config: {},
  fingerprint: name,
  ...overrides
})

/** One action per outcome a run can have. */
export const actionsOfEachOutcome = (prefix: string) => [
  registration(`${prefix}-notify`, Effect.succeed({ shouldNotify: true, message: "something to act on" })),
  registration(`${prefix}-quiet`, Effect.succeed({ shouldNotify: false })),
  registration(`${prefix}-fail`, Effect.fail(new Error("boom"))),
  registration(`${prefix}-slow`, Effect.as(Effect.never, { shouldNotify: false }), { timeoutMs: 100 })
]

/** Claims and runs each registration once, for a slot `lateMs` before now, as the scheduler does. */
export const runAll = (registrations: ReadonlyArray<Registration>, lateMs: number) =>
  Effect.forEach(registrations, (r) =>
    Effect.gen(function*() {
      const store = yield* StateStore
      const now = yield* Clock.currentTimeMillis
      const claim = yield* store.claim({ action: r.name, scheduledAt: now - lateMs, trigger: "schedule", startedAt: now, exclusive: true })
      if (claim._tag !== "Claimed") return yield* Effect.dieMessage(`slot of ${r.name} not claimed: ${claim._tag}`)
      return yield* runSlot(r, now - lateMs, { claimId: claim.id, trigger: "schedule" })
    }))

/**
 * Until the channel workers have finished every message in the outbox (delivered or dropped): a scheduled
 * run ends once its message is committed, and the workers make the attempts after it.
 */
export const settled = Effect.flatMap(Gateway, (gateway) => eventually(Effect.map(gateway.pending(), (n) => n === 0)))

/** The value of one series in a scrape; undefined when it is absent. */
export const series = (text: string, name: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}
