/**
 * `--log-level` read off the command line: commands default to warnings and errors; the daemon's processes
 * (`daemon start` and the supervisor a detached start runs, `daemon supervise`) keep `log.level`, so the
 * supervisor's own lines ("supervisor started", "supervisor stopped") reach the log it shares with the daemon.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, LogLevel, Option } from "effect"
import { takeLogLevel } from "../../src/cli/CommandLine.js"

const levelOf = (args: ReadonlyArray<string>) => Either.getOrThrow(takeLogLevel(args)).level

describe("takeLogLevel", () => {
  it("daemon start and daemon supervise use log.level; other commands warnings only", () => {
    assert.isTrue(Option.isNone(levelOf(["daemon", "start", "--foreground"])))
    assert.isTrue(Option.isNone(levelOf(["daemon", "supervise", "--config", "/etc/agenc.json"])))
    assert.deepStrictEqual(levelOf(["daemon", "status"]), Option.some(LogLevel.Warning))
    assert.deepStrictEqual(levelOf(["daemon", "logs", "-f"]), Option.some(LogLevel.Warning))
  })

  it("an explicit --log-level wins, and is taken out of the arguments", () => {
    const taken = Either.getOrThrow(takeLogLevel(["daemon", "supervise", "--log-level", "debug"]))
    assert.deepStrictEqual(taken.level, Option.some(LogLevel.Debug))
    assert.deepStrictEqual(taken.args, ["daemon", "supervise"])
  })
})
