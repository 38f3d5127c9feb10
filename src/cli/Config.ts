import { Command } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import * as fs from "node:fs/promises"
import { constants as fsConstants } from "node:fs"
import * as path from "node:path"
import { agencHome, expandHome } from "../domain/ConfigPath.js"
import { decodeConfig, loadConfig } from "../layers/AppConfigFile.js"
import { CliError, ExitCode } from "./CliError.js"
import { loadValidated, printWarnings } from "../daemon/ConfigChecks.js"
import { configOption } from "./Options.js"
import { toJson } from "../domain/Json.js"
import { gatewaySchemaJson, initialConfig, schemaFileName } from "./InitialConfig.js"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"

const validate = Command.make("validate", { config: configOption }, ({ config }) =>
  loadValidated(config).pipe(
    Effect.tap(({ warnings }) => printWarnings(warnings)),
    Effect.zipRight(Console.log("ok"))
  )
).pipe(Command.withDescription("check gateway.json as `daemon start` would: prints ok (exit 0; warnings on stderr), or the JSON path and the reason (exit 78)"))

const init = Command.make("init", { config: configOption }, ({ config }) =>
  Effect.gen(function*() {
    const file = Option.match(config, {
      onNone: () => path.join(agencHome(), "gateway.json"),
      onSome: (file) => path.resolve(expandHome(file))
    })
    const content = initialConfig()
    // What we write must load: a mistake here would greet a new user with a config error.
    yield* decodeConfig(content)
    yield* Effect.tryPromise({
      try: async () => {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
        await fs.writeFile(file, JSON.stringify(content, null, 2) + "\n", { flag: fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, mode: 0o600 })
        // For editors: completion and checking of gateway.json. An existing copy is left alone.
        await fs.writeFile(path.join(path.dirname(file), schemaFileName), gatewaySchemaJson(), { flag: "wx", mode: 0o644 }).catch(() => undefined)
      },
      catch: (cause) =>
        new CliError({
          message: errnoCode(cause) === "EEXIST"
            ? `${file} already exists; not overwriting it`
            : `cannot write ${file}: ${errorMessage(cause)}`,
          code: ExitCode.failure
        })
    })
    yield* Console.log(file)
  })
).pipe(Command.withDescription("write a starter gateway.json with the keys you are likely to change, and its JSON Schema (never overwrites)"))

const show = Command.make("show", { config: configOption }, ({ config }) =>
  loadConfig({ file: Option.getOrUndefined(config) }).pipe(
    // Secrets are `Redacted` after decoding and print as "<redacted>".
    Effect.flatMap((loaded) =>
      Console.log(toJson(loaded.config, 2))
    )
  )
).pipe(Command.withDescription("print the effective config (defaults filled in, secrets redacted)"))

const schema = Command.make("schema", {}, () =>
  Console.log(gatewaySchemaJson().trimEnd())
).pipe(Command.withDescription("print the JSON Schema of gateway.json, for editors"))

/** `agenc config`. */
export const configCommand = Command.make("config").pipe(
  Command.withDescription("create, check and inspect gateway.json"),
  Command.withSubcommands([validate, init, show, schema])
)
