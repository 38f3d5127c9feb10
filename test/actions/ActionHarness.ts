import type { SqlClient } from "@effect/sql"
import { Effect, Either, Layer, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import type { HeartbeatAction } from "../../src/services/HeartbeatAction.js"
import { runSlot } from "../../src/heartbeat/RunSlot.js"
import { Database } from "../../src/layers/Database.js"
import { StateStoreSqlite } from "../../src/layers/StateStoreSqlite.js"
import type { AgentRuntime } from "../../src/services/AgentRuntime.js"
import type { Registration } from "../../src/services/Scheduler.js"
import { StateStore } from "../../src/services/StateStore.js"
import { GatewayTest } from "../layers/GatewayTest.js"

/** A temporary `$AGENC_HOME`, removed when the scope closes. */
export const tempHome = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "agenc-actions-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A registration of `action` as `gateway.json` would give it (defaults of an entry). */
export const registrationOf = (action: HeartbeatAction, config: Record<string, unknown> = {}, name = action.name): Registration => ({
  name,
  action,
  schedule: Either.getOrThrow(CronSchedule.parse("@hourly", "UTC")),
  timeoutMs: 300_000,
  overlap: "skip",
  catchUp: "none",
  catchUpWindowMs: 86_400_000,
  config,
  fingerprint: name
})

/** The real SQLite state store in `home` with a recording gateway and the given runtime (which may use the same database). */
export const actionLayer = (home: string, gateway: GatewayTest, runtime: Layer.Layer<AgentRuntime, never, SqlClient.SqlClient>) =>
  Layer.mergeAll(StateStoreSqlite({ ledgerSize: 10_000 }), gateway.layer, runtime).pipe(Layer.provideMerge(Database(home)))

/** Sets the TestClock to `atMs`, claims a run of the slot (manual, so a test may run one slot twice) and runs it, through the real run pipeline. */
export const runAt = (registration: Registration, atMs: number) =>
  TestClock.setTime(atMs).pipe(
    Effect.zipRight(StateStore),
    Effect.flatMap((store) => store.claim({ action: registration.name, scheduledAt: atMs, trigger: "manual", startedAt: atMs, exclusive: true })),
    Effect.orDie,
    Effect.flatMap((claim) =>
      claim._tag === "Claimed" ? runSlot(registration, atMs, { claimId: claim.id, trigger: "manual" }) : Effect.dieMessage(`slot not claimed: ${claim._tag}`)
    )
  )

/** The run ledger, newest first. */
export const ledger = (action: string) => Effect.flatMap(StateStore, (store) => store.runs({ action }))

/** Epoch ms of a UTC date-time. */
export const utc = (iso: string): number => Date.parse(`${iso}Z`)

export const HOUR = 3_600_000
