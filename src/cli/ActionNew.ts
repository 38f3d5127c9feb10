import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Either, Option, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { agencHome, expandHome } from "../domain/ConfigPath.js"
import { decodeConfig } from "../layers/AppConfigFile.js"
import { actionTemplate } from "./ActionTemplate.js"
import { CliError, ExitCode } from "./CliError.js"
import { gatewaySchemaJson, initialConfig, schemaFileName } from "./InitialConfig.js"
import { configOption } from "./Options.js"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"

/** The range of `effect` custom actions must share with agenc (its peerDependency). */
export const effectRange = "^3.22.4"

const failure = (message: string) => new CliError({ message, code: ExitCode.failure })

const io = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => failure(`${what}: ${errorMessage(cause)}`) })

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
// Built once each: the user's package.json and gateway.json are outside data, decoded before they are merged into.
const decodeJsonObject = Schema.decodeUnknownEither(Schema.parseJson(JsonObject))
const decodeDependencies = Schema.decodeUnknownEither(Schema.UndefinedOr(Schema.Record({ key: Schema.String, value: Schema.String })))
const decodeHeartbeat = Schema.decodeUnknownEither(Schema.UndefinedOr(JsonObject))
const decodeActions = Schema.decodeUnknownEither(Schema.Array(JsonObject))

/** `value` decoded, or a CliError saying which part of `file` is not of the shape. */
const shaped = <A>(file: string, what: string, decoded: Either.Either<A, unknown>) =>
  Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(failure(`${file}: ${what}`))

const readJson = (file: string) =>
  io(`cannot read ${file}`, () => fs.readFile(file, "utf8").then((text): string | undefined => text, (cause) => {
    if (errnoCode(cause) === "ENOENT") return undefined
    throw cause
  })).pipe(Effect.flatMap((text) => text === undefined ? Effect.succeed(undefined) : shaped(file, "not a JSON object", decodeJsonObject(text))))

/** Replaces `file` atomically (same mode), so a crash never leaves half a file. */
const replaceJson = (file: string, value: unknown, mode: number) =>
  io(`cannot write ${file}`, async () => {
    const temp = `${file}.${process.pid}.tmp`
    await fs.writeFile(temp, JSON.stringify(value, null, 2) + "\n", { flag: "wx", mode })
    await fs.rename(temp, file)
  })

/** What a scaffolding step will write, decided (and its input checked) before anything is written. */
interface Step {
  readonly line: string | undefined
  readonly write: Effect.Effect<void, CliError>
}

const nothing: Step = { line: undefined, write: Effect.void }

/** `package.json` of the action's folder: an ES module package depending on the same `effect` as agenc. */
const planPackageJson = (dir: string, name: string, version: string) =>
  Effect.gen(function*() {
    const file = path.join(dir, "package.json")
    const existing = yield* readJson(file)
    if (existing === undefined) {
      const content = { name: name.toLowerCase(), private: true, type: "module", dependencies: { agenc: `^${version}`, effect: effectRange } }
      return { line: `wrote ${file}`, write: replaceJson(file, content, 0o644) }
    }
    const existingDependencies = yield* shaped(file, "\"dependencies\" is not an object of version strings", decodeDependencies(existing.dependencies))
    if (existing.type === "module" && existingDependencies?.effect !== undefined) return nothing
    if (existing.type !== undefined && existing.type !== "module") {
      return yield* failure(`${file} has "type": ${JSON.stringify(existing.type)}; an action module is ESM: set "type": "module" or use another --dir`)
    }
    const dependencies = { ...existingDependencies, effect: existingDependencies?.effect ?? effectRange }
    return { line: `updated ${file} ("type": "module", effect ${dependencies.effect})`, write: replaceJson(file, { ...existing, type: "module", dependencies }, 0o644) }
  })

