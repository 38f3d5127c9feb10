import { Effect, Either, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Links } from "../domain/ChannelsConfig.js"
import { ConfigError } from "../domain/ConfigError.js"
import type { ActionConfig, ActiveHoursConfig, FailurePolicyConfig, HeartbeatConfig } from "../domain/HeartbeatConfig.js"
import type { FailurePolicy, Registration } from "../services/Scheduler.js"
import { decodeActionConfig } from "./actions/ActionConfigError.js"
import { builtinActions } from "./actions/index.js"
import * as ActiveHours from "../domain/ActiveHours.js"
import * as CronSchedule from "../domain/CronSchedule.js"
import { effectMismatch } from "./EffectVersion.js"
import type { HeartbeatAction } from "../services/HeartbeatAction.js"
import { importModule } from "./ImportModule.js"
import { errorMessage } from "../domain/DescribeError.js"

/** `module: "agenc:<built-in>"` runs a built-in under the entry's own name (e.g. a second portfolio monitor). */
export const BUILTIN_MODULE_PREFIX = "agenc:"

/** An action's `configSchema` (from `Action.make`): any Schema that needs no services to decode. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const isConfigSchema = (value: unknown): value is Schema.Schema<any, any> => Schema.isSchema(value)

/** A custom module's default export: checked before the scheduler ever calls it. */
const ActionExport = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  execute: Schema.declare((value: unknown): value is HeartbeatAction["execute"] => typeof value === "function"),
  configSchema: Schema.optional(Schema.declare(isConfigSchema))
})
// Built once: `config validate`, every start and every reload check each module's export.
const isActionExport = Schema.is(ActionExport)

/** Why `value` is not an action, or undefined when it is one. */
const shapeProblem = (value: unknown): string | undefined => {
  if (value === undefined) return "has no default export"
  if (typeof value !== "object" || value === null) return `default export is ${value === null ? "null" : typeof value}, not an action object`
  const missing = [
    "name" in value && typeof value.name === "string" ? undefined : "name (string)",
    "description" in value && typeof value.description === "string" ? undefined : "description (string)",
    "execute" in value && typeof value.execute === "function" ? undefined : "execute (function)",
    !("configSchema" in value) || value.configSchema === undefined || Schema.isSchema(value.configSchema) ? undefined : "configSchema (a Schema)"
  ].filter((field) => field !== undefined)
  return missing.length === 0 ? undefined : `default export is not an action: missing ${missing.join(", ")}`
}

/** Imports a custom action module; its default export must be a `HeartbeatAction` (e.g. from `Action.make`). */
export const loadActionModule = (file: string, jsonPath: string): Effect.Effect<HeartbeatAction, ConfigError> =>
  Effect.gen(function*() {
    const fail = (message: string) => Effect.fail(new ConfigError({ path: jsonPath, message: `module ${file} ${message}` }))
    const exists = yield* Effect.promise(() => fs.stat(file).then((stat) => stat.isFile(), () => false))
    if (!exists) return yield* fail("not found")
    const mismatch = effectMismatch(path.dirname(file))
    if (mismatch !== undefined) return yield* fail(mismatch)
    const module = yield* Effect.tryPromise({
      try: () => importModule(pathToFileURL(file).href),
      catch: (cause) => errorMessage(cause).split("\n")[0]
    }).pipe(Effect.catchAll((reason) => fail(`failed to load: ${reason}`)))
    const exported: unknown = module.default
    if (isActionExport(exported)) return exported
    return yield* fail(`${shapeProblem(exported) ?? "default export is not an action"} (use Action.make from the agenc package)`)
  })

/** Checks `config` against the action's schema at load time, so the error names `...config.<field>`. */
const checkConfig = (action: HeartbeatAction, config: Record<string, unknown>, base: string): Effect.Effect<void, ConfigError> => {
  const schema = "configSchema" in action && isConfigSchema(action.configSchema) ? action.configSchema : undefined
  return schema === undefined
    ? Effect.void
    : decodeActionConfig(schema, action.name, config).pipe(
      Effect.mapError((error) =>
        new ConfigError({ path: `${base}.config${error.field === "" ? "" : `.${error.field}`}`, message: error.reason })
      ),
      Effect.asVoid
    )
}

const findAction = (entry: ActionConfig, base: string, configDir: string): Effect.Effect<HeartbeatAction, ConfigError> => {
  const known = Object.keys(builtinActions).join(", ") || "none"
  if (entry.module === undefined) {
    const action = builtinActions[entry.name]
    return action !== undefined ? Effect.succeed(action) : Effect.fail(new ConfigError({
      path: `${base}.name`,
      message: `"${entry.name}" is not a built-in action (${known}); give a module for a custom one`
    }))
  }
  if (entry.module.startsWith(BUILTIN_MODULE_PREFIX)) {
    const action = builtinActions[entry.module.slice(BUILTIN_MODULE_PREFIX.length)]
    return action !== undefined ? Effect.succeed(action) : Effect.fail(new ConfigError({
      path: `${base}.module`,
      message: `"${entry.module}" names no built-in action (${known})`
    }))
  }
  return loadActionModule(path.resolve(configDir, entry.module), `${base}.module`)
}

