/**
 * Help pages, command-line errors and shell completions, rendered by agenc from the command tree instead
 * of by @effect/cli: usage lines with the full command path, placeholders and defaults, pages that fit a
 * screen, colour only on a terminal without NO_COLOR, and errors with a suggestion naming the level.
 */
import { Either } from "effect"
import type { CommandSpec, FlagSpec } from "./CommandTree.js"
import { levelNames } from "./CommandLine.js"

/** Flags every command takes; `--version` and `--completions` only at the top. */
const helpFlag: FlagSpec = { names: ["-h", "--help"], placeholder: undefined, description: "show this help", defaultValue: undefined, required: false }
const logLevelFlag: FlagSpec = {
  names: ["--log-level"],
  placeholder: "LEVEL",
  description: `${levelNames} (default: warn; daemon start: log.level of gateway.json)`,
  defaultValue: undefined,
  required: false
}
const topFlags: ReadonlyArray<FlagSpec> = [
  { names: ["--version"], placeholder: undefined, description: "print the version", defaultValue: undefined, required: false },
  { names: ["--completions"], placeholder: "SHELL", description: "print shell completions: bash, zsh or fish", defaultValue: undefined, required: false }
]

const flagsAt = (path: ReadonlyArray<CommandSpec>): ReadonlyArray<FlagSpec> => [
  ...path.at(-1)!.flags,
  logLevelFlag,
  helpFlag,
  ...(path.length === 1 ? topFlags : [])
]

/** Whether help may use colour: stdout is a terminal and NO_COLOR is unset (https://no-color.org). */
export const useColor = (env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean =>
  isTTY && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb"

const wrap = (text: string, width: number, indent: number): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  lines.push(line)
  return lines.join("\n" + " ".repeat(indent))
}

const flagUsage = (flag: FlagSpec) => {
  const name = flag.names.at(-1)!
  const body = flag.placeholder === undefined ? name : `${name} ${flag.placeholder}`
  return flag.required ? body : `[${body}]`
}

/** The help page of the command at the end of `path` (`[agenc, daemon, start]`). */
export const renderHelp = (path: ReadonlyArray<CommandSpec>, options: { readonly color: boolean; readonly width?: number | undefined }): string => {
  const width = Math.max(60, Math.min(options.width ?? 80, 100))
  const bold = (s: string) => options.color ? `\x1b[1m${s}\x1b[0m` : s
  const command = path.at(-1)!
  const full = path.map((c) => c.name).join(" ")
  const own = command.flags
  const usage = command.subcommands.length > 0
    ? `${full} COMMAND [--help]`
    : [full, ...own.map(flagUsage), ...command.args.map((arg) => arg.name)].join(" ")
  const sections = [`${bold("Usage:")} ${wrap(usage, width, 7)}`, wrap(command.description, width, 0)]
  if (command.subcommands.length > 0) {
    const column = Math.max(...command.subcommands.map((c) => c.name.length)) + 4
    // One line per command, so a group's page fits a screen; its own --help has the whole description.
    const fit = (text: string) => text.length <= width - column ? text : `${text.slice(0, width - column - 1).replace(/\s+\S*$/, "")}…`
    sections.push(`${bold("Commands:")}\n${command.subcommands.map((c) => `  ${c.name.padEnd(column - 2)}${fit(c.description)}`).join("\n")}`)
  }
  if (command.args.length > 0) {
    const column = Math.max(...command.args.map((a) => a.name.length)) + 4
    sections.push(`${bold("Arguments:")}\n${command.args.map((a) => `  ${a.name.padEnd(column - 2)}${wrap(a.description, width, column)}`).join("\n")}`)
  }
  const flags = flagsAt(path)
  const label = (flag: FlagSpec) => `${flag.names.join(", ")}${flag.placeholder === undefined ? "" : ` ${flag.placeholder}`}`
  const column = Math.min(Math.max(...flags.map((f) => label(f).length)) + 4, 30)
  sections.push(`${bold("Options:")}\n${flags.map((flag) => {
    const described = `${flag.description}${flag.defaultValue === undefined ? "" : ` (default: ${flag.defaultValue})`}`
    const head = `  ${label(flag)}`
    return head.length + 2 > column
      ? `${head}\n${" ".repeat(column)}${wrap(described, width, column)}`
      : `${head.padEnd(column)}${wrap(described, width, column)}`
  }).join("\n")}`)
  if (command.subcommands.length > 0) sections.push(`Run \`${full} COMMAND --help\` for the options of a command.`)
  return sections.join("\n\n")
}

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** The closest known name, if it is close enough to be a typo. */
export const suggest = (input: string, known: ReadonlyArray<string>): string | undefined => {
  let best: { readonly name: string; readonly d: number } | undefined
  for (const name of known) {
    const d = name.startsWith(input) && input.length >= 2 ? 0 : distance(input, name)
    if (best === undefined || d < best.d) best = { name, d }
  }
  return best !== undefined && best.d <= (best.name.length <= 3 ? 1 : Math.max(2, Math.floor(best.name.length / 3))) ? best.name : undefined
}

