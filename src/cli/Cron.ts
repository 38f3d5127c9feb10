import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, Effect, Either, Option } from "effect"
import * as CronSchedule from "../domain/CronSchedule.js"
import { CliError } from "./CliError.js"

const expression = Args.text({ name: "EXPR" }).pipe(
  Args.withDescription("cron expression (5 fields, or 6 with seconds), a nickname such as @daily, or @every DURATION")
)
const count = Options.integer("count").pipe(Options.withPseudoName("N"), Options.withDefault(5), Options.withDescription("how many instants to print"))
const tz = Options.text("tz").pipe(Options.withPseudoName("ZONE"), Options.withDefault("UTC"), Options.withDescription("IANA time zone the expression is read in"))
const from = Options.text("from").pipe(Options.withPseudoName("ISO"), Options.optional, Options.withDescription("start after this ISO-8601 instant (default: now)"))

/** `agenc cron next`: the next instants of an expression, ISO-8601 UTC, one per line. */
export const cronNext = Command.make("next", { expression, count, tz, from }, (args) =>
  Effect.gen(function*() {
    if (args.count < 1) return yield* Effect.fail(CliError.usage("--count must be at least 1"))
    const schedule = yield* Either.match(CronSchedule.parse(args.expression, args.tz), {
      onLeft: (reason) => Effect.fail(CliError.usage(reason)),
      onRight: Effect.succeed
    })
    let at = Option.isSome(args.from) ? Date.parse(args.from.value) : yield* Clock.currentTimeMillis
    if (Number.isNaN(at)) return yield* Effect.fail(CliError.usage(`--from: "${Option.getOrThrow(args.from)}" is not an ISO-8601 instant`))
    const lines: Array<string> = []
    for (let i = 0; i < args.count; i++) {
      const following = CronSchedule.nextWithinDates(schedule, at)
      // Past +275760-09-13 there are no dates to print: list what there is.
      if (following === undefined) break
      at = following
      lines.push(new Date(at).toISOString())
    }
    if (lines.length === 0) {
      return yield* Effect.fail(CliError.usage(`--from: no instant after ${Option.getOrElse(args.from, () => "now")} that a date can represent (the last is +275760-09-13T00:00:00.000Z)`))
    }
    yield* Console.log(lines.join("\n"))
  })
).pipe(Command.withDescription("print the next instants an expression matches, ISO-8601 UTC, one per line"))

/** `agenc cron`. */
export const cronCommand = Command.make("cron").pipe(
  Command.withDescription("work with schedule expressions"),
  Command.withSubcommands([cronNext])
)