/** Adds the action to gateway.json (creating a starter file if there is none), keeping the built-ins. */
const planRegistration = (configFile: string, entry: Record<string, unknown>) =>
  Effect.gen(function*() {
    const existing = yield* readJson(configFile)
    if (existing === undefined) {
      const content = initialConfig([entry])
      yield* decodeConfig(content)
      return {
        line: `wrote ${configFile} with the built-in actions and ${entry.name}`,
        write: io(`cannot write ${configFile}`, async () => {
          await fs.mkdir(path.dirname(configFile), { recursive: true, mode: 0o700 })
          await fs.writeFile(configFile, JSON.stringify(content, null, 2) + "\n", { flag: "wx", mode: 0o600 })
          await fs.writeFile(path.join(path.dirname(configFile), schemaFileName), gatewaySchemaJson(), { flag: "wx", mode: 0o644 }).catch(() => undefined)
        })
      }
    }
    const heartbeat = (yield* shaped(configFile, "heartbeat: not an object", decodeHeartbeat(existing.heartbeat))) ?? {}
    // Without `actions` the built-ins run by default; listing only the new one would drop them.
    const actions = yield* shaped(configFile, "heartbeat.actions: not an array of objects", decodeActions(heartbeat.actions ?? initialConfig().heartbeat.actions))
    if (actions.some((action) => action.name === entry.name)) {
      return { line: `${configFile} already has an action named ${entry.name}; left it alone`, write: Effect.void }
    }
    const next = { ...existing, heartbeat: { ...heartbeat, actions: [...actions, entry] } }
    yield* decodeConfig(next)
    const mode = yield* io(`cannot read ${configFile}`, () => fs.stat(configFile).then((stat) => stat.mode & 0o777))
    return { line: `added ${entry.name} to ${configFile}`, write: replaceJson(configFile, next, mode) }
  })

/** `agenc action new NAME [--dir DIR]`: scaffolds a custom action that `heartbeat run NAME` runs at once. */
export const actionNew = (version: string) =>
  Command.make("new", {
    name: Args.text({ name: "NAME" }).pipe(Args.withDescription("the action's name (letters, digits, . _ -)")),
    dir: Options.directory("dir").pipe(Options.withPseudoName("DIR"), Options.withDefault("."), Options.withDescription("folder to write NAME.js (and package.json) into")),
    schedule: Options.text("schedule").pipe(Options.withPseudoName("EXPR"), Options.withDefault("@hourly"), Options.withDescription("its cron schedule in gateway.json")),
    config: configOption
  }, (args) =>
    Effect.gen(function*() {
      if (!/^[A-Za-z0-9._-]+$/.test(args.name)) return yield* CliError.usage(`NAME: "${args.name}" may only have letters, digits, ".", "_" and "-"`)
      const dir = path.resolve(expandHome(args.dir))
      const moduleFile = path.join(dir, `${args.name}.js`)
      const configFile = Option.match(args.config, {
        onNone: () => path.join(agencHome(), "gateway.json"),
        onSome: (file) => path.resolve(expandHome(file))
      })
      // Everything is read and checked first, so that bad input (a module already there, a package.json or
      // gateway.json of the wrong shape) fails with nothing written.
      const taken = yield* io(`cannot read ${moduleFile}`, () => fs.lstat(moduleFile).then(() => true, (cause) => {
        if (errnoCode(cause) === "ENOENT") return false
        throw cause
      }))
      if (taken) return yield* failure(`${moduleFile} already exists; not overwriting it`)
      const pkg = yield* planPackageJson(dir, args.name, version)
      const registration = yield* planRegistration(configFile, { name: args.name, schedule: args.schedule, module: moduleFile, config: { greeting: "hello" } })
      yield* io(`cannot create ${dir}`, () => fs.mkdir(dir, { recursive: true }))
      yield* io(`cannot write ${moduleFile}`, () => fs.writeFile(moduleFile, actionTemplate(args.name), { flag: "wx", mode: 0o644 })).pipe(
        Effect.mapError((error) => error.message.includes("EEXIST") ? failure(`${moduleFile} already exists; not overwriting it`) : error)
      )
      yield* pkg.write
      yield* registration.write
      const lines = [`wrote ${moduleFile}`, ...[pkg.line, registration.line].filter((line) => line !== undefined)]
      lines.push(`try it: agenc heartbeat run ${args.name}`)
      yield* Console.log(lines.join("\n"))
    })
  ).pipe(Command.withDescription("write a custom action module to start from, and register it in gateway.json"))

/** `agenc action`. */
export const actionCommand = (version: string) =>
  Command.make("action").pipe(
    Command.withDescription("scaffold custom heartbeat actions"),
    Command.withSubcommands([actionNew(version)])
  )
