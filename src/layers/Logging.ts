import { Context, Effect, FiberRef, HashSet, Layer, Logger, LogLevel, Option } from "effect"
import type { LogConfig } from "../domain/LogConfig.js"

/** The one set of level names, for `log.level` and `--log-level` alike; `warn` is an alias of `warning`. */
export const LEVELS = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  warning: LogLevel.Warning,
  error: LogLevel.Error
} as const

export type LevelName = keyof typeof LEVELS

/** Parses a level name (case-insensitive), or says which names there are. */
export const parseLevel = (input: string): Option.Option<LogLevel.LogLevel> =>
  Option.fromNullable(LEVELS[input.toLowerCase() as LevelName]) // cast: a lookup by the user's word; an unknown level reads undefined and is reported

/** `--log-level` when given on the command line: it wins over `log.level` in every layer built below it. */
export class LogLevelOverride extends Context.Reference<LogLevelOverride>()("agenc/LogLevelOverride", {
  defaultValue: () => Option.none<LogLevel.LogLevel>()
}) {}

/** Whether logs should be JSON lines: not a terminal, or under journald (`JOURNAL_STREAM`). */
export const wantsJson = (format: LogConfig["format"], env: NodeJS.ProcessEnv = process.env): boolean =>
  format === "json" || (format === "auto" && (process.stderr.isTTY !== true || env.JOURNAL_STREAM !== undefined))

/** Logs go to stderr (stdout belongs to the console channel and to command output), at the configured level. */
export const Logging = (log: Pick<LogConfig, "level" | "format">) =>
  Layer.unwrapEffect(Effect.map(LogLevelOverride, (override) =>
    Layer.merge(
      // Exactly this logger: a Logging layer inside another one (a command's inside the CLI's) replaces it.
      Layer.locallyScoped(
        FiberRef.currentLoggers,
        HashSet.make(
          wantsJson(log.format)
            ? Logger.withConsoleError(Logger.jsonLogger)
            : Logger.prettyLogger({ stderr: true, colors: process.stderr.isTTY === true && (process.env.NO_COLOR ?? "") === "" })
        )
      ),
      Logger.minimumLogLevel(Option.getOrElse(override, () => LEVELS[log.level]))
    )))
