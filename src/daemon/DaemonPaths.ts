import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { ConfigError } from "../domain/ConfigError.js"
import { LogFileConfig } from "../domain/DaemonConfig.js"
import { DIR_MODE } from "../domain/FileSafety.js"
import { resolvePath } from "../domain/ConfigPath.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"

/** Where the daemon's files are: `daemon.*` paths of `gateway.json`, relative to `$AGENC_HOME`. */
export interface DaemonPaths {
  readonly home: string
  readonly pidFile: string
  /** The path the control socket is bound at: `daemon.socket`, or its short stand-in (see `socketPathFor`). */
  readonly socket: string
  readonly logFile: string
  /** Rotation of `logFile`: its size limit in bytes and how many rotated files are kept. */
  readonly logRotation: { readonly maxSize: number; readonly keep: number }
}

/** The longest path a Unix socket can be bound at on Linux (`sun_path` is 108 bytes, NUL included). */
export const SOCKET_PATH_MAX = 107

/**
 * The path to bind the control socket for `configured`: itself when it fits `sun_path`; otherwise a short
 * stand-in named by a hash of it, in `$XDG_RUNTIME_DIR` or else `/tmp/agenc-UID` (a 0700 folder of ours), so
 * the daemon and every client compute the same one. A stand-in that does not fit either is returned as is,
 * and `checkSocketPath` refuses it.
 */
export const socketPathFor = (configured: string, env: NodeJS.ProcessEnv = process.env): string => {
  if (Buffer.byteLength(configured) <= SOCKET_PATH_MAX) return configured
  const name = `agenc-${crypto.createHash("sha256").update(configured).digest("hex").slice(0, 16)}.sock`
  const runtime = env.XDG_RUNTIME_DIR !== undefined && path.isAbsolute(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : fallbackDir()
  const short = path.join(runtime, name)
  return Buffer.byteLength(short) <= SOCKET_PATH_MAX ? short : configured
}

const fallbackDir = (): string => path.join("/tmp", `agenc-${process.getuid?.() ?? "user"}`)

/** Resolves the daemon's paths for a loaded config. */
export const daemonPaths = (loaded: LoadedConfig): DaemonPaths => ({
  home: loaded.home,
  pidFile: resolvePath(loaded.home, loaded.config.daemon.pidFile),
  socket: socketPathFor(resolvePath(loaded.home, loaded.config.daemon.socket)),
  logFile: resolvePath(loaded.home, loaded.config.daemon.logFile.path),
  logRotation: { maxSize: loaded.config.daemon.logFile.maxSize, keep: loaded.config.daemon.logFile.keep }
})

/** The default paths of `home` (what a daemon started without a `daemon` section uses). */
export const defaultDaemonPaths = (home: string): DaemonPaths => ({
  home,
  pidFile: path.join(home, "gateway.pid"),
  socket: socketPathFor(path.join(home, "gateway.sock")),
  logFile: path.join(home, "logs/gateway.log"),
  logRotation: { maxSize: new LogFileConfig({}).maxSize, keep: new LogFileConfig({}).keep }
})

/**
 * Why the daemon cannot bind its socket at `socket`, or undefined: the path must fit `sun_path`, and what
 * is there already must be a socket of ours (it is removed before binding; anything else is never touched).
 * With `create`, makes the stand-in folder (0700) when the path is one.
 */
export const checkSocketPath = (socket: string, options: { readonly create: boolean }): ConfigError | undefined => {
  const field = "daemon.socket"
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    return new ConfigError({
      path: field,
      message: `${socket} is ${Buffer.byteLength(socket)} bytes, over the ${SOCKET_PATH_MAX}-byte limit of a Unix socket path, and no short stand-in fits either; set a shorter daemon.socket`
    })
  }
  const dir = path.dirname(socket)
  if (options.create && dir === fallbackDir()) {
    try {
      fs.mkdirSync(dir, { mode: DIR_MODE })
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") return new ConfigError({ path: field, message: `cannot create ${dir}: ${errorMessage(error)}` })
    }
    const stat = fs.lstatSync(dir)
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) {
      return new ConfigError({ path: field, message: `${dir} is not a private folder of this user (mode 0700); refusing to put the socket there` })
    }
  }
  const existing = fs.lstatSync(socket, { throwIfNoEntry: false })
  if (existing === undefined) return undefined
  if (!existing.isSocket()) return new ConfigError({ path: field, message: `${socket} exists and is not a socket; not removing it` })
  if (existing.uid !== process.getuid?.()) return new ConfigError({ path: field, message: `${socket} belongs to uid ${existing.uid}; not removing it` })
  return undefined
}

/** Margin over `shutdownGrace` for the steps after draining (closing the gateway and database, removing files). */
const AFTER_DRAIN_MS = 1_500

/** The hard limit of a graceful shutdown: past it the process exits 1 naming the step that hung. */
export const shutdownLimitMs = (shutdownGraceMs: number): number => shutdownGraceMs + AFTER_DRAIN_MS
