/**
 * `npm run bench:startup [-- --rounds=N]`: the start-up rows of `npm run bench` alone, with more rounds
 * (default 9): `node -e 0`, `agenc --help`, `agenc --version` and a command that runs the CLI bundle
 * (`agenc cron next`), spawn to exit, and `daemon start --foreground` spawn to `READY=1`, taking turns in
 * every round so that a shared machine's load falls on all of them alike. Prints medians with min–max and
 * each one's ratio to `node -e 0`.
 */
import { argInt } from "../lib/Report.js"
import { spread } from "../lib/Stats.js"
import { cell, ratio, render } from "../lib/Table.js"
import { cliJs } from "../../test/layers/CliProcess.js"
import { daemonCycle, spawnToExit } from "./Startup.js"

const rounds = argInt("rounds", 9)
const runs = { node: [] as Array<number>, help: [] as Array<number>, version: [] as Array<number>, cron: [] as Array<number>, ready: [] as Array<number> }
for (let round = 0; round < rounds; round++) {
  runs.node.push(await spawnToExit(["-e", "0"]))
  runs.help.push(await spawnToExit([cliJs, "--help"]))
  runs.version.push(await spawnToExit([cliJs, "--version"]))
  runs.cron.push(await spawnToExit([cliJs, "cron", "next", "@hourly"]))
  runs.ready.push((await daemonCycle(undefined)).readyMs)
}
const node = spread(runs.node)
const row = (label: string, figure: ReadonlyArray<number>, target: string) => {
  const s = spread(figure)
  return [label, cell(s, 0), ratio(s.median, node.median), target]
}
console.log(`${new Date().toISOString()}, ${rounds} rounds, Node ${process.version}`)
console.log(render(["spawn to", "ms, median (min–max)", "÷ node -e 0", "target"], [
  row("node -e 0, exit", runs.node, ""),
  row("agenc --help, exit", runs.help, "≤ 200 or ≤ 2.5×"),
  row("agenc --version, exit", runs.version, ""),
  row("agenc cron next @hourly, exit", runs.cron, ""),
  row("agenc daemon start, READY=1", runs.ready, "≤ 250 or ≤ 2.5×")
]))
