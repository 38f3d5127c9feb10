/**
 * agenc's top-level commands, each behind a dynamic import: a command's code (and what only it needs:
 * the daemon's runtime, the Solana client, the task tables) is evaluated only when that command runs.
 * esbuild keeps a dynamically imported module lazy inside the one-file bundle (scripts/build-cli.mjs).
 */
import { Command } from "@effect/cli"

/** A top-level command, whatever its name, options and errors (src/cli.ts maps them to exit codes). */
// Name and arguments are any: a Command is invariant in them.
export type TopCommand = Command.Command<any, never, unknown, any>

/** Each top-level command by name, in the order help lists them. */
export const topCommands: Readonly<Record<string, (version: string) => Promise<TopCommand>>> = {
  daemon: () => import("./Daemon.js").then((module) => module.daemonCommand),
  heartbeat: () => import("./Heartbeat.js").then((module) => module.heartbeatCommand),
  tasks: () => import("./Tasks.js").then((module) => module.tasksCommand),
  cron: () => import("./Cron.js").then((module) => module.cronCommand),
  config: () => import("./Config.js").then((module) => module.configCommand),
  outbox: () => import("./Outbox.js").then((module) => module.outboxCommand),
  action: (version) => import("./ActionNew.js").then((module) => module.actionCommand(version))
}

/** `agenc` with the given subcommands: all of them for the command tree, the one that runs otherwise. */
export const agencCommand = (subcommands: readonly [TopCommand, ...Array<TopCommand>]) =>
  Command.make("agenc").pipe(
    Command.withDescription("heartbeat and autonomous daemon for AgenC agents"),
    Command.withSubcommands(subcommands)
  )

/** Every top-level command, loaded. */
export const allCommands = (version: string): Promise<readonly [TopCommand, ...Array<TopCommand>]> =>
  Promise.all(Object.values(topCommands).map((load) => load(version))) as Promise<[TopCommand, ...Array<TopCommand>]>
