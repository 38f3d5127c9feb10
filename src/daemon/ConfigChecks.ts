import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Console, Effect, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { channelName, isHeaderValue } from "../domain/ChannelsConfig.js"
import { ConfigError } from "../domain/ConfigError.js"
import { isReadableByOthers, untrustedReason } from "../domain/FileSafety.js"
import { checkSocketPath, daemonPaths } from "./DaemonPaths.js"
import { locatorFile } from "./PidFile.js"
import { makeChannelPlugin } from "../gateway/Channels.js"
import { BUILTIN_MODULE_PREFIX, resolveAction, resolveActions } from "../heartbeat/ActionRegistry.js"
import { agencHome, expandHome, resolvePath } from "../domain/ConfigPath.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import { databaseFile } from "../layers/Database.js"
import { resolveSecret } from "../domain/Secret.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import type { Registration } from "../services/Scheduler.js"

/** A config that works: what `config validate` and `daemon start` accept, with what deserves a word. */
export interface ValidatedConfig {
  readonly loaded: LoadedConfig
  /** The enabled actions, resolved. */
  readonly registrations: ReadonlyArray<Registration>
  /** Not errors: the daemon would run, but the user should know (`path: reason`). */
  readonly warnings: ReadonlyArray<string>
}

const refuse = (reason: string | undefined, jsonPath?: string) =>
  reason === undefined ? Effect.void : Effect.fail(new ConfigError({ path: jsonPath, message: reason }))

/** StrictModes for the home and the config file: ours, and not writable by anyone else. */
export const checkTrust = (file: string | undefined, home: string = agencHome()): Effect.Effect<void, ConfigError> =>
  Effect.gen(function*() {
    yield* refuse(untrustedReason(home))
    const config = file === undefined ? path.join(home, "gateway.json") : path.resolve(expandHome(file))
    yield* refuse(untrustedReason(config))
  })

/** Custom action modules of every entry, enabled or not, must be as trusted as the config: they run as us. */
export const checkModules = (loaded: LoadedConfig) =>
  Effect.forEach(loaded.config.heartbeat.actions, (entry, index) =>
    entry.module === undefined || entry.module.startsWith(BUILTIN_MODULE_PREFIX)
      ? Effect.void
      : refuse(untrustedReason(path.resolve(path.dirname(loaded.file), entry.module)), `heartbeat.actions[${index}].module`), { discard: true })

/** Every action's `channels` must name configured channels. */
const checkActionChannels = (loaded: LoadedConfig) =>
  Effect.gen(function*() {
    const names = loaded.config.channels.map(channelName)
    for (const [index, entry] of loaded.config.heartbeat.actions.entries()) {
      for (const [at, name] of (entry.channels ?? []).entries()) {
        if (!names.includes(name)) {
          yield* new ConfigError({
            path: `heartbeat.actions[${index}].channels[${at}]`,
            message: `no channel named "${name}" (configured: ${names.length === 0 ? "none" : names.join(", ")})`
          })
        }
      }
    }
  })

/** Builds every channel as the gateway does (secrets resolved, URLs parsed), without sending anything. */
const checkChannels = (loaded: LoadedConfig) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    for (const [index, channel] of loaded.config.channels.entries()) {
      yield* makeChannelPlugin(channel, `channels[${index}]`, { home: loaded.home, client, onSecret: () => undefined })
      if (channel.type !== "webhook") continue
      for (const [name, value] of Object.entries(channel.headers)) {
        const resolved = yield* resolveSecret(value, `channels[${index}].headers.${name}`)
        if (!isHeaderValue(Redacted.value(resolved))) {
          yield* new ConfigError({ path: `channels[${index}].headers.${name}`, message: "the value is not a header value (RFC 9110: no CR, LF or control characters)" })
        }
      }
    }
    if (loaded.config.runtime.source === "solana") {
      const url = yield* resolveSecret(loaded.config.runtime.rpcUrl, "runtime.rpcUrl")
      if (!/^https?:\/\//.test(Redacted.value(url)) || !URL.canParse(Redacted.value(url))) {
        yield* new ConfigError({ path: "runtime.rpcUrl", message: "not an http(s) URL" })
      }
    }
  }).pipe(Effect.provide(FetchHttpClient.layer))

/** A key for "the same file": its inode when it exists, else its resolved path. */
const identity = (file: string): string => {
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  return stat === undefined ? path.resolve(file) : `${stat.dev}:${stat.ino}`
}

