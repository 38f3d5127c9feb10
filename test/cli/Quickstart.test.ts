import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { cliJs } from "../layers/CliProcess.js"
import { readmeBlock, runCommand } from "../layers/Readme.js"

const repo = path.resolve(import.meta.dirname, "../..")
/** The home the README's first loop uses. */
const demoHome = "/tmp/agenc-demo"

describe("the README's first loop", () => {
  it.live("runs verbatim from the repository's folder: a task found once, a detached daemon that answers, stopped", () =>
    Effect.gen(function*() {
      const script = readmeBlock("first-loop")
      assert.include(script, `export AGENC_HOME=${demoHome}`)
      fs.rmSync(demoHome, { recursive: true, force: true })
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          // Whatever happened above: no daemon left running, no home left behind.
          spawnSync(process.execPath, [cliJs, "daemon", "stop"], { env: { ...process.env, AGENC_HOME: demoHome } })
          fs.rmSync(demoHome, { recursive: true, force: true })
        })
      )
      // `set -e` so that any failing line fails the test; aliases need expand_aliases outside an interactive shell.
      const result = yield* runCommand("bash", ["-c", `set -euo pipefail\nshopt -s expand_aliases\n${script}`], {
        cwd: repo,
        env: { ...process.env, NOTIFY_SOCKET: "", WATCHDOG_USEC: "", INVOCATION_ID: "" }
      })
      assert.strictEqual(result.status, 0, `${result.stdout}\n${result.stderr}`)
      const output = `${result.stdout}\n${result.stderr}`
      // As the README's comments say: the first scan finds the task, the second is quiet.
      assert.strictEqual(output.split("Found 1 new task matching your capabilities").length - 1, 1, output)
      assert.match(result.stdout, /quiet/)
      // `daemon status --json` is one pretty-printed document, from its "{" line to its "}" line.
      const lines = result.stdout.split("\n")
      const open = lines.indexOf("{")
      const status = JSON.parse(lines.slice(open, lines.indexOf("}", open) + 1).join("\n")) as { state: string; pid: number }
      assert.strictEqual(status.state, "running")
      assert.include(lines, String(status.pid), "daemon start printed the PID that status reports")
      assert.isFalse(fs.existsSync(path.join(demoHome, "gateway.pid")), "daemon stop removed its PID file")
    }).pipe(Effect.scoped), 120_000)
})
