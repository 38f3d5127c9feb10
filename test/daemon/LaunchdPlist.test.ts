import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { cliJs, runCli, tempHome } from "../layers/CliProcess.js"

/** Parses a plist with Python's plistlib (there is no launchd here); answers it as JSON, or the parse error. */
const parsePlist = (text: string) => {
  const parsed = spawnSync("python3", ["-c", "import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))"], {
    input: text,
    encoding: "utf8"
  })
  assert.strictEqual(parsed.status, 0, parsed.stderr)
  return JSON.parse(parsed.stdout)
}

describe("launchd plist", () => {
  it.live("daemon launchd-plist prints a LaunchAgent that plistlib reads, with the foreground command, AGENC_HOME and log paths", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ daemon: { restartDelay: "10s", logFile: "out/agenc & <log>.txt" } }, "home & <plist>")
      const config = path.join(home, "gateway.json")
      const result = yield* runCli(home, ["daemon", "launchd-plist", "--config", config])
      assert.strictEqual(result.code, 0, result.stderr)
      const plist = parsePlist(result.stdout)
      assert.deepStrictEqual(plist, {
        Label: "com.agenc.daemon",
        ProgramArguments: [process.execPath, fs.realpathSync(cliJs), "daemon", "start", "--foreground", "--config", config],
        EnvironmentVariables: { AGENC_HOME: home },
        RunAtLoad: true,
        KeepAlive: { SuccessfulExit: false },
        ThrottleInterval: 10,
        ExitTimeOut: 10,
        ProcessType: "Standard",
        StandardOutPath: path.join(home, "out/agenc & <log>.txt"),
        StandardErrorPath: path.join(home, "out/agenc & <log>.txt")
      })
    }).pipe(Effect.scoped), 30_000)

  it.live("--label names the job; a bad label is a usage error naming the flag", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({})
      const labelled = yield* runCli(home, ["daemon", "launchd-plist", "--label", "org.example.agent-1"])
      assert.strictEqual(labelled.code, 0, labelled.stderr)
      const plist = parsePlist(labelled.stdout)
      assert.strictEqual(plist.Label, "org.example.agent-1")
      assert.strictEqual(plist.ThrottleInterval, 1)
      const bad = yield* runCli(home, ["daemon", "launchd-plist", "--label", "a/b"])
      assert.strictEqual(bad.code, 2)
      assert.strictEqual(bad.stderr.trim(), `agenc: --label: "a/b" is not a launchd label (letters, digits, . _ -)`)
    }).pipe(Effect.scoped), 30_000)
})
