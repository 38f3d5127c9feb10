import { type Clock, Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import type { HeartbeatAction } from "../../src/services/HeartbeatAction.js"
import { Database } from "../../src/layers/Database.js"
import { SchedulerLive } from "../../src/layers/SchedulerLive.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import { AgentRuntime, NotFoundError } from "../../src/services/AgentRuntime.js"
import type { Registration } from "../../src/services/Scheduler.js"
import { GatewayTest } from "../layers/GatewayTest.js"

/** The recording gateway the scheduler tests read. */
export type SentLog = GatewayTest

/** A temporary `$AGENC_HOME`, removed when the scope closes. */
export const tempHome = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "agenc-test-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** The scheduler tests do not read the marketplace: every call says so. */
const absentRuntime = Layer.succeed(AgentRuntime, {
  claimableTasks: () => Effect.fail(new NotFoundError({ what: "runtime", id: "scheduler-test" })),
  agentSnapshot: () => Effect.fail(new NotFoundError({ what: "runtime", id: "scheduler-test" })),
  portfolio: () => Effect.fail(new NotFoundError({ what: "runtime", id: "scheduler-test" })),
  disputes: () => Effect.fail(new NotFoundError({ what: "runtime", id: "scheduler-test" }))
})

/** Scheduler + real SQLite state store in `home`, with a recording gateway. */
export const schedulerLayer = (home: string, log: GatewayTest, wakeIntervalMs = 1_000, clock?: Clock.Clock, ledgerSize = 10_000, leadMs?: number) =>
  SchedulerLive({ wakeIntervalMs, leadMs }).pipe(
    // A clock given here is the one the scheduler's fibers see; the test itself keeps the TestClock.
    clock === undefined ? (layer) => layer : Layer.provide(Layer.setClock(clock)),
    Layer.provideMerge(Layer.mergeAll(StateStoreSqlite({ ledgerSize }), log.layer, absentRuntime)),
    Layer.provideMerge(Database(home))
  )

/** A registration with the defaults of `gateway.json`. */
export const registration = (
  name: string,
  expression: string,
  action: Omit<HeartbeatAction, "name"> & { readonly name?: string },
  overrides: Partial<Registration> & { readonly timezone?: string } = {}
): Registration => ({
  name,
  action: { name, ...action },
  schedule: Either.getOrThrow(CronSchedule.parse(expression, overrides.timezone ?? "UTC")),
  timeoutMs: 300_000,
  overlap: "skip",
  catchUp: "none",
  catchUpWindowMs: 86_400_000,
  config: {},
  fingerprint: `${name}|${expression}|${overrides.timezone ?? "UTC"}`,
  ...overrides
})
