import { Effect } from "effect"
import * as path from "node:path"
import type { ConfigError } from "../domain/ConfigError.js"
import { resolveAction } from "../heartbeat/ActionRegistry.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import type { Registration } from "../services/Scheduler.js"

/**
 * Every configured action in the file's order, disabled ones too (`enabled: false`, or all when
 * `heartbeat.enabled` is false): `heartbeat list` shows what is configured, not only what runs.
 */
export const listedActions = (
  loaded: LoadedConfig,
  registrations: ReadonlyArray<Registration>
): Effect.Effect<ReadonlyArray<{ readonly registration: Registration; readonly enabled: boolean }>, ConfigError> => {
  const heartbeat = loaded.config.heartbeat
  return Effect.forEach(heartbeat.actions, (entry, index): Effect.Effect<{ readonly registration: Registration; readonly enabled: boolean }, ConfigError> => {
    const running = registrations.find((registration) => registration.name === entry.name)
    return running !== undefined
      ? Effect.succeed({ registration: running, enabled: true })
      : Effect.map(
        resolveAction(entry, index, { configDir: path.dirname(loaded.file), heartbeat, links: loaded.config.links }),
        (registration) => ({ registration, enabled: false })
      )
  })
}
