/**
 * `agenc` and its top-level commands, in the order help lists them: src/cli.ts runs it, and the build
 * reads its command tree (scripts/build-cli.mjs, src/cli/BuiltCommandTree.ts).
 */
import { Command } from "@effect/cli"
import { actionCommand } from "./ActionNew.js"
import { configCommand } from "./Config.js"
import { cronCommand } from "./Cron.js"
import { daemonCommand } from "./Daemon.js"
import { heartbeatCommand } from "./Heartbeat.js"
import { outboxCommand } from "./Outbox.js"
import { tasksCommand } from "./Tasks.js"

export const agencCommand = (version: string) =>
  Command.make("agenc").pipe(
    Command.withDescription("heartbeat and autonomous daemon for AgenC agents"),
    Command.withSubcommands([daemonCommand, heartbeatCommand, tasksCommand, cronCommand, configCommand, outboxCommand, actionCommand(version)])
  )
