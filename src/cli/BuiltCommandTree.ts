/**
 * The command tree and version as the build found them (scripts/build-cli.mjs replaces
 * `AGENC_BUILT_COMMANDS` with their JSON): help, completions and the command-line check need no command
 * code. Undefined when running from the sources, where src/cli.ts reads the tree from the commands.
 */
import type { CommandSpec } from "./CommandTree.js"

export interface BuiltCommands {
  readonly version: string
  readonly tree: CommandSpec
}

declare const AGENC_BUILT_COMMANDS: BuiltCommands | undefined

export const builtCommands: BuiltCommands | undefined = typeof AGENC_BUILT_COMMANDS === "undefined" ? undefined : AGENC_BUILT_COMMANDS
