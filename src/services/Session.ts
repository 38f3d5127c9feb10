import { Context, Effect, Option, Schema } from "effect"
import type { StateError, StateStoreService } from "./StateStore.js"

/** An action's own persisted key-value state, isolated from every other action's. */
export interface SessionService {
  readonly action: string
  readonly get: (key: string) => Effect.Effect<Option.Option<unknown>, StateError>
  /** Reads a key and decodes it; a value that no longer decodes reads as absent. */
  readonly getAs: <A, I>(key: string, schema: Schema.Schema<A, I>) => Effect.Effect<Option.Option<A>, StateError>
  readonly set: (key: string, value: unknown) => Effect.Effect<void, StateError>
  readonly delete: (key: string) => Effect.Effect<void, StateError>
  readonly keys: (prefix?: string) => Effect.Effect<ReadonlyArray<string>, StateError>
}

/** The running action's session, provided to its Effect by the scheduler. */
export class Session extends Context.Tag("agenc/Session")<Session, SessionService>() {}

/** A session over the state store, scoped to one action. */
export const makeSession = (store: StateStoreService, action: string): SessionService => ({
  action,
  get: (key) => store.sessionGet(action, key),
  getAs: (key, schema) =>
    store.sessionGet(action, key).pipe(
      Effect.map(Option.flatMap((value) => Option.getRight(Schema.decodeUnknownEither(schema)(value))))
    ),
  set: (key, value) => store.sessionSet(action, key, value),
  delete: (key) => store.sessionDelete(action, key),
  keys: (prefix) => store.sessionKeys(action, prefix)
})
