import { Console, Effect } from "effect"

/**
 * A console whose `log`/`info` go to stderr. Through `unsafe.error`, the process's stderr itself: the
 * command line's own `error` is captured while @effect/cli parses (`reportValidationErrors`).
 */
const onStderr = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args) => Effect.sync(() => console.unsafe.error(...args)),
  info: (...args) => Effect.sync(() => console.unsafe.error(...args)),
  unsafe: { ...console.unsafe, log: console.unsafe.error, info: console.unsafe.error }
})

/**
 * Runs `effect` (a command's heartbeat work) with everything it prints through `Console`, such as the
 * console channel's lines, on stderr: the command prints its result on stdout afterwards, and with
 * `--json` stdout is exactly one JSON document. Fibers forked inside (channel workers) inherit it.
 */
export const resultsOnlyOnStdout = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.consoleWith((console) => Effect.withConsole(effect, onStderr(console)))