/** What the command line asks for, once checked against the tree. */
export type Parsed =
  | { readonly _tag: "Run"; readonly path: ReadonlyArray<CommandSpec> }
  | { readonly _tag: "Help"; readonly path: ReadonlyArray<CommandSpec> }
  | { readonly _tag: "Completions"; readonly shell: string }
  | { readonly _tag: "Version" }

/**
 * Checks the arguments against the tree: unknown commands and flags, a flag without its value, extra
 * arguments. Answers a one-line error naming the command where it went wrong, with a suggestion.
 */
export const parseCommandLine = (root: CommandSpec, args: ReadonlyArray<string>): Either.Either<Parsed, string> => {
  const path: Array<CommandSpec> = [root]
  let positionals = 0
  let help = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const here = path.at(-1)!
    const where = path.map((c) => c.name).join(" ")
    if (arg === "--") break
    if (arg.startsWith("-") && arg !== "-") {
      const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg
      if (name === "-h" || name === "--help") {
        help = true
        continue
      }
      if (path.length === 1 && name === "--version") return Either.right({ _tag: "Version" })
      if (path.length === 1 && name === "--completions") {
        const shell = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1]
        if (shell === undefined || !["bash", "zsh", "fish", "sh"].includes(shell)) return Either.left(`--completions needs a shell: bash, zsh or fish`)
        return Either.right({ _tag: "Completions", shell })
      }
      const flag = here.flags.find((f) => f.names.includes(name))
      if (flag === undefined) {
        const known = flagsAt(path).flatMap((f) => f.names).filter((n) => n.startsWith("--"))
        const guess = suggest(name, known)
        return Either.left(`unknown flag ${name} for "${where}"${guess === undefined ? "" : ` (did you mean ${guess}?)`}; see ${where} --help`)
      }
      if (flag.placeholder !== undefined && !arg.includes("=")) {
        if (i + 1 >= args.length) return Either.left(`${name} needs a value (${flag.placeholder}) in "${where}"; see ${where} --help`)
        i++
      }
      continue
    }
    if (here.subcommands.length > 0) {
      const next = here.subcommands.find((c) => c.name === arg)
      if (next === undefined) {
        const guess = suggest(arg, here.subcommands.map((c) => c.name))
        return Either.left(`unknown command "${arg}" for "${where}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; commands: ${here.subcommands.map((c) => c.name).join(", ")}`)
      }
      path.push(next)
      continue
    }
    if (++positionals > here.args.length && !help) {
      return Either.left(`unexpected argument "${arg}" for "${where}"; see ${where} --help`)
    }
  }
  return Either.right({ _tag: help || path.at(-1)!.subcommands.length > 0 ? "Help" : "Run", path })
}

