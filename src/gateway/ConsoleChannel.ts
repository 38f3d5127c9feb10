import { Clock, Console, Effect } from "effect"
import type { Severity } from "../domain/MessageContent.js"
import type { ChannelPlugin } from "../services/Gateway.js"
import { stripControls } from "./SafeText.js"

/** The action name's colour by severity: cyan, yellow, red. */
const SEVERITY_SGR: Record<Severity, string> = { info: "1;36", warning: "1;33", alert: "1;31" }

/**
 * One line per message on stdout: `2025-01-01T09:00:00.000Z daily-summary: text`, newlines shown as `\n`
 * so journald keeps it one entry. Control characters in the text (ESC sequences, C1, bidi overrides) are
 * stripped, so an action cannot move the cursor or clear the screen. Colour only when `color`.
 */
export const ConsoleChannel = (options: { readonly name: string; readonly color: boolean }): ChannelPlugin => ({
  name: options.name,
  type: "console",
  send: ({ message }) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const text = stripControls(message.message).replace(/\n/g, "\\n")
      const action = stripControls(message.action)
      const time = new Date(now).toISOString()
      const sgr = SEVERITY_SGR[message.content?.severity ?? "info"]
      yield* Console.log(
        options.color ? `\x1b[2m${time}\x1b[0m \x1b[${sgr}m${action}\x1b[0m: ${text}` : `${time} ${action}: ${text}`
      )
    }),
  health: Effect.succeed({ healthy: true, target: "stdout" })
})

/**
 * Whether a stream may be coloured: it is a TTY, `NO_COLOR` is unset or empty (https://no-color.org)
 * and `TERM` is not `dumb`.
 */
export const wantsColor = (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env
): boolean => stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb"

/** Whether the console channel may colour its lines on stdout. */
export const stdoutWantsColor = (): boolean => wantsColor(process.stdout)
