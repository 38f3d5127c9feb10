import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

/** A custom action that appends each run's slot to `runs.txt` in its home, then sleeps `sleepMs`. */
const writeRecorder = (home: string, sleepMs = 0) =>
  fs.writeFileSync(
    path.join(home, "recorder.mjs"),
    `import { Effect } from "effect"
import * as fs from "node:fs"
export default { name: "recorder", description: "records its slots", execute: (ctx) =>
  Effect.sync(() => fs.appendFileSync(${JSON.stringify(path.join(home, "runs.txt"))}, new Date(ctx.scheduledAt).toISOString() + "\\n")).pipe(
    Effect.zipRight(Effect.sleep(${sleepMs})), Effect.as({ shouldNotify: false })) }
`
  )

const config = (action: Record<string, unknown>) => ({ heartbeat: { actions: [{ name: "tick", module: "./recorder.mjs", ...action }] }, channels: [] })

interface RunJson {
  readonly action: string
  readonly scheduledAt: string
  readonly trigger: string
  readonly outcome: string
  readonly reason: string | null
  readonly startedAt: string | null
  readonly endedAt: string | null
  readonly deliveries: ReadonlyArray<unknown>
}

const runsJson = (home: string, ...args: ReadonlyArray<string>) =>
  runCli(home, ["heartbeat", "runs", ...args, "--json", "--limit", "1000"]).pipe(
    Effect.map((result) => {
      assert.strictEqual(result.code, 0, result.stderr)
      return (JSON.parse(result.stdout) as ReadonlyArray<RunJson>).slice().reverse()
    })
  )

const ranSlots = (home: string) => {
  const file = path.join(home, "runs.txt")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : []
}

/** Runs the daemon in the foreground until `body` is done, then stops it with SIGTERM. */
const withDaemon = <A, E, R>(home: string, body: (daemon: { child: import("node:child_process").ChildProcess }) => Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.gen(function*() {
    const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
    yield* waitReady(home)
    const result = yield* body(daemon)
    daemon.child.kill("SIGTERM")
    const end = yield* exited(daemon)
    assert.strictEqual(end.code, 0, end.stderr)
    return result
  }))

/** Every scheduled slot from the first record to the last has exactly one record, two seconds apart. */
const assertContinuous = (runs: ReadonlyArray<RunJson>) => {
  const slots = runs.filter((run) => run.trigger === "schedule").map((run) => Date.parse(run.scheduledAt))
  assert.deepStrictEqual(slots, [...new Set(slots)].sort((a, b) => a - b), "one record per slot, in order")
  for (let i = 1; i < slots.length; i++) assert.strictEqual(slots[i]! - slots[i - 1]!, 2_000, `no slot unaccounted for before ${new Date(slots[i]!).toISOString()}`)
}