const allPaths = (spec: CommandSpec, prefix: ReadonlyArray<CommandSpec> = []): Array<ReadonlyArray<CommandSpec>> => {
  const path = [...prefix, spec]
  return [path, ...spec.subcommands.flatMap((child) => allPaths(child, path))]
}

/** Shell completion scripts: subcommands and flags at every level; files after a flag that takes a value. */
export const completions = (root: CommandSpec, shell: string): string => {
  const paths = allPaths(root)
  const key = (path: ReadonlyArray<CommandSpec>) => path.map((c) => c.name).join(" ")
  const subs = (path: ReadonlyArray<CommandSpec>) => path.at(-1)!.subcommands.map((c) => c.name).join(" ")
  const flags = (path: ReadonlyArray<CommandSpec>) => flagsAt(path).flatMap((f) => f.names).join(" ")
  const values = (path: ReadonlyArray<CommandSpec>) => flagsAt(path).filter((f) => f.placeholder !== undefined).flatMap((f) => f.names).join(" ")
  const table = (fn: string, pick: (path: ReadonlyArray<CommandSpec>) => string) =>
    `${fn}() {\n  case "$1" in\n${paths.map((path) => `    "${key(path)}") echo "${pick(path)}" ;;`).join("\n")}\n  esac\n}`
  const bash = [
    `# agenc completions for bash (zsh: through bashcompinit). Load with: source <(agenc --completions bash)`,
    table("_agenc_subcommands", subs),
    table("_agenc_flags", flags),
    table("_agenc_value_flags", values),
    `_agenc_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="${root.name}" word i skip=0
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    if [[ " $(_agenc_value_flags "$path") " == *" $word "* ]]; then skip=1; continue; fi
    [[ $word == -* ]] && continue
    if [[ " $(_agenc_subcommands "$path") " == *" $word "* ]]; then path="$path $word"; fi
  done
  if ((COMP_CWORD > 1)) && [[ " $(_agenc_value_flags "$path") " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* || -z "$(_agenc_subcommands "$path")" ]]; then
    COMPREPLY=($(compgen -W "$(_agenc_flags "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_agenc_subcommands "$path")" -- "$cur"))
  fi
}
complete -o default -F _agenc_complete ${root.name}`
  ].join("\n")
  switch (shell) {
    case "zsh":
      return `# agenc completions for zsh. Load with: source <(agenc --completions zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}`
    case "fish": {
      const fishTable = (fn: string, pick: (path: ReadonlyArray<CommandSpec>) => string) =>
        `function ${fn}\n    switch "$argv"\n${paths.map((path) => `        case '${key(path)}'\n            echo '${pick(path)}'`).join("\n")}\n    end\nend`
      return [
        `# agenc completions for fish. Load with: agenc --completions fish | source`,
        fishTable("__agenc_subcommands", subs),
        fishTable("__agenc_flags", flags),
        fishTable("__agenc_value_flags", values),
        `function __agenc_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l path ${root.name}
    set -l skip 0
    for word in $words[2..-1]
        if test $skip = 1; set skip 0; continue; end
        if contains -- $word (string split ' ' (__agenc_value_flags "$path")); set skip 1; continue; end
        if string match -q -- '-*' $word; continue; end
        if contains -- $word (string split ' ' (__agenc_subcommands "$path")); set path "$path $word"; end
    end
    if test (count $words) -gt 1; and contains -- $words[-1] (string split ' ' (__agenc_value_flags "$path"))
        __fish_complete_path $cur
    else if string match -q -- '-*' $cur; or test -z (__agenc_subcommands "$path")
        string split ' ' (__agenc_flags "$path")
    else
        string split ' ' (__agenc_subcommands "$path")
    end
end
complete -c ${root.name} -f -a '(__agenc_complete)'`
      ].join("\n")
    }
    default:
      return bash
  }
}
