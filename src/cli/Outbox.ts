import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, Effect, Option } from "effect"
import { CorruptRowError } from "../domain/SqlRow.js"
import { makeOutboxAdmin, type OutboxEntry } from "../gateway/OutboxAdmin.js"
import { Database } from "../layers/Database.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import { CliError, ExitCode } from "./CliError.js"
import { table } from "./Table.js"
import { configOption, jsonOption } from "./Options.js"

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

const entryJson = (entry: OutboxEntry) => ({
  id: entry.id,
  channel: entry.channel,
  status: entry.status,
  attempts: entry.attempts,
  createdAt: iso(entry.createdAt),
  nextAttemptAt: iso(entry.nextAttemptAt),
  finishedAt: iso(entry.finishedAt),
  lastError: entry.lastError ?? null
})

/** Runs `body` with the outbox of the configured `$AGENC_HOME` (no daemon needed). */
const withOutbox = <A, E>(config: Option.Option<string>, body: (admin: Effect.Effect.Success<typeof makeOutboxAdmin>) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const loaded = yield* loadConfig({ file: Option.getOrUndefined(config) })
    return yield* makeOutboxAdmin.pipe(
      Effect.flatMap(body),
      Effect.provide(Database(loaded.home)),
      Effect.catchTag("SqlError", (error) => Effect.fail(new CliError({ message: `agenc.db: ${"message" in error ? error.message : "database error"}`, code: ExitCode.failure }))),
      Effect.catchIf((error) => error instanceof CorruptRowError, (error) => Effect.fail(new CliError({ message: `agenc.db: ${error.message}`, code: ExitCode.failure })))
    )
  })

const channelOption = Options.text("channel").pipe(Options.withDescription("only this channel"), Options.optional)
const idArg = Args.text({ name: "id" }).pipe(Args.withDescription("message id (action@slot)"))

const list = Command.make("list", {
  channel: channelOption,
  status: Options.choice("status", ["pending", "delivered", "dead", "dropped"]).pipe(Options.withDescription("only messages with this status"), Options.optional),
  limit: Options.integer("limit").pipe(Options.withDefault(50), Options.withDescription("at most this many rows")),
  json: jsonOption,
  config: configOption
}, (args) =>
  withOutbox(args.config, (admin) =>
    Effect.gen(function*() {
      if (args.limit < 1) return yield* Effect.fail(CliError.usage("--limit must be at least 1"))
      const rows = yield* admin.list({ channel: Option.getOrUndefined(args.channel), status: Option.getOrUndefined(args.status), limit: args.limit })
      if (args.json) return yield* Console.log(JSON.stringify(rows.map(entryJson), null, 2))
      yield* Console.log(rows.length === 0 ? "outbox empty" : table(
        ["ID", "CHANNEL", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"],
        rows.map((row) => [row.id, row.channel, row.status, String(row.attempts), iso(row.nextAttemptAt) ?? "-", row.lastError ?? ""])
      ))
    }))
).pipe(Command.withDescription("messages in the durable outbox, newest first: id, channel, status, attempts, next attempt, last error"))

/** `retry` and `drop`: change the rows of one id (one channel with --channel); an unknown id is exit 2. */
const change = (name: "retry" | "drop", description: string) =>
  Command.make(name, { id: idArg, channel: channelOption, config: configOption }, (args) =>
    withOutbox(args.config, (admin) =>
      Effect.gen(function*() {
        const channel = Option.getOrUndefined(args.channel)
        const found = yield* admin.find(args.id, channel)
        if (found.length === 0) {
          return yield* Effect.fail(CliError.usage(`no outbox message "${args.id}"${channel === undefined ? "" : ` on channel ${channel}`}`))
        }
        const now = yield* Clock.currentTimeMillis
        const changed = yield* (name === "retry" ? admin.retry(args.id, channel, now) : admin.drop(args.id, channel, now))
        if (changed.length === 0) {
          const states = found.map((row) => `${row.channel}: ${row.status}`).join(", ")
          return yield* Effect.fail(new CliError({ message: `${args.id} not changed (${states}); ${name} applies to ${name === "retry" ? "pending or dead" : "pending"} messages`, code: ExitCode.failure }))
        }
        for (const row of changed) yield* Console.log(`${row.id} -> ${row.channel}: ${name === "retry" ? "pending, due now" : "dropped"}`)
      }))
  ).pipe(Command.withDescription(description))

/** `agenc outbox`. */
export const outboxCommand = Command.make("outbox").pipe(
  Command.withDescription("inspect and act on the durable outbox (works with or without a running daemon)"),
  Command.withSubcommands([
    list,
    change("retry", "retry a pending or dead message now (its backoff is forgotten)"),
    change("drop", "give up a pending message; recorded as dropped by the operator")
  ])
)
