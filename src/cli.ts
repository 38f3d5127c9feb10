#!/usr/bin/env node
import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Either, Exit, Option } from "effect"
import { createRequire } from "node:module"
import { CliError, ExitCode } from "./cli/CliError.js"
import { completions, parseCommandLine, renderHelp, useColor } from "./cli/CommandHelp.js"
import { commandHandlerStarted, reportValidationErrors, takeLogLevel } from "./cli/CommandLine.js"
import { builtCommands } from "./cli/BuiltCommandTree.js"
import { agencCommand } from "./cli/Commands.js"
import { commandTree } from "./cli/CommandTree.js"
import { oneLine } from "./domain/OneLine.js"
import { Logging, LogLevelOverride } from "./layers/Logging.js"

// Every file and folder agenc creates is private to its user (0600 / 0700), whatever the caller's umask.
process.umask(0o077)

const { version } = createRequire(import.meta.url)("../package.json") as { readonly version: string }

const agenc = agencCommand(version)

const cli = Command.run(Command.transformHandler(agenc, commandHandlerStarted), { name: "agenc", version })

/** The exit code a failure maps to; the one place error tags meet exit codes. */
class Exiting {
  constructor(readonly code: number) {}
}

// Read once by the build (walking @effect/cli's descriptors renders every description through @effect/printer);
// from the sources, here.
const tree = builtCommands?.tree ?? commandTree(agenc)

const program = Effect.suspend(() => {
  const [runtime, script, ...args] = process.argv
  return Either.match(Either.flatMap(takeLogLevel(args), (taken) => Either.map(parseCommandLine(tree, taken.args), (parsed) => ({ ...taken, parsed }))), {
    onLeft: (message) => Effect.fail(CliError.usage(message)),
    onRight: ({ args, level, parsed }) => {
      switch (parsed._tag) {
        case "Help":
          return Console.log(renderHelp(parsed.path, { color: useColor(), width: process.stdout.columns }))
        case "Completions":
          return Console.log(completions(tree, parsed.shell))
        case "Version":
          return Console.log(version)
        case "Run":
          return cli([runtime!, script!, ...args]).pipe(
            reportValidationErrors(parsed.path.map((command) => command.name).join(" ")),
            // Logs outside any command's layers (and before them) go to stderr too, never to stdout.
            Effect.provide(Logging({ level: "info", format: "auto" })),
            Effect.provideService(LogLevelOverride, level)
          )
      }
    }
  })
}).pipe(
  Effect.catchAll((error): Effect.Effect<never, Exiting> => {
    if (ValidationError.isValidationError(error)) {
      // @effect/cli has already printed what was wrong with the command line.
      return Effect.fail(new Exiting(ExitCode.usage))
    }
    const tagged = error as { readonly _tag?: string; readonly message?: string; readonly code?: number; readonly line?: string }
    switch (tagged._tag) {
      case "CliError":
        return Console.error(`agenc: ${oneLine(tagged.message ?? "")}`).pipe(Effect.zipRight(Effect.fail(new Exiting(tagged.code!))))
      case "HomeError":
        return Console.error(`agenc: ${oneLine(tagged.message ?? "")}`).pipe(Effect.zipRight(Effect.fail(new Exiting(tagged.code!))))
      case "ConfigError":
        return Console.error(`agenc: ${tagged.line!}`).pipe(Effect.zipRight(Effect.fail(new Exiting(ExitCode.config))))
      default:
        return Console.error(`agenc: ${tagged._tag !== undefined ? `${tagged._tag}: ` : ""}${oneLine(tagged.message || String(error))}`).pipe(
          Effect.zipRight(Effect.fail(new Exiting(ExitCode.failure)))
        )
    }
  }),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  // Logging (src/layers/Logging.ts) chooses the logger; runMain's pretty logger would print every line twice.
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return onExit(ExitCode.ok)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure) && failure.value instanceof Exiting) return onExit(failure.value.code)
    // A defect: a bug, not a user mistake; show it whole.
    process.stderr.write(`agenc: internal error\n${Cause.pretty(exit.cause)}\n`)
    onExit(70)
  }
})
