import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { createRequire } from "node:module"
import { agencCommand } from "../../src/cli/Commands.js"
import { commandTree } from "../../src/cli/CommandTree.js"
import { cliJs, tempDir } from "../layers/CliProcess.js"

const dist = path.dirname(cliJs)
const { version } = createRequire(import.meta.url)("../../package.json") as { readonly version: string }

describe("help without the CLI bundle", () => {
  it("the tree the build wrote into the help bundle is the commands' own, with the package's version", () => {
    const built = createRequire(import.meta.url)(path.join(dist, "cli-help.cjs")).builtCommands
    assert.deepStrictEqual(built, { version, tree: JSON.parse(JSON.stringify(commandTree(agencCommand(version)))) })
  })

  it.scopedLive("--help, --version and --completions answer from the entry and the help bundle alone; a command needs the CLI bundle", () =>
    Effect.gen(function*() {
      // The entry and the help bundle, without cli-bundle.cjs beside them.
      const alone = yield* tempDir
      fs.copyFileSync(cliJs, path.join(alone, "cli.js"))
      fs.copyFileSync(path.join(dist, "cli-help.cjs"), path.join(alone, "cli-help.cjs"))
      const run = (script: string, args: ReadonlyArray<string>) =>
        spawnSync(process.execPath, [script, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
      for (const args of [["--help"], ["daemon", "start", "--help"], ["--log-level", "debug", "cron", "-h"], ["--version"], ["--completions", "fish"], ["tasks"]]) {
        const answer = run(path.join(alone, "cli.js"), args)
        assert.strictEqual(answer.status, 0, `${args.join(" ")}: ${answer.stderr}`)
        assert.strictEqual(answer.stdout, execFileSync(process.execPath, [cliJs, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }), args.join(" "))
      }
      assert.strictEqual(run(path.join(alone, "cli.js"), ["--version"]).stdout, `${version}\n`)
      // A command, or a wrong command line, is the CLI bundle's to run or report.
      for (const args of [["cron", "next", "@hourly"], ["dameon"]]) {
        const failed = run(path.join(alone, "cli.js"), args)
        assert.notStrictEqual(failed.status, 0, args.join(" "))
        assert.include(failed.stderr, "cli-bundle.cjs", args.join(" "))
      }
      assert.strictEqual(run(cliJs, ["dameon"]).status, 2)
    }))
})
