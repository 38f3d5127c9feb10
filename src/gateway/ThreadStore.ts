import { SqlClient } from "@effect/sql"
import { Clock, Effect, Schema } from "effect"
import { rowDecoder } from "../domain/SqlRow.js"

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

// Built once; a value that is not JSON is a CorruptRowError (the attempt fails retryably), never a thrown SyntaxError.
const threadRows = rowDecoder("sessions", Schema.Struct({ value: Schema.parseJson() }))

/** The thread store over the database's `sessions` table. */
export const makeThreadStore = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const store: ThreadStore = {
    get: (action, channel) =>
      sql`SELECT value FROM sessions WHERE action = ${action} AND key = ${threadKey(channel)}`.pipe(
        Effect.flatMap(threadRows.first),
        // A thread id of another shape (a hand-edited session) starts a new thread rather than failing.
        Effect.map((row) => typeof row?.value === "string" ? row.value : undefined)
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
