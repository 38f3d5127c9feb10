import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { cliJs, runCli } from "../layers/CliProcess.js"
import { brokenDevNull, SANDBOX, unitRoot } from "../layers/SystemdSandbox.js"

/** Runs a command to completion; answers its exit code and output. */
const run = (file: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) =>
  Effect.async<{ code: number; stdout: string; stderr: string }>((resume) => {
    execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resume(Effect.succeed({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })))
  })

/** A real systemd with `units` installed, powered off with the scope. */
const sandbox = (units: string) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const broken = brokenDevNull()
      return broken === undefined ? Effect.void : Effect.die(new Error(broken))
    }).pipe(Effect.zipRight(run("bash", [SANDBOX, "start", units])), Effect.flatMap((started) =>
      started.code === 0 ? Effect.succeed(started.stdout.trim()) : Effect.die(new Error(`systemd-sandbox start: ${started.stderr}`)))),
    (pid) => run("bash", [SANDBOX, "stop", pid])
  )

describe("daemon logs under systemd (a real systemd)", () => {
  it.scopedLive("reads the journal of the unit and says so; with the unit stopped it turns to the log file", () =>
    Effect.gen(function*() {
      // Under /var/lib, with the CLI as a unit sees it: the unit's PrivateTmp=yes hides /tmp.
      const home = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const dir = fs.mkdtempSync("/var/lib/agenc-test-logs-")
          fs.writeFileSync(path.join(dir, "gateway.json"), JSON.stringify({ heartbeat: { actions: [] }, channels: [], log: { format: "json" } }))
          return dir
        }),
        (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
      )
      const unitCli = path.join(unitRoot(), "dist/cli.js")
      // The system unit runs as `agenc` in /var/lib/agenc by default: here, as root in this test's home.
      const unit = yield* run(process.execPath, [unitCli, "daemon", "systemd-unit", "--home", home, "--run-as", "root"], { ...process.env, AGENC_HOME: home })
      assert.strictEqual(unit.code, 0, unit.stderr)
      const units = path.join(home, "units")
      fs.mkdirSync(units)
      fs.writeFileSync(path.join(units, "agenc.service"), unit.stdout)
      const pid = yield* sandbox(units)
      const inside = (...command: Array<string>) => run("bash", [SANDBOX, "exec", pid, ...command], { ...process.env, AGENC_HOME: home })
      const started = yield* inside("systemctl", "start", "agenc.service")
      assert.strictEqual(started.code, 0, started.stderr)

      // The daemon logs "daemon ready" to the journal once it is up.
      let shown = { code: -1, stdout: "", stderr: "" }
      for (let tries = 0; tries < 100 && !shown.stdout.includes("daemon ready"); tries++) {
        shown = yield* inside(process.execPath, cliJs, "daemon", "logs", "-n", "20")
        if (!shown.stdout.includes("daemon ready")) yield* Effect.sleep(200)
      }
      assert.strictEqual(shown.code, 0, shown.stderr)
      assert.include(shown.stdout, "daemon ready")
      assert.include(shown.stderr, "journalctl -u agenc.service (the daemon runs under systemd and logs to the journal)")
      assert.isFalse(fs.existsSync(path.join(home, "logs", "gateway.log")), "under systemd the daemon writes no log file")

      // Stopped, no daemon runs: `daemon logs` turns to the log file, which a unit's daemon never wrote (exit 1).
      yield* inside("systemctl", "stop", "agenc.service")
      const outside = yield* runCli(home, ["daemon", "logs"])
      assert.strictEqual(outside.code, 1)
      assert.include(outside.stderr, path.join(home, "logs", "gateway.log"))
    }), 120_000)
})
