import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { eventually, exited, runCli, spawnCli, tempHome, waitReady } from "../layers/CliProcess.js"

const recorderModule = (home: string, name: string) =>
  `import { Effect } from "effect"
import * as fs from "node:fs"
export default { name: ${JSON.stringify(name)}, description: "records its slots", execute: (ctx) =>
  Effect.sync(() => fs.appendFileSync(${JSON.stringify(path.join(home, `${name}.txt`))}, new Date(ctx.scheduledAt).toISOString() + "\\n")).pipe(Effect.as({ shouldNotify: false })) }
`

const ran = (home: string, name: string) => {
  const file = path.join(home, `${name}.txt`)
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").length : 0
}

/** `HH:MM` in UTC, `hours` from now (wrapping past midnight). */
const hhmm = (hours: number) => {
  const at = new Date(Date.now() + hours * 3_600_000)
  return `${String(at.getUTCHours()).padStart(2, "0")}:${String(at.getUTCMinutes()).padStart(2, "0")}`
}

describe("active hours (real CLI, real daemon)", () => {
  it.live("an action outside its window does not run (nor is recorded) while one inside runs; `heartbeat next` starts at the window", () =>
    Effect.gen(function*() {
      // Windows of whole hours around now: "inside" holds now, "outside" opens in two hours (either may wrap midnight).
      const inside = { start: hhmm(-1), end: hhmm(1) }
      const outside = { start: hhmm(2), end: hhmm(3) }
      const home = yield* tempHome({
        heartbeat: {
          actions: [
            { name: "inside", module: "./inside.mjs", schedule: "* * * * * *", activeHours: inside },
            { name: "outside", module: "./outside.mjs", schedule: "* * * * * *", activeHours: { ...outside, timezone: "UTC" } }
          ]
        },
        channels: []
      }, "active-hours")
      fs.writeFileSync(path.join(home, "inside.mjs"), recorderModule(home, "inside"))
      fs.writeFileSync(path.join(home, "outside.mjs"), recorderModule(home, "outside"))

      const next = JSON.parse((yield* runCli(home, ["heartbeat", "next", "outside", "--json", "--count", "2"])).stdout) as ReadonlyArray<{ slots: ReadonlyArray<{ at: string }> }>
      const opening = next[0]!.slots[0]!.at
      assert.strictEqual(opening.slice(11, 16), outside.start, "the first slot that will run is the window's opening")
      assert.isAbove(Date.parse(opening), Date.now() + 3_600_000)
      assert.strictEqual(Date.parse(next[0]!.slots[1]!.at) - Date.parse(opening), 1_000)

      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"])
      yield* waitReady(home)
      assert.isTrue(yield* eventually(() => ran(home, "inside") >= 3, 15_000), "the action inside its window runs")
      assert.strictEqual(ran(home, "outside"), 0, "the action outside its window does not run")
      const records = JSON.parse((yield* runCli(home, ["heartbeat", "runs", "outside", "--json"])).stdout) as ReadonlyArray<unknown>
      assert.deepStrictEqual(records, [], "slots outside the window are not runs: no record")
      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)

      // A window that never meets the schedule is a config error naming the path (exit 78).
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({
        heartbeat: { actions: [{ name: "outside", module: "./outside.mjs", schedule: "0 3 * * *", activeHours: { start: "08:00", end: "22:00", days: "mon-fri" } }] },
        channels: []
      }))
      const invalid = yield* runCli(home, ["config", "validate"])
      assert.strictEqual(invalid.code, 78)
      assert.strictEqual(invalid.stderr.trim().split("\n").length, 1, invalid.stderr)
      assert.include(invalid.stderr, `heartbeat.actions[0].activeHours: no slot of "0 3 * * *" falls within 08:00–22:00 mon-fri`)

      // `agenc config schema` describes the key, heartbeat-wide and per action.
      const schema = (yield* runCli(home, ["config", "schema"])).stdout
      assert.strictEqual(schema.match(/"activeHours"/g)?.length, 2, "heartbeat.activeHours and actions[].activeHours")
      assert.include(schema, "HH:MM the window opens each listed day")
    }).pipe(Effect.scoped), 90_000)
})
