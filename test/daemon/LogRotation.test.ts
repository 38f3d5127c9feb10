import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, runCli, spawnCli, tempHome, writeAction } from "../layers/CliProcess.js"

const lines = (text: string) => text.split("\n").filter((line) => line !== "")
const fileLines = (file: string) => (fs.existsSync(file) ? lines(fs.readFileSync(file, "utf8")) : [])

/** `tail -F` on `file` from its first line, killed with the scope; `output.text` is what it printed. */
const tailF = (file: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn("tail", ["-F", "-n", "+1", "-s", "0.2", file], { stdio: ["ignore", "pipe", "ignore"] })
      const output = { text: "" }
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output.text += chunk))
      return { child, output }
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
  )

describe("daemon log rotation and `daemon logs` (real CLI processes)", () => {
  it.scopedLive("a detached daemon rotates its log by size while tail -F and daemon logs -f read it: no line lost or doubled", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({
        heartbeat: { actions: [{ name: "noisy", schedule: "* * * * * *", module: "./noisy.js" }] },
        channels: [],
        daemon: { logFile: { maxSize: "4KB", keep: 2 } },
        log: { format: "json" }
      })
      // Every run fails with a long message: about 1 KB of log a second.
      writeAction(home, "noisy.js", "noisy", `Effect.fail(new Error("${"x".repeat(900)}"))`)
      const logFile = path.join(home, "logs", "gateway.log")
      const tail = yield* tailF(logFile)
      const follower = yield* spawnCli(home, ["daemon", "logs", "-f", "-n", "0"])
      const started = yield* runCli(home, ["daemon", "start"])
      assert.strictEqual(started.code, 0, started.stderr)
      const pid = Number(started.stdout.trim())
      yield* Effect.addFinalizer(() => Effect.sync(() => { try { process.kill(pid, "SIGKILL") } catch { /* gone */ } }))

      assert.isTrue(yield* eventually(() => fs.existsSync(`${logFile}.2`), 90_000), "two rotations within 90 s")
      // The supervisor follows a rotation within 250 ms; the daemon's next one is 5 s away.
      yield* Effect.sleep(1_000)
      const stopped = yield* runCli(home, ["daemon", "stop"])
      assert.strictEqual(stopped.code, 0, stopped.stderr)

      assert.isFalse(fs.existsSync(`${logFile}.3`), "keep: 2")
      assert.isAtLeast(fs.statSync(`${logFile}.1`).size, 4096, "rotated once past maxSize")
      assert.strictEqual(fs.statSync(logFile).mode & 0o777, 0o600)
      const onDisk = [...fileLines(`${logFile}.2`), ...fileLines(`${logFile}.1`), ...fileLines(logFile)]
      assert.isTrue(onDisk.some((line) => line.includes("log rotated")))
      const last = onDisk.at(-1)!
      // Both readers catch up with the last line, then print nothing more.
      assert.isTrue(yield* eventually(() => tail.output.text.includes(last) && follower.output.stdout.includes(last), 10_000))
      for (const [reader, text] of [["tail -F", tail.output.text], ["daemon logs -f", follower.output.stdout]] as const) {
        const seen = lines(text)
        for (const line of seen) assert.doesNotThrow(() => JSON.parse(line), `${reader}: a whole JSON line: ${line.slice(0, 80)}`)
        assert.strictEqual(new Set(seen).size, seen.length, `${reader}: no line twice`)
        // Everything still on disk was seen, in order: the rotated files' lines, then the live file's.
        const start = seen.indexOf(onDisk[0]!)
        assert.isAtLeast(start, 0, `${reader} saw the oldest kept line`)
        assert.deepStrictEqual(seen.slice(start, start + onDisk.length), onDisk, reader)
      }
      assert.include(follower.output.stderr, `${logFile} (rotated at 4096 bytes, 2 kept)`)
      // The supervisor shares the log with the daemon and follows its rotations: its last lines are in the live file.
      assert.isTrue(fileLines(logFile).some((line) => line.includes("supervisor stopped")), `the supervisor's last line is in the live file:\n${[1, 2].map((n) => fileLines(`${logFile}.${n}`).filter((l) => l.includes("supervisor")).join("\n")).join("\n")}`)

      // `-n N` reads back into the rotated file when the live one has fewer lines.
      const live = fileLines(logFile)
      const shown = yield* runCli(home, ["daemon", "logs", "-n", String(live.length + 2)])
      assert.strictEqual(shown.code, 0, shown.stderr)
      assert.deepStrictEqual(lines(shown.stdout), [...fileLines(`${logFile}.1`).slice(-2), ...live])
      assert.include(shown.stderr, logFile)
      const few = yield* runCli(home, ["daemon", "logs", "-n", "1"])
      assert.deepStrictEqual(lines(few.stdout), [live.at(-1)!])
    }), 150_000)

  it.scopedLive("daemon logs: no log file is a one-line error (exit 1); a negative -n names the flag (exit 2)", () =>
    Effect.gen(function*() {
      const home = yield* tempHome({ channels: [] })
      const missing = yield* runCli(home, ["daemon", "logs"])
      assert.strictEqual(missing.code, 1)
      assert.strictEqual(lines(missing.stderr).length, 1)
      assert.include(missing.stderr, path.join(home, "logs", "gateway.log"))
      const negative = yield* runCli(home, ["daemon", "logs", "-n", "-1"])
      assert.strictEqual(negative.code, 2)
      assert.include(negative.stderr, "--lines")
    }))
})
