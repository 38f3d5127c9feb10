import { Effect, Option } from "effect"
import type { GatewayService, OutboundMessage } from "../services/Gateway.js"
import type { StateStoreService } from "../services/StateStore.js"

/**
 * A state store for `heartbeat run --dry-run`: reads see the real store with this run's own writes laid
 * over it; nothing is written (no session update, no ledger record).
 */
export const dryRunStore = (store: StateStoreService): StateStoreService => {
  // action \0 key -> the value written in this run, or none for a delete
  const overlay = new Map<string, Option.Option<unknown>>()
  const slot = (action: string, key: string) => `${action}\0${key}`
  return {
    // Reads go to the real store; every write is answered without touching it.
    ...store,
    recordRun: () => Effect.succeed(false),
    claim: () => Effect.succeed({ _tag: "Claimed", id: 0 }),
    finish: () => Effect.void,
    releaseAbandoned: Effect.succeed(0),
    pause: (pause) => Effect.succeed({ created: false, pause }),
    resume: () => Effect.succeed(Option.none()),
    sessionGet: (action, key) => {
      const written = overlay.get(slot(action, key))
      return written === undefined ? store.sessionGet(action, key) : Effect.succeed(written)
    },
    sessionSet: (action, key, value) =>
      // Stored values go through JSON; so do these, so the run sees what a real run would read back.
      Effect.sync(() => void overlay.set(slot(action, key), Option.some(JSON.parse(JSON.stringify(value) ?? "null")))),
    sessionDelete: (action, key) => Effect.sync(() => void overlay.set(slot(action, key), Option.none())),
    sessionKeys: (action, prefix = "") =>
      Effect.map(store.sessionKeys(action, prefix), (stored) => {
        const keys = new Set(stored)
        for (const [entry, value] of overlay) {
          const [owner, key = ""] = entry.split("\0")
          if (owner !== action || !key.startsWith(prefix)) continue
          if (Option.isSome(value)) keys.add(key)
          else keys.delete(key)
        }
        return [...keys].sort()
      })
  }
}

/** A gateway for dry runs: records what an action sends itself and delivers nothing. */
export const dryRunGateway = (channels: ReadonlyArray<string>, sent: Array<OutboundMessage>): GatewayService => ({
  channels,
  send: (message) => Effect.sync(() => (sent.push(message), [])),
  pending: () => Effect.succeed(0),
  status: Effect.succeed([]),
  flush: Effect.succeed(0)
})
