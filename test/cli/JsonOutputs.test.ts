import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { ActionJson, IsoTime, LedgerRunJson, RunJson, TaskJson } from "../../src/cli/JsonOutput.js"
import { runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

const Outcome = Schema.NullOr(Schema.String)
const Pause = Schema.NullOr(Schema.Struct({ since: IsoTime, reason: Schema.NullOr(Schema.String), until: Schema.NullOr(IsoTime), by: Schema.String }))

/** The README's tables, as Schemas: a field that is not documented fails the decode. */
const HeartbeatRunJson = Schema.Struct({ ...RunJson.fields, dryRun: Schema.Boolean, wouldSendTo: Schema.NullOr(Schema.Array(Schema.String)) })
const HeartbeatListJson = Schema.Array(Schema.Struct({
  ...ActionJson.fields,
  description: Schema.String,
  enabled: Schema.Boolean,
  lastOutcome: Outcome,
  missed24h: Schema.Number,
  skipped24h: Schema.Number,
  paused: Pause
}))
const Loop = Schema.Struct({ alive: Schema.Boolean, restarts: Schema.Number })
const StatusJson = Schema.Struct({
  state: Schema.Literal("running", "unresponsive", "stale", "stopped"),
  configError: Schema.NullOr(Schema.String),
  running: Schema.Boolean,
  pid: Schema.NullOr(Schema.Number),
  uptimeMs: Schema.NullOr(Schema.Number),
  staleReason: Schema.NullOr(Schema.String),
  lastCrash: Schema.NullOr(Schema.Struct({ at: IsoTime, pid: Schema.Number, reason: Schema.String })),
  restarts: Schema.Number,
  actions: Schema.Array(Schema.Struct({
    ...ActionJson.fields,
    lastRunAt: Schema.NullOr(IsoTime),
    lastOutcome: Outcome,
    missed24h: Schema.Number,
    skipped24h: Schema.Number,
    paused: Pause,
    running: Schema.Boolean
  })),
  loops: Schema.NullOr(Schema.Struct({
    scheduler: Schema.Struct({ ...Loop.fields, lastTickAt: Schema.NullOr(IsoTime) }),
    channels: Schema.Record({ key: Schema.String, value: Loop })
  })),
  deadLetters: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Number })),
  // Their own sections of the README ("Metrics and traces", "Supervision") document these.
  metrics: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  supervisor: Schema.Struct({ state: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
const RunsJson = Schema.Array(LedgerRunJson)
const NextJson = Schema.Array(Schema.Struct({ action: Schema.String, slots: Schema.Array(Schema.Struct({ at: IsoTime, local: Schema.String })), paused: Pause }))

const strict = { onExcessProperty: "error" } as const

const json = (home: string, args: ReadonlyArray<string>, code = 0) =>
  Effect.map(runCli(home, args), (result) => {
    assert.strictEqual(result.code, code, `${args.join(" ")}: ${result.stderr}`)
    // Exactly one JSON document on stdout: JSON.parse refuses anything before or after it.
    return JSON.parse(result.stdout) as unknown
  })

describe("--json outputs: one convention, decoded with the README's Schemas", () => {
  it.live("heartbeat run, list, runs, next, trigger; daemon status; tasks list", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ heartbeat: { actions: [{ name: "task-scan", schedule: "*/5 * * * *" }, { name: "daily-summary", schedule: "0 9 * * *", timezone: "Europe/Berlin" }] } })
      assert.strictEqual((yield* runCli(home, ["tasks", "add", "--reward", "1500000000", "--capabilities", "3", "--deadline", "+2h"])).code, 0)

      const dry = Schema.decodeUnknownSync(HeartbeatRunJson)(yield* json(home, ["heartbeat", "run", "task-scan", "--dry-run", "--json"]), strict)
      assert.deepStrictEqual([dry.id, dry.trigger, dry.dryRun, dry.deliveries], [null, "manual", true, []])
      const real = Schema.decodeUnknownSync(HeartbeatRunJson)(yield* json(home, ["heartbeat", "run", "task-scan", "--json"]), strict)
      assert.deepStrictEqual([real.outcome, real.dryRun, real.wouldSendTo, real.deliveries.map((d) => d.error)], ["notified", false, null, [null, null]])
      assert.isNumber(real.id)

      const tasks = Schema.decodeUnknownSync(Schema.Array(TaskJson))(yield* json(home, ["tasks", "list", "--json"]), strict)
      assert.deepStrictEqual(tasks[0]!.reward, { amount: "1500000000", unit: "lamports" })
      assert.isNotNull(tasks[0]!.deadline)
      assert.isNull(tasks[0]!.completedAt, "none is null, not 0")

      const list = Schema.decodeUnknownSync(HeartbeatListJson)(yield* json(home, ["heartbeat", "list", "--json"]), strict)
      assert.deepStrictEqual(list.map((a) => [a.name, a.timezone, a.lastOutcome]), [["task-scan", "UTC", "notified"], ["daily-summary", "Europe/Berlin", null]])
      const runs = Schema.decodeUnknownSync(RunsJson)(yield* json(home, ["heartbeat", "runs", "--json"]), strict)
      // The slot has one name in every output: the run's own `scheduledAt` is the ledger record's.
      assert.deepStrictEqual(runs.map((run) => [run.id, run.scheduledAt]), [[real.id, real.scheduledAt]])
      Schema.decodeUnknownSync(NextJson)(yield* json(home, ["heartbeat", "next", "--json"]), strict)
      const stopped = Schema.decodeUnknownSync(StatusJson)(yield* json(home, ["daemon", "status", "--json"], 3), strict)
      assert.strictEqual(stopped.actions[0]!.lastOutcome, "notified")

      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      const triggered = Schema.decodeUnknownSync(RunJson)(yield* json(home, ["heartbeat", "trigger", "task-scan", "--json"]), strict)
      assert.deepStrictEqual([triggered.action, triggered.trigger, triggered.outcome], ["task-scan", "manual", "quiet"])
      const running = Schema.decodeUnknownSync(StatusJson)(yield* json(home, ["daemon", "status", "--json"]), strict)
      assert.isTrue(running.running)
      assert.isNotNull(running.actions[0]!.nextRunAt)
      daemon.child.kill("SIGTERM")
    }).pipe(Effect.scoped), 240_000)
})
