import { Command } from "@effect/cli"

/** `agenc tasks`: drive the local ledger (filled in by the AgentRuntime work). */
export const tasksCommand = Command.make("tasks").pipe(Command.withDescription("add, list, claim, complete and dispute tasks in the local ledger"))
