import { Effect, Either } from "effect"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { ConfigError } from "../domain/ConfigError.js"
import type { ActionConfig, HeartbeatConfig } from "../domain/HeartbeatConfig.js"
import type { Registration } from "../services/Scheduler.js"
import { builtinActions } from "./actions/index.js"
import * as CronSchedule from "./CronSchedule.js"
import type { HeartbeatAction } from "./HeartbeatAction.js"

const isAction = (value: unknown): value is HeartbeatAction =>
  typeof value === "object" && value !== null &&
  typeof (value as HeartbeatAction).execute === "function" &&
  typeof (value as HeartbeatAction).name === "string"

/** Imports a custom action module; its default export must be a `HeartbeatAction`. */
export const loadActionModule = (file: string, jsonPath: string): Effect.Effect<HeartbeatAction, ConfigError> =>
  Effect.tryPromise({
    try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
    catch: (cause) => {
      const error = cause as NodeJS.ErrnoException
      return new ConfigError({
        path: jsonPath,
        message: error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(file)
          ? `module ${file} not found`
          : `module ${file} failed to load: ${String(error.message ?? error).split("\n")[0]}`
      })
    }
  }).pipe(Effect.flatMap((module) =>
    isAction(module.default)
      ? Effect.succeed(module.default)
      : Effect.fail(new ConfigError({
        path: jsonPath,
        message: `module ${file} must export default an action ({ name, description, execute })`
      }))
  ))

/**
 * Turns one `heartbeat.actions[i]` entry into a registration: a built-in by name, or a custom action
 * from `module` (relative to the config file's folder).
 */
export const resolveAction = (
  entry: ActionConfig,
  index: number,
  options: { readonly configDir: string; readonly heartbeat: HeartbeatConfig }
): Effect.Effect<Registration, ConfigError> =>
  Effect.gen(function*() {
    const base = `heartbeat.actions[${index}]`
    const action = entry.module !== undefined
      ? yield* loadActionModule(path.resolve(options.configDir, entry.module), `${base}.module`)
      : builtinActions[entry.name]
    if (action === undefined) {
      return yield* Effect.fail(new ConfigError({
        path: `${base}.name`,
        message: `"${entry.name}" is not a built-in action (${Object.keys(builtinActions).join(", ") || "none"}); give a module for a custom one`
      }))
    }
    const timezone = entry.timezone ?? options.heartbeat.timezone
    const schedule = yield* Either.match(CronSchedule.parse(entry.schedule, timezone), {
      onLeft: (message) => Effect.fail(new ConfigError({ path: `${base}.schedule`, message })),
      onRight: Effect.succeed
    })
    return {
      name: entry.name,
      action: entry.description === undefined ? action : { ...action, description: entry.description },
      schedule,
      timeoutMs: entry.timeout,
      overlap: entry.overlap,
      catchUp: entry.catchUp,
      catchUpWindowMs: entry.catchUpWindow,
      channels: entry.channels,
      config: entry.config,
      fingerprint: JSON.stringify({ ...entry, timezone })
    }
  })

/** All enabled actions of the config (none when `heartbeat.enabled` is false). */
export const resolveActions = (heartbeat: HeartbeatConfig, configDir: string): Effect.Effect<ReadonlyArray<Registration>, ConfigError> =>
  heartbeat.enabled
    ? Effect.forEach(
      heartbeat.actions.map((entry, index) => [entry, index] as const).filter(([entry]) => entry.enabled),
      ([entry, index]) => resolveAction(entry, index, { configDir, heartbeat })
    )
    : Effect.succeed([])
