import { Effect, Either, Option } from "effect"
import type { ConfigError } from "../domain/ConfigError.js"
import { agencHome } from "../domain/ConfigPath.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import * as ControlClient from "./ControlClient.js"
import { daemonPaths, type DaemonPaths, defaultDaemonPaths } from "./DaemonPaths.js"
import * as PidFile from "./PidFile.js"
import { decodePingResult } from "./ControlProtocol.js"

/** Where the daemon is, and whether it is provably ours and alive. */
export interface FoundDaemon {
  readonly paths: DaemonPaths
  /** `Running` only for a verified daemon (identity in the PID file, or its own socket answering with the PID). */
  readonly state: PidFile.PidState
  /** The config on disk, when it loads. */
  readonly loaded: Option.Option<LoadedConfig>
  /** Why the config on disk does not load, when it does not. */
  readonly configError: Option.Option<ConfigError>
  /** Whether the paths came from the running daemon's own record rather than from the config. */
  readonly fromRecord: boolean
}

/**
 * A record that names a live process but proves nothing (a bare PID, no start time) is the daemon only if
 * the daemon's socket answers with that very PID.
 */
const confirmBySocket = (state: PidFile.PidState, socket: string): Effect.Effect<PidFile.PidState> => {
  if (state._tag !== "Stale" || state.stale.unverified !== true || state.stale.record === undefined) return Effect.succeed(state)
  const record = state.stale.record
  return ControlClient.requestResult(socket, { op: "ping" }, decodePingResult, { timeoutMs: 3_000 }).pipe(
    Effect.map((answer): PidFile.PidState => answer.ok && answer.result.pid === record.pid ? { _tag: "Running", record } : state),
    Effect.orElseSucceed(() => state)
  )
}

const fromRecord = (home: string, record: PidFile.PidRecord): DaemonPaths | undefined => {
  if (record.pidFile === undefined || record.socket === undefined) return undefined
  const defaults = defaultDaemonPaths(home)
  return { ...defaults, pidFile: record.pidFile, socket: record.socket, logFile: record.logFile ?? defaults.logFile }
}

/**
 * Finds the daemon of `$AGENC_HOME` for `stop`, `restart`, `reload`, `status` and `trigger`: first from
 * what a running daemon recorded (`daemon.json`: its PID file and socket), so a broken or edited
 * `gateway.json` on disk cannot hide it; else from the config's `daemon.*` paths; else, when the config
 * does not load, from the default paths.
 */
export const findDaemon = (config: Option.Option<string>): Effect.Effect<FoundDaemon, PidFile.PidFileError> =>
  Effect.gen(function*() {
    const home = agencHome()
    const load = yield* Effect.either(loadConfig({ file: Option.getOrUndefined(config) }))
    const loaded = Either.getRight(load)
    const configError = Either.getLeft(load)
    const locator = yield* PidFile.inspectLocator(home)
    if (locator._tag === "Running") {
      const paths = fromRecord(home, locator.record)
      if (paths !== undefined) {
        const state = yield* PidFile.inspect(paths.pidFile)
        // The PID file is the authority; the record only says where it is.
        if (state._tag === "Running" && state.record.pid === locator.record.pid) {
          return { paths, state, loaded, configError, fromRecord: true }
        }
      }
    }
    const paths = Option.match(loaded, { onNone: () => defaultDaemonPaths(home), onSome: daemonPaths })
    const state = yield* confirmBySocket(yield* PidFile.inspect(paths.pidFile), paths.socket)
    return { paths, state, loaded, configError, fromRecord: false }
  })
