import { Args, Command, Options } from "@effect/cli"
import { SqlClient } from "@effect/sql"
import { Clock, Console, Effect, Either, Layer, Option } from "effect"
import { ConfigError } from "../domain/ConfigError.js"
import { parseDurationMs } from "../domain/DurationMs.js"
import { CAPABILITY_BITS } from "../domain/Marketplace.js"
import { parseU64 } from "../domain/RuntimeConfig.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import { localAgent } from "../layers/AgentRuntimeLocal.js"
import { Database } from "../layers/Database.js"
import { HomeError } from "../layers/HomeAccess.js"
import { makeLedgerStore } from "../runtime/LedgerStore.js"
import { LedgerRuleError, NotFoundError } from "../services/AgentRuntime.js"
import { AppConfig } from "../services/AppConfig.js"
import { CliError, ExitCode } from "./CliError.js"
import { table } from "./Heartbeat.js"
import { printJson, taskJson } from "./JsonOutput.js"
import { configOption, jsonOption } from "./Options.js"

/** `AppConfig` from `--config` (or `$AGENC_HOME/gateway.json`) and the database under `$AGENC_HOME`. */
export const TasksLive = (config: Option.Option<string>) => {
  const appConfig = Layer.effect(AppConfig, loadConfig({ file: Option.getOrUndefined(config) }))
  return Layer.unwrapEffect(Effect.map(AppConfig, ({ home }) => Database(home))).pipe(Layer.provideMerge(appConfig))
}

/** The local ledger for the loaded config; `tasks` drives only the local ledger. */
const ledger = Effect.gen(function*() {
  const { config, file } = yield* AppConfig
  if (config.runtime.source !== "local") {
    return yield* CliError.usage(`agenc tasks drives the local ledger, but runtime.source is "${config.runtime.source}" in ${file}`)
  }
  return makeLedgerStore(yield* SqlClient.SqlClient, localAgent(config.runtime))
})

/** Maps ledger failures to one-line CLI errors: the user's mistakes exit 2, storage failures 1; config errors pass through (78). */
const toCliError = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.mapError((error): CliError | ConfigError | HomeError => {
    if (error instanceof CliError || error instanceof ConfigError || error instanceof HomeError) return error
    if (error instanceof NotFoundError) return CliError.usage(`no ${error.what} ${error.id}`)
    if (error instanceof LedgerRuleError) return CliError.usage(error.message)
    const message = "message" in error ? error.message : undefined
    return new CliError({ message: typeof message === "string" && message !== "" ? message : error._tag, code: ExitCode.failure })
  }))

/** `MASK`: decimal, `0x` hex, or capability names joined by commas (`COMPUTE,INFERENCE`). */
export const parseCapabilities = (input: string): Either.Either<bigint, string> => {
  if (/^[A-Za-z_,|\s]+$/.test(input)) {
    let mask = 0n
    for (const name of input.split(/[,|\s]+/).filter((s) => s !== "")) {
      const bit = CAPABILITY_BITS[name.toUpperCase() as keyof typeof CAPABILITY_BITS] // cast: a lookup by the user's word; an unknown name reads undefined and is reported below
      if (bit === undefined) return Either.left(`unknown capability ${name} (known: ${Object.keys(CAPABILITY_BITS).join(", ")})`)
      mask |= 1n << BigInt(bit)
    }
    return Either.right(mask)
  }
  return parseU64(input)
}

/** `--deadline`: an ISO date-time, or `+DURATION` from now (`+30m`, `+2h`, `+1d`); unix seconds. */
export const parseDeadline = (input: string, nowMs: number): Either.Either<number, string> => {
  if (input.startsWith("+")) {
    return Either.map(parseDurationMs(input.slice(1)), (ms) => Math.ceil((nowMs + ms) / 1000))
  }
  const ms = /^\d{4}-\d{2}-\d{2}/.test(input) ? Date.parse(input) : Number.NaN
  return Number.isNaN(ms) ? Either.left(`"${input}" is not an ISO date-time or +DURATION (e.g. 2030-01-31T12:00:00Z, +2h)`) : Either.right(Math.floor(ms / 1000))
}

const usage = (flag: string) => (message: string) => CliError.usage(`${flag}: ${message}`)

const deadlineText = (deadline: number) => deadline === 0 ? "none" : new Date(deadline * 1000).toISOString().replace(".000Z", "Z")

const idArg = Args.text({ name: "id" }).pipe(Args.withDescription("task id, as printed by `agenc tasks add` / `list`"))

