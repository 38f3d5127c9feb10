/**
 * The one place agenc works around @effect/cli (see README, "Commands"): it reads `--log-level` itself
 * (one set of level names, `warn` included, applied to every layer), and, in `CommandHelp.ts`, renders help,
 * completions and command-line errors from the command tree.
 */
import { ValidationError } from "@effect/cli"
import { Cause, Effect, Either, FiberRef, Option, type LogLevel } from "effect"
import { CliError } from "./CliError.js"
import { LEVELS, parseLevel } from "../layers/Logging.js"

/** Level names as help and errors list them. */
export const levelNames = "trace, debug, info, warn, error"

/**
 * Removes `--log-level LEVEL` / `--log-level=LEVEL` from the arguments and parses it. Without it, commands
 * log warnings and errors only, and the daemon (`daemon start`, and `daemon supervise`, the supervisor that a
 * detached start runs and that shares its log) uses `log.level` from gateway.json.
 */
export const takeLogLevel = (args: ReadonlyArray<string>): Either.Either<{
  readonly args: ReadonlyArray<string>
  readonly level: Option.Option<LogLevel.LogLevel>
}, string> => {
  const rest: Array<string> = []
  let given: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    if (arg === "--log-level") {
      if (i + 1 >= args.length) return Either.left(`--log-level needs a level (${levelNames})`)
      given = args[++i]!
    } else if (arg.startsWith("--log-level=")) {
      given = arg.slice("--log-level=".length)
    } else {
      rest.push(arg)
    }
  }
  const positional = rest.filter((arg) => !arg.startsWith("-"))
  const isDaemon = positional[0] === "daemon" && (positional[1] === "start" || positional[1] === "supervise")
  if (given === undefined) return Either.right({ args: rest, level: isDaemon ? Option.none() : Option.some(LEVELS.warning) })
  const level = parseLevel(given)
  return Option.isNone(level)
    ? Either.left(`--log-level: "${given}" is not a level (${levelNames})`)
    : Either.right({ args: rest, level })
}

/** Whether a command's handler runs: from then on, @effect/cli prints no parse errors, and stderr is the command's. */
const inHandler = FiberRef.unsafeMake(false)

/** Wraps the root command's handler (`Command.transformHandler`): marks the end of parsing for `reportValidationErrors`. */
export const commandHandlerStarted = <A, E, R>(handler: Effect.Effect<A, E, R>) => Effect.locally(handler, inHandler, true)

/**
 * @effect/cli prints what it found wrong with the command line (a bad value, a missing option) as a
 * multi-line, coloured block; this turns it into the one line `agenc: "<command>": <reason>` (exit 2).
 * Only what is printed before the handler starts is held back: a command's own stderr (warnings, a
 * foreground daemon's summary, `daemon logs -f`) goes out as it is written.
 */
export const reportValidationErrors = (where: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.consoleWith((console) => {
    const printed: Array<string> = []
    const flush = Effect.sync(() => printed.splice(0).forEach((line) => console.unsafe.error(line)))
    return effect.pipe(
      Effect.withConsole({
        ...console,
        error: (...args) => Effect.flatMap(FiberRef.get(inHandler), (running) => running ? console.error(...args) : Effect.sync(() => void printed.push(args.join(" "))))
      }),
      Effect.tapErrorCause((cause) => Cause.failureOption(cause).pipe(Option.exists(ValidationError.isValidationError)) ? Effect.void : flush),
      Effect.tap(() => flush),
      Effect.catchIf(ValidationError.isValidationError, () => {
        const reason = printed.join("; ").replace(/\x1b\[[0-9;]*m/g, "").replace(/\s+/g, " ").trim()
        return Effect.fail(CliError.usage(`"${where}": ${reason === "" ? "invalid command line" : reason}; see ${where} --help`))
      })
    )
  })
