import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cliJs, runCli, tempDir } from "../layers/CliProcess.js"

/** Every command path of the tree, from `agenc --help`'s and each group's "Commands:" section. */
const helpPages = (home: string) =>
  Effect.gen(function*() {
    const pages: Array<{ readonly path: Array<string>; readonly code: number | null; readonly stdout: string }> = []
    const visit = (path: Array<string>): Effect.Effect<void> =>
      Effect.gen(function*() {
        const help = yield* runCli(home, [...path, "--help"])
        pages.push({ path, code: help.code, stdout: help.stdout })
        const commands = help.stdout.split("Commands:\n")[1]?.split("\n\n")[0] ?? ""
        const names = commands.split("\n").flatMap((line) => /^ {2}(\S+)/.exec(line)?.[1] ?? [])
        yield* Effect.forEach(names, (name) => visit([...path, name]), { concurrency: 4, discard: true })
      })
    yield* visit([])
    return pages
  })

describe("help", () => {
  it.live("every page: the full command path in its usage line, placeholders, defaults, fits 80 columns and a screen, no colour in a pipe", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const pages = yield* helpPages(home)
      assert.includeDeepMembers(pages.map((page) => page.path), [["daemon", "start"], ["heartbeat", "run"], ["tasks", "add"], ["cron", "next"], ["action", "new"]])
      for (const { path, ...help } of pages) {
        assert.strictEqual(help.code, 0, path.join(" "))
        assert.isTrue(help.stdout.startsWith(`Usage: ${["agenc", ...path].join(" ")}`), help.stdout)
        assert.notInclude(help.stdout, "\x1b[", "no ANSI codes into a pipe")
        assert.notInclude(help.stdout, " text", "no @effect/cli type names as placeholders")
        const lines = help.stdout.trimEnd().split("\n")
        assert.isAtMost(lines.length, 24, `${path.join(" ")} --help fits a screen`)
        for (const line of lines) assert.isAtMost(line.length, 80, line)
      }
      const stop = (yield* runCli(home, ["daemon", "stop", "--help"])).stdout
      assert.match(stop, /--timeout DURATION .*\(default: 10s\)/s)
      assert.include(stop, "--config FILE")
      assert.include((yield* runCli(home, ["tasks", "add", "--help"])).stdout, "--reward LAMPORTS")
      assert.include((yield* runCli(home, ["heartbeat", "run", "--help"])).stdout, "Usage: agenc heartbeat run [--dry-run] [--json] [--config FILE] ACTION")
    }).pipe(Effect.scoped), 400_000)

  it.live("colour only on a terminal, and never with NO_COLOR", () =>
    Effect.sync(() => {
      const onTty = (env: string) => execFileSync("script", ["-qc", `${env} ${process.execPath} ${cliJs} daemon --help`, "/dev/null"], { encoding: "utf8" })
      assert.include(onTty(""), "\x1b[1mUsage:")
      assert.notInclude(onTty("NO_COLOR=1"), "\x1b[")
    }), 60_000)
})

describe("command-line errors", () => {
  it.live("one line `agenc: <message>` on stderr, exit 2, naming the level, with a suggestion for a typo", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const cases: Array<[Array<string>, string]> = [
        [["daemon", "strat"], `agenc: unknown command "strat" for "agenc daemon" (did you mean "start"?); commands: start, stop, restart, `],
        [["hartbeat", "list"], `agenc: unknown command "hartbeat" for "agenc" (did you mean "heartbeat"?); commands: daemon, heartbeat, tasks, `],
        [["daemon", "start", "--forground"], `agenc: unknown flag --forground for "agenc daemon start" (did you mean --foreground?); see agenc daemon start --help`],
        [["heartbeat", "list", "--jsno"], `agenc: unknown flag --jsno for "agenc heartbeat list" (did you mean --json?); see agenc heartbeat list --help`],
        [["daemon", "stop", "--timeout"], `agenc: --timeout needs a value (DURATION) in "agenc daemon stop"; see agenc daemon stop --help`],
        [["cron", "next", "@daily", "--count", "many"], `agenc: "agenc cron next": 'many' is not a integer; see agenc cron next --help`]
      ]
      for (const [args, expected] of cases) {
        const result = yield* runCli(home, args)
        assert.strictEqual(result.code, 2, args.join(" "))
        assert.strictEqual(result.stdout, "", args.join(" "))
        assert.isTrue(result.stderr.startsWith(expected) && result.stderr.endsWith("\n") && result.stderr.split("\n").length === 2, result.stderr)
      }
    }).pipe(Effect.scoped), 120_000)
})

describe("shell completions", () => {
  const complete = (script: string, words: ReadonlyArray<string>) => {
    const file = path.join(os.tmpdir(), `agenc-completion-${process.pid}.bash`)
    fs.writeFileSync(file, script)
    return execFileSync("bash", ["-c", `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _agenc_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" })
      .trim().split("\n").filter((w) => w !== "")
  }

  it.live("bash: subcommands and flags at every level, files after a flag that takes a value", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const script = (yield* runCli(home, ["--completions", "bash"])).stdout
      assert.includeMembers(complete(script, ["agenc", ""]), ["daemon", "heartbeat", "tasks", "cron", "config", "action"])
      assert.deepStrictEqual(complete(script, ["agenc", "da"]), ["daemon"])
      assert.deepStrictEqual(complete(script, ["agenc", "daemon", "st"]), ["start", "stop", "status"])
      assert.deepStrictEqual(complete(script, ["agenc", "daemon", "start", "--"]), ["--foreground", "--config", "--log-level", "--help"])
      assert.deepStrictEqual(complete(script, ["agenc", "--log-level", "info", "heartbeat", "run", "--d"]), ["--dry-run"])
      assert.deepStrictEqual(complete(script, ["agenc", "tasks", "add", "--reward", "5", "--cap"]), ["--capabilities"])
      assert.include(complete(script, ["agenc", "daemon", "start", "--config", "/etc/host"]), "/etc/hostname")
    }).pipe(Effect.scoped), 120_000)

  it.live("zsh loads the same function through bashcompinit; fish completes through one function at every level", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const zsh = (yield* runCli(home, ["--completions", "zsh"])).stdout
      assert.include(zsh, "bashcompinit")
      assert.deepStrictEqual(complete(zsh.replace("autoload -U +X bashcompinit && bashcompinit\n", ""), ["agenc", "config", "v"]), ["validate"])
      const fish = (yield* runCli(home, ["--completions", "fish"])).stdout
      assert.include(fish, "complete -c agenc -f -a '(__agenc_complete)'")
      assert.include(fish, "case 'agenc daemon start'\n            echo '--foreground --config --log-level -h --help'")
    }).pipe(Effect.scoped))
})
