import { Command } from "@effect/cli"
import { Clock, Console, Effect } from "effect"
import * as CronSchedule from "../heartbeat/CronSchedule.js"
import { loadChecked } from "./Config.js"
import { configOption, jsonOption } from "./Options.js"

/** Formats rows as aligned columns. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n")
}

const list = Command.make("list", { config: configOption, json: jsonOption }, ({ config, json }) =>
  Effect.gen(function*() {
    const { registrations } = yield* loadChecked(config)
    const now = yield* Clock.currentTimeMillis
    const rows = registrations.map((registration) => ({
      name: registration.name,
      description: registration.action.description,
      schedule: registration.schedule.expression,
      timezone: registration.schedule._tag === "Cron" ? registration.schedule.timezone : "UTC",
      nextRunAt: new Date(CronSchedule.next(registration.schedule, now)).toISOString()
    }))
    yield* Console.log(
      json
        ? JSON.stringify(rows, null, 2)
        : rows.length === 0
        ? "no actions (heartbeat disabled or none configured)"
        : table(["NAME", "SCHEDULE", "TIMEZONE", "NEXT RUN"], rows.map((row) => [row.name, row.schedule, row.timezone, row.nextRunAt]))
    )
  })
).pipe(Command.withDescription("list the configured actions, their schedules, time zones and next runs"))

/** `agenc heartbeat`. */
export const heartbeatCommand = Command.make("heartbeat").pipe(
  Command.withDescription("inspect and run heartbeat actions"),
  Command.withSubcommands([list])
)
