import { Command } from "@effect/cli"

/** `agenc daemon`: lifecycle of the background gateway (filled in by the daemon work). */
export const daemonCommand = Command.make("daemon").pipe(Command.withDescription("start, stop, restart, reload and inspect the daemon"))
