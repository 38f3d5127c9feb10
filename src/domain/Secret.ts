import { Effect, Redacted, Schema } from "effect"
import * as fs from "node:fs/promises"
import { ConfigError } from "./ConfigError.js"
import { errorMessage } from "./DescribeError.js"

/**
 * A secret in `gateway.json`: the value itself, `{"env": "NAME"}` (read from the environment) or
 * `{"file": "/path"}` (read from a file, trailing newline dropped). Literal values decode to `Redacted`
 * so they print as `<redacted>` in logs and in `config show`.
 */
export const Secret = Schema.Union(
  Schema.Redacted(Schema.NonEmptyString),
  Schema.Struct({ env: Schema.NonEmptyString }),
  Schema.Struct({ file: Schema.NonEmptyString })
).annotations({ description: "a secret value, or {\"env\": NAME}, or {\"file\": PATH}" })

export type Secret = typeof Secret.Type

/** Reads the secret's value; `path` names the config field in the error. */
export const resolveSecret = (secret: Secret, path: string): Effect.Effect<Redacted.Redacted<string>, ConfigError> => {
  if (Redacted.isRedacted(secret)) return Effect.succeed(secret)
  if ("env" in secret) {
    const value = process.env[secret.env]
    return value === undefined || value === ""
      ? Effect.fail(new ConfigError({ path, message: `environment variable ${secret.env} is not set` }))
      : Effect.succeed(Redacted.make(value))
  }
  return Effect.tryPromise({
    try: () => fs.readFile(secret.file, "utf8"),
    catch: (cause) => new ConfigError({ path, message: `cannot read secret file ${secret.file}: ${errorMessage(cause)}` })
  }).pipe(Effect.map((text) => Redacted.make(text.replace(/\r?\n$/, ""))))
}