const add = Command.make("add", {
  reward: Options.text("reward").pipe(Options.withPseudoName("LAMPORTS"), Options.withDescription("reward in lamports (> 0)")),
  capabilities: Options.text("capabilities").pipe(Options.withPseudoName("MASK"), Options.withDescription("required capability bitmask: decimal, 0x hex, or names (COMPUTE,INFERENCE)")),
  deadline: Options.text("deadline").pipe(Options.withPseudoName("ISO|+DURATION"), Options.withDescription("ISO date-time or +DURATION (+30m, +2h, +1d); default none"), Options.optional),
  maxWorkers: Options.integer("max-workers").pipe(Options.withPseudoName("N"), Options.withDescription("1..100"), Options.withDefault(1)),
  description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.withDescription("up to 64 bytes of UTF-8"), Options.withDefault("")),
  config: configOption
}, (args) =>
  Effect.gen(function*() {
    const store = yield* ledger
    if (!/^\d+$/.test(args.reward.trim())) return yield* CliError.usage(`--reward: "${args.reward}" is not a positive whole number of lamports`)
    const capabilities = yield* Effect.mapError(parseCapabilities(args.capabilities), usage("--capabilities"))
    const now = yield* Clock.currentTimeMillis
    const deadline = Option.isNone(args.deadline) ? 0 : yield* Effect.mapError(parseDeadline(args.deadline.value, now), usage("--deadline"))
    const task = yield* store.addTask({
      rewardAmount: BigInt(args.reward.trim()),
      requiredCapabilities: capabilities,
      deadline,
      maxWorkers: args.maxWorkers,
      description: args.description
    })
    yield* Console.log(task.id)
  }).pipe(toCliError, Effect.provide(TasksLive(args.config)))
).pipe(Command.withDescription("create a task in the local ledger; prints its id"))

const list = Command.make("list", { json: jsonOption, config: configOption }, ({ config, json }) =>
  Effect.gen(function*() {
    const tasks = yield* (yield* ledger).listTasks()
    if (json) return yield* printJson(tasks.map(taskJson))
    if (tasks.length === 0) return yield* Console.log("no tasks (add one: agenc tasks add --reward LAMPORTS --capabilities MASK)")
    yield* Console.log(table(
      ["ID", "STATUS", "TYPE", "REWARD", "CAPS", "WORKERS", "DEADLINE", "DESCRIPTION"],
      tasks.map((t) => [t.id, t.status, t.taskType, t.rewardAmount.toString(), `0x${t.requiredCapabilities.toString(16)}`, `${t.currentWorkers}/${t.maxWorkers}`, deadlineText(t.deadline), t.description])
    ))
  }).pipe(toCliError, Effect.provide(TasksLive(config)))
).pipe(Command.withDescription("list the tasks in the local ledger"))

const claim = Command.make("claim", { id: idArg, config: configOption }, ({ config, id }) =>
  Effect.gen(function*() {
    const entry = yield* (yield* ledger).claim(id)
    yield* Console.log(`claimed task ${id} (reward ${entry.task.rewardAmount} lamports, deadline ${deadlineText(entry.task.deadline)})`)
  }).pipe(toCliError, Effect.provide(TasksLive(config)))
).pipe(Command.withDescription("claim a task as the local agent"))

const complete = Command.make("complete", { id: idArg, config: configOption }, ({ config, id }) =>
  Effect.gen(function*() {
    const done = yield* (yield* ledger).complete(id)
    yield* Console.log(`completed task ${id}: earned ${done.rewardPaid} lamports (task is ${done.task.status})`)
  }).pipe(toCliError, Effect.provide(TasksLive(config)))
).pipe(Command.withDescription("complete a task the local agent claimed, and collect its reward"))

const dispute = Command.make("dispute", { id: idArg, config: configOption }, ({ config, id }) =>
  Effect.gen(function*() {
    const opened = yield* (yield* ledger).dispute(id)
    yield* Console.log(`opened dispute ${opened.id} on task ${id} (voting until ${deadlineText(opened.votingDeadline)})`)
  }).pipe(toCliError, Effect.provide(TasksLive(config)))
).pipe(Command.withDescription("open a dispute on a task the local agent claimed"))

/** `agenc tasks`: drive the local ledger with no network. */
export const tasksCommand = Command.make("tasks").pipe(
  Command.withDescription("add, list, claim, complete and dispute tasks in the local ledger"),
  Command.withSubcommands([add, list, claim, complete, dispute])
)
