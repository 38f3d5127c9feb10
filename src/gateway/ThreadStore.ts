import { SqlClient } from "@effect/sql"
import { Clock, Effect } from "effect"

/** Session key under which a channel keeps the thread of an action's messages. */
export const threadKey = (channel: string): string => `threads/${channel}`

/**
 * Where a threaded channel keeps the id of each action's thread: in the action's session (the `sessions`
 * table the `Session` service reads), so a restart posts into the same thread. A failure to read or
 * write it fails the attempt retryably, like a network error.
 */
export interface ThreadStore {
  readonly get: (action: string, channel: string) => Effect.Effect<string | undefined, { readonly message: string }>
  readonly set: (action: string, channel: string, thread: string) => Effect.Effect<void, { readonly message: string }>
}

/** The thread store over the database's `sessions` table. */
export const makeThreadStore = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const store: ThreadStore = {
    get: (action, channel) =>
      sql<{ value: string }>`SELECT value FROM sessions WHERE action = ${action} AND key = ${threadKey(channel)}`.pipe(
        Effect.map(([row]) => {
          const value: unknown = row === undefined ? undefined : JSON.parse(row.value)
          return typeof value === "string" ? value : undefined
        })
      ),
    set: (action, channel, thread) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* sql`INSERT INTO sessions (action, key, value, updated_at) VALUES (${action}, ${threadKey(channel)}, ${JSON.stringify(thread)}, ${now})
          ON CONFLICT (action, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
      })
  }
  return store
})
