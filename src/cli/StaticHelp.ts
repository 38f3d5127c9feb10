/**
 * `agenc --help`, `--version` and `--completions`, answered by dist/cli.js from a small bundle of this
 * file and the command tree the build wrote into it, without reading the CLI bundle (see ARCHITECTURE.md,
 * "Start-up"). Everything else, wrong command lines included, goes to the CLI bundle, whose src/cli.ts
 * answers the same way from the same tree.
 */
import { Either } from "effect"
import { builtCommands } from "./BuiltCommandTree.js"
import { completions, parseCommandLine, renderHelp, useColor } from "./CommandHelp.js"
import { takeLogLevel } from "./CommandLine.js"

/** The tree and version the build wrote in (the tests compare it with the commands' own). */
export { builtCommands }

/** What `agenc <args>` prints when it asks only for help, completions or the version; undefined otherwise. */
export const staticAnswer = (args: ReadonlyArray<string>): string | undefined => {
  if (builtCommands === undefined) return undefined
  const { tree, version } = builtCommands
  const parsed = Either.flatMap(takeLogLevel(args), (taken) => parseCommandLine(tree, taken.args))
  if (Either.isLeft(parsed)) return undefined
  switch (parsed.right._tag) {
    case "Help":
      return renderHelp(parsed.right.path, { color: useColor(), width: process.stdout.columns })
    case "Completions":
      return completions(tree, parsed.right.shell)
    case "Version":
      return version
    case "Run":
      return undefined
  }
}
