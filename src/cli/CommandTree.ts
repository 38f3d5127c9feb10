/**
 * The command tree as plain data, read from @effect/cli's descriptors: the one place agenc looks inside
 * @effect/cli (its help, completions and error messages cannot be configured; see `CommandHelp.ts`).
 */
import type { Command } from "@effect/cli"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { Option } from "effect"

/** One `--flag` of a command. */
export interface FlagSpec {
  readonly names: ReadonlyArray<string>
  /** What the value is (`FILE`, `DURATION`); undefined for a boolean flag. */
  readonly placeholder: string | undefined
  readonly description: string
  /** The default shown in help; undefined when there is none worth showing. */
  readonly defaultValue: string | undefined
  readonly required: boolean
}

/** One positional argument. */
export interface ArgSpec {
  readonly name: string
  readonly description: string
}

/** A command with its flags, arguments and subcommands. */
export interface CommandSpec {
  readonly name: string
  readonly description: string
  readonly flags: ReadonlyArray<FlagSpec>
  readonly args: ReadonlyArray<ArgSpec>
  readonly subcommands: ReadonlyArray<CommandSpec>
}

// The descriptors are @effect/cli internals (`_tag`ged objects); nothing outside this file sees them.
type Node = { readonly _tag: string; readonly [key: string]: any }

const text = (doc: HelpDoc.HelpDoc | undefined): string =>
  doc === undefined ? "" : HelpDoc.toAnsiText(doc).replace(/\x1b\[[0-9;]*m/g, "").replace(/\s+/g, " ").trim()

const shownDefault = (fallback: unknown): string | undefined => {
  if (Option.isOption(fallback) || fallback === false || fallback === "" || fallback === undefined) return undefined
  return String(fallback)
}

const flagsOf = (options: Node, defaultValue?: unknown): Array<FlagSpec> => {
  switch (options._tag) {
    case "Single": {
      const bool = options.primitiveType._tag === "Bool"
      return [{
        names: [options.fullName as string, ...(options.aliases as Array<string>).map((alias) => alias.length === 1 ? `-${alias}` : `--${alias}`)], // cast: @effect/cli's descriptor tree is untyped in its public API; its own help renders the same fields
        placeholder: bool ? undefined : Option.getOrElse(options.pseudoName as Option.Option<string>, () => // cast: @effect/cli's descriptor tree is untyped in its public API
          options.primitiveType._tag === "Integer" ? "N" : options.primitiveType._tag === "Path" ? "PATH" : "TEXT"),
        description: text(options.description),
        defaultValue: bool ? undefined : shownDefault(defaultValue),
        required: defaultValue === undefined && !bool
      }]
    }
    case "Both":
      return [...flagsOf(options.left), ...flagsOf(options.right)]
    case "WithDefault":
      return flagsOf(options.options, options.fallback === undefined ? Option.none() : options.fallback)
    case "Map":
    case "WithFallback":
      return flagsOf(options.options, defaultValue)
    case "OrElse":
      return [...flagsOf(options.left, defaultValue), ...flagsOf(options.right, defaultValue)]
    case "Variadic":
    case "KeyValueMap":
      return flagsOf(options.argumentOption, defaultValue)
    default:
      return []
  }
}

const argsOf = (args: Node): Array<ArgSpec> => {
  switch (args._tag) {
    case "Single":
      return [{ name: (args.name as string).replace(/^<|>$/g, "").toUpperCase(), description: text(args.description) }] // cast: @effect/cli's descriptor tree is untyped in its public API
    case "Both":
      return [...argsOf(args.left), ...argsOf(args.right)]
    case "Map":
    case "WithDefault":
    case "WithFallbackConfig":
    case "Variadic":
      return argsOf(args.args)
    default:
      return []
  }
}

const specOf = (descriptor: Node): CommandSpec => {
  switch (descriptor._tag) {
    case "Map":
      return specOf(descriptor.command)
    case "Subcommands": {
      const parent = specOf(descriptor.parent)
      return { ...parent, subcommands: (descriptor.children as Array<Node>).map(specOf) } // cast: @effect/cli's descriptor tree is untyped in its public API
    }
    default:
      return {
        name: descriptor.name,
        description: text(descriptor.description),
        flags: descriptor.options === undefined ? [] : flagsOf(descriptor.options),
        args: descriptor.args === undefined ? [] : argsOf(descriptor.args),
        subcommands: []
      }
  }
}

/** The tree under `command`. */
export const commandTree = (command: Command.Command<any, any, any, any>): CommandSpec =>
  specOf((command as unknown as { readonly descriptor: Node }).descriptor) // cast: @effect/cli's descriptor tree is untyped in its public API