/**
 * Turns one `heartbeat.actions[i]` entry into a registration: a built-in by name, a built-in under
 * another name (`module: "agenc:task-scan"`), or a custom action from `module` (relative to the config
 * file's folder). An action's `config` is checked against its schema when it has one.
 */
export const resolveAction = (
  entry: ActionConfig,
  index: number,
  options: { readonly configDir: string; readonly heartbeat: HeartbeatConfig; readonly links?: Links | undefined }
): Effect.Effect<Registration, ConfigError> =>
  Effect.gen(function*() {
    const base = `heartbeat.actions[${index}]`
    const action = yield* findAction(entry, base, options.configDir)
    yield* checkConfig(action, entry.config, base)
    const timezone = entry.timezone ?? options.heartbeat.timezone
    const parsed = yield* Either.match(CronSchedule.parse(entry.schedule, timezone), {
      onLeft: (message) => Effect.fail(new ConfigError({ path: `${base}.schedule`, message })),
      onRight: Effect.succeed
    })
    const activeHours = entry.activeHours === undefined ? options.heartbeat.activeHours : entry.activeHours ?? undefined
    const schedule = activeHours === undefined ? parsed : yield* withActiveHours(parsed, activeHours, {
      path: entry.activeHours === undefined ? "heartbeat.activeHours" : `${base}.activeHours`,
      name: entry.activeHours === undefined ? entry.name : undefined,
      timezone
    })
    return {
      name: entry.name,
      action: entry.description === undefined ? action : { ...action, description: entry.description },
      schedule,
      timeoutMs: entry.timeout,
      overlap: entry.overlap,
      catchUp: entry.catchUp,
      catchUpWindowMs: entry.catchUpWindow,
      catchUpMax: entry.catchUpMax,
      onFailure: failurePolicy(entry, options.heartbeat),
      jitterMs: entry.jitter ?? options.heartbeat.jitter,
      missedAlert: entry.missedAlert,
      channels: entry.channels,
      config: entry.config,
      links: options.links,
      fingerprint: JSON.stringify({ ...entry, timezone, activeHours, links: options.links })
    }
  })

/**
 * The schedule limited to the window; the zone defaults to the action's. A window that no slot ever meets
 * is a config error at `path` (naming the action when the window is the heartbeat-wide one).
 */
const withActiveHours = (
  schedule: CronSchedule.CronSchedule,
  config: ActiveHoursConfig,
  where: { readonly path: string; readonly name: string | undefined; readonly timezone: string }
): Effect.Effect<CronSchedule.CronSchedule, ConfigError> =>
  Effect.gen(function*() {
    const timezone = config.timezone ?? where.timezone
    const fail = (message: string) =>
      new ConfigError({ path: where.path, message: where.name === undefined ? message : `${message} (action ${where.name})` })
    const zone = yield* Either.mapLeft(CronSchedule.validateTimezone(timezone), fail)
    const window = yield* Either.mapLeft(ActiveHours.makeWindow({ ...config, timezone, zone }), fail)
    // Whether the window ever meets the schedule does not depend on today: check from a fixed date.
    return yield* Either.mapLeft(CronSchedule.withinActiveHours(schedule, window, CHECK_FROM_MS), fail)
  })

/** 2025-01-01T00:00:00Z: where the "window meets the schedule" check starts. */
const CHECK_FROM_MS = 1_735_689_600_000

/** The action's failure policy over the heartbeat-wide one, key by key; none when neither is set. */
const failurePolicy = (entry: ActionConfig, heartbeat: HeartbeatConfig): FailurePolicy | undefined => {
  if (entry.onFailure === undefined && heartbeat.onFailure === undefined) return undefined
  const pick = <K extends keyof FailurePolicyConfig>(key: K) => entry.onFailure?.[key] ?? heartbeat.onFailure?.[key]
  return {
    alertAfter: pick("alertAfter") ?? 3,
    alertChannels: pick("alertChannels"),
    cooldownMs: pick("cooldown") ?? 3_600_000,
    pauseAfter: pick("pauseAfter"),
    backoff: pick("backoff") ?? false
  }
}

/** All enabled actions of the config (none when `heartbeat.enabled` is false). */
export const resolveActions = (
  heartbeat: HeartbeatConfig,
  configDir: string,
  links?: Links
): Effect.Effect<ReadonlyArray<Registration>, ConfigError> =>
  heartbeat.enabled
    ? Effect.forEach(
      heartbeat.actions.map((entry, index) => [entry, index] as const).filter(([entry]) => entry.enabled),
      ([entry, index]) => resolveAction(entry, index, { configDir, heartbeat, links })
    )
    : Effect.succeed([])
