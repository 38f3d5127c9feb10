import { Layer, Logger, LogLevel } from "effect"
import type { LogConfig } from "../domain/LogConfig.js"

const LEVELS = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error
} as const

/** Whether logs should be JSON lines: not a terminal, or under journald (`JOURNAL_STREAM`). */
export const wantsJson = (format: LogConfig["format"], env: NodeJS.ProcessEnv = process.env): boolean =>
  format === "json" || (format === "auto" && (process.stderr.isTTY !== true || env.JOURNAL_STREAM !== undefined))

/** Logs go to stderr (stdout belongs to the console channel and to command output), at the configured level. */
export const Logging = (log: LogConfig) =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      wantsJson(log.format)
        ? Logger.withConsoleError(Logger.jsonLogger)
        : Logger.prettyLogger({ stderr: true, colors: "auto" })
    ),
    Logger.minimumLogLevel(LEVELS[log.level])
  )