/** No two of agenc's files may be the same file: a PID file over the config would overwrite it, then delete it. */
const checkCollisions = (loaded: LoadedConfig) =>
  Effect.gen(function*() {
    const { home, config } = loaded
    const db = databaseFile(home)
    const fixed: Array<[string, string]> = [
      [loaded.file, "gateway.json"],
      [db, "agenc.db"],
      [`${db}-wal`, "agenc.db-wal"],
      [`${db}-shm`, "agenc.db-shm"],
      [locatorFile(home), "daemon.json (the running daemon's record)"]
    ]
    const owned: Array<[string, string]> = [
      [resolvePath(home, config.daemon.pidFile), "daemon.pidFile"],
      [resolvePath(home, config.daemon.socket), "daemon.socket"],
      [resolvePath(home, config.daemon.logFile.path), "daemon.logFile"],
      ...config.channels.flatMap((channel, index): Array<[string, string]> =>
        channel.type === "file" ? [[resolvePath(home, channel.path), `channels[${index}].path`]] : [])
    ]
    const seen = new Map<string, { readonly name: string; readonly file: string }>()
    for (const [file, name] of fixed) {
      seen.set(path.resolve(file), { name, file })
      seen.set(identity(file), { name, file })
    }
    for (const [file, name] of owned) {
      const other = seen.get(path.resolve(file)) ?? seen.get(identity(file))
      if (other !== undefined) {
        return yield* new ConfigError({ path: name, message: `${file} is also ${other.name}; each file agenc writes needs a path of its own` })
      }
      seen.set(path.resolve(file), { name, file })
      seen.set(identity(file), { name, file })
    }
  })

const literalSecrets = (loaded: LoadedConfig): boolean => {
  const found: Array<unknown> = []
  const walk = (value: unknown, depth: number): void => {
    if (Redacted.isRedacted(value)) found.push(value)
    else if (typeof value === "object" && value !== null && depth < 16) Object.values(value).forEach((child) => walk(child, depth + 1))
  }
  walk(loaded.config.channels, 0)
  walk(loaded.config.runtime, 0)
  return found.length > 0
}

/**
 * Every check `daemon start` makes, in the order it would fail: the home and the config file are ours
 * and private (StrictModes), the file decodes, modules are trusted and load, every action's config
 * (disabled ones too) decodes, `channels` name configured channels, every channel builds (secrets
 * resolved, URLs parsed), no two files collide, and the control socket can be bound.
 */
export const loadValidated = (config: Option.Option<string>): Effect.Effect<ValidatedConfig, ConfigError> =>
  Effect.gen(function*() {
    const file = Option.getOrUndefined(config)
    yield* checkTrust(file)
    const loaded = yield* loadConfig({ file })
    yield* checkModules(loaded)
    const heartbeat = loaded.config.heartbeat
    const resolved = yield* Effect.forEach(heartbeat.actions, (entry, index) =>
      resolveAction(entry, index, { configDir: path.dirname(loaded.file), heartbeat, links: loaded.config.links }))
    const registrations = heartbeat.enabled ? resolved.filter((_, index) => heartbeat.actions[index]!.enabled) : []
    yield* checkActionChannels(loaded)
    yield* checkChannels(loaded)
    yield* checkCollisions(loaded)
    const socket = checkSocketPath(daemonPaths(loaded).socket, { create: false })
    if (socket !== undefined) return yield* socket
    const warnings: Array<string> = []
    if (loaded.fromFile && isReadableByOthers(loaded.file) && literalSecrets(loaded)) {
      warnings.push(`${loaded.file}: holds secrets and is readable by others (chmod 600 ${loaded.file}, or use {"env": NAME} / {"file": PATH})`)
    }
    return { loaded, registrations, warnings }
  })

/**
 * Loads the config named by `--config` (or the default) and checks what decoding alone cannot: that the
 * home, the file and its modules are ours and private, action modules and schedules. `loadValidated`
 * (`config validate`, `daemon start`) checks everything else too.
 */
export const loadChecked = (config: Option.Option<string>) =>
  Effect.gen(function*() {
    yield* checkTrust(Option.getOrUndefined(config))
    const loaded = yield* loadConfig({ file: Option.getOrUndefined(config) })
    yield* checkModules(loaded)
    const registrations = yield* resolveActions(loaded.config.heartbeat, path.dirname(loaded.file), loaded.config.links)
    return { loaded, registrations }
  })

/** Prints each warning as one `agenc: warning: …` line on stderr. */
export const printWarnings = (warnings: ReadonlyArray<string>) => Effect.forEach(warnings, (warning) => Console.error(`agenc: warning: ${warning}`), { discard: true })
