import { Clock, Console, Effect } from "effect"
import type { ChannelPlugin } from "../services/Gateway.js"

/**
 * One line per message on stdout: `2025-01-01T09:00:00.000Z daily-summary: text`, newlines shown as `\n`
 * so journald keeps it one entry. Colour only when `color` (stdout is a TTY and NO_COLOR is unset).
 */
export const ConsoleChannel = (options: { readonly name: string; readonly color: boolean }): ChannelPlugin => ({
  name: options.name,
  type: "console",
  send: ({ message }) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const text = message.message.replace(/\r?\n/g, "\\n")
      const time = new Date(now).toISOString()
      yield* Console.log(
        options.color ? `\x1b[2m${time}\x1b[0m \x1b[1;36m${message.action}\x1b[0m: ${text}` : `${time} ${message.action}: ${text}`
      )
    }),
  health: Effect.succeed({ healthy: true, target: "stdout" })
})

/** Whether the console channel may colour its lines. */
export const stdoutWantsColor = (): boolean =>
  process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb"
