import { resolvePath } from "../layers/AppConfigFile.js"
import type { LoadedConfig } from "../services/AppConfig.js"

/** Where the daemon's files are: `daemon.*` paths of `gateway.json`, relative to `$AGENC_HOME`. */
export interface DaemonPaths {
  readonly home: string
  readonly pidFile: string
  readonly socket: string
  readonly logFile: string
  /** Rotation of `logFile`: its size limit in bytes and how many rotated files are kept. */
  readonly logRotation: { readonly maxSize: number; readonly keep: number }
}

/** Resolves the daemon's paths for a loaded config. */
export const daemonPaths = (loaded: LoadedConfig): DaemonPaths => ({
  home: loaded.home,
  pidFile: resolvePath(loaded.home, loaded.config.daemon.pidFile),
  socket: resolvePath(loaded.home, loaded.config.daemon.socket),
  logFile: resolvePath(loaded.home, loaded.config.daemon.logFile.path),
  logRotation: { maxSize: loaded.config.daemon.logFile.maxSize, keep: loaded.config.daemon.logFile.keep }
})

/** Margin over `shutdownGrace` for the steps after draining (closing the gateway and database, removing files). */
const AFTER_DRAIN_MS = 1_500

/** The hard limit of a graceful shutdown: past it the process exits 1 naming the step that hung. */
export const shutdownLimitMs = (shutdownGraceMs: number): number => shutdownGraceMs + AFTER_DRAIN_MS