describe("the ledger across daemon processes (real CLI)", () => {
  for (const catchUp of ["none", "latest"] as const) {
    it.live(`a daemon stopped across three slots and started again: catchUp ${catchUp}`, () =>
      Effect.gen(function*() {
        const home = yield* tempHome(config({ schedule: "*/2 * * * * *", catchUp }), `down-${catchUp}`)
        writeRecorder(home)
        yield* withDaemon(home, () => eventually(() => ranSlots(home).length >= 1, 10_000))
        const before = yield* runsJson(home, "tick")
        const lastBefore = Date.parse(before.at(-1)!.scheduledAt)
        // Down for three slots at least.
        yield* Effect.sleep(Math.max(0, lastBefore + 7_000 - Date.now()))
        yield* withDaemon(home, () => eventually(() => ranSlots(home).length >= (catchUp === "latest" ? 3 : 2), 10_000))
        const runs = yield* runsJson(home, "tick")
        assertContinuous(runs)
        const down = runs.filter((run) => Date.parse(run.scheduledAt) > lastBefore && run.outcome === "missed")
        assert.isTrue(down.every((run) => run.reason === "daemon-down" && run.startedAt === null))
        const gap = runs.filter((run) => Date.parse(run.scheduledAt) > lastBefore)
        const firstAfter = gap.findIndex((run) => run.outcome !== "missed")
        // daemon status and heartbeat list count what did not run in the last 24 h.
        const status = yield* runCli(home, ["daemon", "status", "--json"])
        assert.strictEqual(status.code, 3)
        const [statusAction] = (JSON.parse(status.stdout) as { actions: ReadonlyArray<{ missed24h: number; skipped24h: number; lastOutcome: string }> }).actions
        assert.deepStrictEqual([statusAction!.missed24h, statusAction!.skipped24h], [down.length, 0])
        const [listed] = JSON.parse((yield* runCli(home, ["heartbeat", "list", "--json"])).stdout) as ReadonlyArray<{ missed24h: number; lastOutcome: string }>
        assert.deepStrictEqual([listed!.missed24h, listed!.lastOutcome], [down.length, runs.at(-1)!.outcome])
        if (catchUp === "none") {
          assert.isAtLeast(down.length, 3, JSON.stringify(runs))
        } else {
          // The latest missed slot ran (caught up), the ones before it are missed.
          assert.isAtLeast(down.length, 2, JSON.stringify(runs))
          assert.strictEqual(gap[firstAfter]!.outcome, "quiet")
          assert.strictEqual(down.length, firstAfter)
        }
        const ran = ranSlots(home)
        assert.deepStrictEqual(ran, [...new Set(ran)], "no slot ran twice")
      }).pipe(Effect.scoped), 60_000)
  }

  it.live("restarts and reloads landing on slots that already ran, catchUp latest: no slot runs twice", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(config({ schedule: "* * * * * *", catchUp: "latest" }), "restarts")
      writeRecorder(home, 300)
      for (let round = 0; round < 3; round++) {
        yield* withDaemon(home, (daemon) =>
          Effect.gen(function*() {
            yield* eventually(() => ranSlots(home).length > round * 2, 10_000)
            fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config({ schedule: "* * * * * *", catchUp: "latest", timeout: 10_000 + round })))
            daemon.child.kill("SIGHUP")
            yield* Effect.sleep(1_200)
          }))
      }
      const ran = ranSlots(home)
      assert.isAtLeast(ran.length, 4)
      assert.deepStrictEqual(ran, [...new Set(ran)], "no slot ran twice")
      const runs = yield* runsJson(home, "tick")
      const slots = runs.filter((run) => run.trigger === "schedule").map((run) => run.scheduledAt)
      assert.deepStrictEqual(slots, [...new Set(slots)])
      assert.deepStrictEqual(ran.filter((slot) => !slots.includes(slot)), [], "every run is in the ledger")
    }).pipe(Effect.scoped), 90_000)

  it.live("two `heartbeat run` of one action at once: one runs, the other is refused with a clear message; beside a daemon too", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(config({ schedule: "0 0 1 1 *" }), "two-runs")
      // Long enough that the second process (a CLI start under load can take seconds) comes while the first runs.
      writeRecorder(home, 8_000)
      const first = yield* spawnCli(home, ["heartbeat", "run", "tick"])
      yield* eventually(() => ranSlots(home).length === 1, 10_000)
      const second = yield* runCli(home, ["heartbeat", "run", "tick"])
      assert.strictEqual(second.code, 1)
      assert.match(second.stderr, /^agenc: tick is already running \(a manual run, in process \d+\); not started again, try when it ends\n$/)
      assert.strictEqual((yield* exited(first)).code, 0)
      assert.strictEqual(ranSlots(home).length, 1)
      const runs = yield* runsJson(home)
      assert.deepStrictEqual(runs.map((run) => [run.trigger, run.outcome, run.reason]), [["manual", "quiet", null], ["manual", "skipped", "overlap"]])

      // Beside a daemon running the action (through trigger), a `heartbeat run` is refused as well.
      yield* withDaemon(home, () =>
        Effect.gen(function*() {
          const trigger = yield* spawnCli(home, ["heartbeat", "trigger", "tick", "--wait"])
          yield* eventually(() => ranSlots(home).length === 2, 10_000)
          const beside = yield* runCli(home, ["heartbeat", "run", "tick"])
          assert.strictEqual(beside.code, 1)
          assert.include(beside.stderr, "tick is already running")
          assert.strictEqual((yield* exited(trigger)).code, 0)
        }))
      assert.strictEqual(ranSlots(home).length, 2)
    }).pipe(Effect.scoped), 60_000)

  it.live("a run whose process was killed (kill -9) does not block the action: the next claim records it failed, interrupted", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(config({ schedule: "0 0 1 1 *" }), "killed-run")
      writeRecorder(home, 60_000)
      const first = yield* spawnCli(home, ["heartbeat", "run", "tick"])
      yield* eventually(() => ranSlots(home).length === 1, 10_000)
      first.child.kill("SIGKILL")
      yield* exited(first)
      writeRecorder(home)
      const second = yield* runCli(home, ["heartbeat", "run", "tick"])
      assert.strictEqual(second.code, 0, second.stderr)
      const runs = yield* runsJson(home)
      assert.deepStrictEqual(runs.map((run) => [run.outcome, (run as { error?: string | null }).error ?? null]), [
        ["failed", `interrupted: process ${first.child.pid} ended during the run`],
        ["quiet", null]
      ])
    }).pipe(Effect.scoped), 60_000)

  it.live("runs and next: output and exit codes", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({
        heartbeat: { actions: [
          { name: "tick", module: "./recorder.mjs", schedule: "0 9 * * *", timezone: "America/New_York" },
          { name: "off", module: "./recorder.mjs", schedule: "@hourly", enabled: false }
        ] },
        channels: []
      }, "runs-next")
      writeRecorder(home)
      assert.strictEqual((yield* runCli(home, ["heartbeat", "run", "tick"])).code, 0)
      const table = yield* runCli(home, ["heartbeat", "runs"])
      assert.strictEqual(table.code, 0, table.stderr)
      assert.match(table.stdout, /^SLOT +ACTION +TRIGGER +OUTCOME +DETAIL\n\S+Z +tick +manual +quiet\n$/)
      const [run] = yield* runsJson(home, "tick", "--since", "1h", "--outcome", "quiet")
      assert.deepStrictEqual(Object.keys(run!).slice(0, 10), ["id", "action", "scheduledAt", "trigger", "startedAt", "endedAt", "outcome", "reason", "error", "message"])
      assert.match(run!.startedAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.deepStrictEqual(yield* runsJson(home, "--outcome", "failed"), [])
      assert.deepStrictEqual(yield* runsJson(home, "--since", "2099-01-01T00:00:00Z"), [])
      for (const [args, pattern] of [
        [["heartbeat", "runs", "nope"], /no action named "nope"/],
        [["heartbeat", "runs", "--since", "yesterday"], /--since: "yesterday"/],
        [["heartbeat", "runs", "--limit", "0"], /--limit/],
        [["heartbeat", "runs", "--outcome", "great"], /.+/],
        [["heartbeat", "next", "nope"], /no action named "nope"/],
        [["heartbeat", "next", "--count", "0"], /--count/]
      ] as const) {
        const result = yield* runCli(home, args)
        assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
        assert.match(result.stderr, pattern)
      }
      const next = yield* runCli(home, ["heartbeat", "next", "--count", "3", "--json"])
      assert.strictEqual(next.code, 0, next.stderr)
      const plans = JSON.parse(next.stdout) as ReadonlyArray<{ action: string; slots: ReadonlyArray<{ at: string; local: string }> }>
      assert.deepStrictEqual(plans.map((plan) => plan.action), ["tick"], "only enabled actions")
      assert.strictEqual(plans[0]!.slots.length, 3)
      for (const slot of plans[0]!.slots) {
        assert.match(slot.local, /T09:00:00\.000-0[45]:00$/)
        assert.strictEqual(Date.parse(slot.local), Date.parse(slot.at))
      }
      const text = yield* runCli(home, ["heartbeat", "next", "tick", "--count", "1"])
      assert.match(text.stdout, /^ACTION +SLOT \(UTC\) +LOCAL +ZONE\ntick +\S+Z +\S+ +America\/New_York\n$/)
    }).pipe(Effect.scoped), 60_000)
})
