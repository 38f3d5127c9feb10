import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as path from "node:path"
import { loadValidated } from "../../src/daemon/ConfigChecks.js"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import { runCli, tempHome } from "../layers/CliProcess.js"
import { assertNoStack } from "./SecurityKit.js"

const duration = fc.oneof(
  fc.integer({ min: -10, max: 3_000_000_000 }),
  fc.double(),
  fc.constantFrom("0", "0ms", "1ms", "10ms", "30s", "24.9d", "100000000d", "9".repeat(400) + "d", "x", "", "1e400", " 5m ")
)
const schedule = fc.oneof(
  fc.constantFrom("@daily", "@every 1s", "@every 0s", "@every 100000000d", "@every 200000000d", "* * * * *", "0 0 30 2 *", "@dayly", "61 * * * *", "*/0 * * * *"),
  fc.string({ maxLength: 30 })
)
const json = fc.jsonValue({ maxDepth: 3 })
const action = fc.record({
  name: fc.oneof(fc.constantFrom("task-scan", "daily-summary", "portfolio-monitor", "custom"), fc.string({ maxLength: 12 })),
  schedule,
  timeout: duration,
  enabled: fc.boolean(),
  timezone: fc.constantFrom("UTC", "Europe/Berlin", "Mars/Olympus"),
  module: fc.constantFrom("./missing.mjs", "agenc:task-scan", "agenc:nothing"),
  channels: fc.array(fc.constantFrom("console", "file", "nowhere"), { maxLength: 2 }),
  config: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 })
}, { requiredKeys: ["name", "schedule"] })
const delivery = fc.record({ backoff: duration, maxBackoff: duration, expireAfter: duration, retries: fc.integer({ min: -1, max: 11 }) }, { requiredKeys: [] })
const channel = fc.oneof(
  fc.record({ type: fc.constant("console"), timeout: duration, delivery }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("file"), path: fc.constantFrom("agenc.db", "out.jsonl", "gateway.json", "gateway.pid", "") }, { requiredKeys: ["type"] }),
  fc.record({
    type: fc.constantFrom("webhook", "slack", "discord"),
    url: fc.oneof(fc.constantFrom("http://127.0.0.1:9/x?token=t0k3nValue", "not a url", "ftp://x/y"), fc.record({ env: fc.constantFrom("AGENC_PROP_UNSET", "HOME") }), fc.record({ file: fc.constantFrom("/nonexistent", "/etc/hostname") })),
    headers: fc.dictionary(fc.oneof(fc.constantFrom("X-Ok", "Bad Name", "X-\r\nY"), fc.string({ maxLength: 6 })), fc.oneof(fc.string({ maxLength: 8 }), fc.constant("a\r\nb")), { maxKeys: 2 }),
    delivery
  }, { requiredKeys: ["type", "url"] }),
  fc.record({ type: fc.constant("telegram"), token: fc.string({ maxLength: 10 }), chatId: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })) }, { requiredKeys: ["type"] }),
  json
)
/** Configs near the real shape, with values anywhere from right to hostile. */
export const configArbitrary = fc.record({
  heartbeat: fc.oneof(fc.record({ actions: fc.array(action, { maxLength: 3 }), timezone: fc.constantFrom("UTC", "Nowhere/Land"), wakeInterval: duration, enabled: fc.boolean() }, { requiredKeys: [] }), json),
  channels: fc.oneof(fc.array(channel, { maxLength: 3 }), json),
  daemon: fc.oneof(fc.record({
    pidFile: fc.constantFrom("gateway.json", "x.pid", "gateway.sock", "agenc.db-shm"),
    socket: fc.constantFrom("gateway.sock", "x.pid", "s".repeat(200), "gateway.json"),
    logFile: fc.constantFrom("logs/gateway.log", "gateway.json", "x.pid"),
    watchdogInterval: duration,
    shutdownGrace: duration
  }, { requiredKeys: [] }), json),
  log: json,
  extra: json
}, { requiredKeys: [] })

/** A rejection names a JSON path (`a.b[0]: …`), or a file of ours when the whole file is at fault. */
const namesWhere = (line: string): boolean =>
  /^(?:[A-Za-z$_][\w$-]*|\["(?:[^"\\]|\\.)*"\])(?:\.[A-Za-z$_][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: \S/.test(line) || line.startsWith("/")

describe("no input crashes a command (issue 11, property)", () => {
  it.live("configs: config validate's checks end in ok or a ConfigError naming a JSON path; never a defect", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({})
      const file = path.join(home, "gateway.json")
      const previous = process.env.AGENC_HOME
      process.env.AGENC_HOME = home
      yield* Effect.addFinalizer(() => Effect.sync(() => (previous === undefined ? delete process.env.AGENC_HOME : (process.env.AGENC_HOME = previous))))
      const samples = fc.sample(configArbitrary, { numRuns: 300, seed: 1101 })
      let rejected = 0
      for (const config of samples) {
        fs.writeFileSync(file, JSON.stringify(config))
        const exit = yield* Effect.exit(loadValidated(Option.some(file)))
        if (Exit.isSuccess(exit)) continue
        assert.isFalse(Cause.isDie(exit.cause), `defect for ${JSON.stringify(config)}: ${Cause.pretty(exit.cause)}`)
        const failure = Cause.failureOption(exit.cause)
        assert.isTrue(Option.isSome(failure))
        const error = failure.pipe(Option.getOrThrow)
        assert.strictEqual(error._tag, "ConfigError")
        assert.isTrue(namesWhere(error.line) && !error.line.includes("\n"), `${JSON.stringify(config)} -> ${error.line}`)
        rejected++
      }
      assert.isAbove(rejected, 100, "the generator reaches the rejections")
    }).pipe(Effect.scoped), 120_000)

  it("cron expressions and start instants: parse and next never throw, answers stay within JavaScript dates", () => {
    fc.assert(fc.property(
      fc.oneof(schedule, fc.string({ maxLength: 40 }), fc.stringMatching(/^@every \d{1,12}(ms|s|m|h|d)$/)),
      fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Bad/Zone"),
      fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom(8.64e15, 8.64e15 - 1, -8.64e15, 0, Number.NaN)),
      (expression, zone, from) => {
        const parsed = CronSchedule.parse(expression, zone)
        if (parsed._tag === "Left") return parsed.left.length > 0
        const at = CronSchedule.nextWithinDates(parsed.right, from)
        return at === undefined || (at > from && at <= CronSchedule.MAX_DATE_MS)
      }
    ), { numRuns: 2_000, seed: 1102 })
  })

  it.live("the built CLI on sampled configs and cron input: never exit 70, never a stack trace, every rejection names a path or a flag", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({})
      for (const config of fc.sample(configArbitrary, { numRuns: 12, seed: 1103 })) {
        fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config))
        for (const args of [["config", "validate"], ["heartbeat", "list"]]) {
          const result = yield* runCli(home, args)
          assert.notStrictEqual(result.code, 70, `${args.join(" ")} ${JSON.stringify(config)}: ${result.stderr}`)
          assert.isTrue(assertNoStack(result.stderr), result.stderr)
          if (result.code === 78) assert.isTrue(namesWhere(result.stderr.trim()), result.stderr)
        }
      }
      const cron = fc.sample(fc.tuple(schedule, fc.constantFrom("+275760-09-13T00:00:00.000Z", "2026-01-01T00:00:00Z", "-271821-04-20T00:00:00.000Z", "not a date")), { numRuns: 12, seed: 1104 })
      for (const [expression, from] of cron) {
        const result = yield* runCli(home, ["cron", "next", expression, "--from", from, "--count", "3"])
        assert.include([0, 2], result.code, `cron next ${JSON.stringify(expression)} --from ${from}: ${result.stderr}`)
        assert.isTrue(assertNoStack(result.stderr), result.stderr)
        if (result.code === 2) assert.match(result.stderr, /^agenc: (--from: |"|unknown time zone|.*--)|Received|Invalid|expr/m)
      }
    }).pipe(Effect.scoped), 180_000)
})
