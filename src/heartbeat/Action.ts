/**
 * Defining and composing heartbeat actions as Effect programs: `Action.make` turns a config schema
 * and an Effect into a `HeartbeatAction`; `all`, `when`, `map`, `withConfig` and `named` build new
 * actions from existing ones (built-ins included), so a custom action is a few lines of composition.
 */
import { Data, Effect, Either, type Schema } from "effect"
import { dual } from "effect/Function"
import type { ContentItem, MessageContent, Severity } from "../domain/MessageContent.js"
import { Session, type SessionService } from "../services/Session.js"
import { type ActionConfigError, decodeActionConfig } from "./actions/ActionConfigError.js"
import { describeError } from "../domain/DescribeError.js"
import {
  type HeartbeatAction,
  type HeartbeatContext,
  type HeartbeatResult,
  type HeartbeatServices,
  quiet
} from "../services/HeartbeatAction.js"

/** What a defined action's `run` sees: the run's context with `config` decoded by the action's schema. */
export interface ActionContext<C> extends Omit<HeartbeatContext, "config"> {
  readonly config: C
  /** `config` as written in `gateway.json`. */
  readonly rawConfig: Record<string, unknown>
}

/** A `HeartbeatAction` that also carries its config schema, so `agenc config validate` can check `config` up front. */
export interface DefinedAction<E = unknown> extends HeartbeatAction<E> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly configSchema?: Schema.Schema<any, any> | undefined
}

/** Defines an action from a name, a description, an optional config schema and an Effect program. */
export const make = <E, C = Record<string, unknown>, CI = Record<string, unknown>>(options: {
  readonly name: string
  readonly description: string
  /** Decodes `config` from `gateway.json`; unknown keys are an error. Without it, `config` is passed as written. */
  readonly config?: Schema.Schema<C, CI> | undefined
  readonly run: (context: ActionContext<C>) => Effect.Effect<HeartbeatResult, E, HeartbeatServices>
}): DefinedAction<E | ActionConfigError> => ({
  name: options.name,
  description: options.description,
  configSchema: options.config,
  execute: (context) =>
    (options.config === undefined
      ? Effect.succeed(context.config as C) // cast: without a config schema C is Record<string, unknown>, which the registry decoded the config to
      : decodeActionConfig(options.config, context.action, context.config)).pipe(
        Effect.flatMap((config) => options.run({ ...context, config, rawConfig: context.config }))
      )
})

/** One or more actions of `Action.all` failed; the others' results were not sent. */
export class ComposedActionError extends Data.TaggedError("ComposedActionError")<{
  readonly failures: ReadonlyArray<{ readonly action: string; readonly error: unknown }>
}> {
  override get message(): string {
    return this.failures.map(({ action, error }) => `${action} failed: ${describeError(error)}`).join("; ")
  }
}

/**
 * A view of `session` under `prefix`: a child of a composed action keeps its keys apart from its
 * siblings' (two task scans in one composition must not share their "announced" sets).
 */
export const scopeSession = (session: SessionService, prefix: string): SessionService => ({
  action: `${session.action}/${prefix}`,
  get: (key) => session.get(`${prefix}/${key}`),
  getAs: (key, schema) => session.getAs(`${prefix}/${key}`, schema),
  set: (key, value) => session.set(`${prefix}/${key}`, value),
  delete: (key) => session.delete(`${prefix}/${key}`),
  keys: (keyPrefix = "") =>
    Effect.map(session.keys(`${prefix}/${keyPrefix}`), (keys) => keys.map((key) => key.slice(prefix.length + 1)))
})

/** Runs `action` as a child of a composition: its own session scope and name (`combo/task-scan`), the composition's context otherwise. */
const runChild = <E>(action: HeartbeatAction<E>, context: HeartbeatContext) => {
  const session = scopeSession(context.session, action.name)
  return action.execute({ ...context, action: `${context.action}/${action.name}`, session }).pipe(Effect.provideService(Session, session))
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, alert: 2 }

/**
 * The content of a composition: one notifying child's content as it is; several children's as one list
 * (each child's title, then its items), with the highest severity; none when no child gave content.
 */
const mergeContent = (results: ReadonlyArray<HeartbeatResult>): MessageContent | undefined => {
  if (results.every((result) => result.content === undefined)) return undefined
  if (results.length === 1) return results[0]!.content
  const severity = results.reduce<Severity>((worst, result) => {
    const next = result.content?.severity ?? "info"
    return SEVERITY_RANK[next] > SEVERITY_RANK[worst] ? next : worst
  }, "info")
  const items = results.flatMap((result): ReadonlyArray<ContentItem> =>
    result.content === undefined
      ? [{ text: result.message! }]
      : [{ text: result.content.title, fields: result.content.fields }, ...(result.content.items ?? [])]
  )
  return { title: `${results.length} updates`, severity, items }
}

/**
 * Runs every action in order and merges their results: it notifies if any notifies, with the
 * notifying messages joined by a blank line (and their contents merged into one list); `metadata` holds each child's result under its name.
 * Each child keeps its own session state. If any child fails, all still run and the composition
 * fails with `ComposedActionError` naming each failure (a failed run in the ledger).
 */
export const all = <E>(
  actions: ReadonlyArray<HeartbeatAction<E>>,
  options: { readonly name?: string | undefined; readonly description?: string | undefined } = {}
): HeartbeatAction<ComposedActionError> => ({
  name: options.name ?? actions.map((action) => action.name).join("+"),
  description: options.description ?? `runs ${actions.map((action) => action.name).join(", ")} and merges their results`,
  execute: (context) =>
    Effect.gen(function*() {
      const results = yield* Effect.forEach(actions, (action) => Effect.either(runChild(action, context)))
      const failures = results.flatMap((result, index) =>
        Either.isLeft(result) ? [{ action: actions[index]!.name, error: result.left }] : []
      )
      if (failures.length > 0) return yield* Effect.fail(new ComposedActionError({ failures }))
      const successes = results.map((result) => Either.getOrThrow(result))
      const notifying = successes.filter((result) => result.shouldNotify && result.message !== undefined && result.message.trim() !== "")
      const messages = notifying.map((result) => result.message!)
      const metadata = Object.fromEntries(successes.map((result, index) => [actions[index]!.name, result]))
      return {
        shouldNotify: messages.length > 0,
        message: messages.length > 0 ? messages.join("\n\n") : undefined,
        content: mergeContent(notifying),
        metadata
      }
    })
})

/** The action runs only when `predicate` holds; otherwise the run is quiet (`metadata.skipped`). */
export const when: {
  <E2>(predicate: (context: HeartbeatContext) => boolean | Effect.Effect<boolean, E2, HeartbeatServices>): <E>(action: HeartbeatAction<E>) => HeartbeatAction<E | E2>
  <E, E2>(action: HeartbeatAction<E>, predicate: (context: HeartbeatContext) => boolean | Effect.Effect<boolean, E2, HeartbeatServices>): HeartbeatAction<E | E2>
} = dual(2, <E, E2>(
  action: HeartbeatAction<E>,
  predicate: (context: HeartbeatContext) => boolean | Effect.Effect<boolean, E2, HeartbeatServices>
): HeartbeatAction<E | E2> => ({
  ...action,
  execute: (context) => {
    const verdict = predicate(context)
    return (typeof verdict === "boolean" ? Effect.succeed(verdict) : verdict).pipe(
      Effect.flatMap((run): Effect.Effect<HeartbeatResult, E | E2, HeartbeatServices> =>
        run ? action.execute(context) : Effect.succeed(quiet({ skipped: "condition not met" }))
      )
    )
  }
}))

/** Transforms an action's result (rewrite the message, drop a notification, add metadata). */
export const map: {
  (f: (result: HeartbeatResult, context: HeartbeatContext) => HeartbeatResult): <E>(action: HeartbeatAction<E>) => HeartbeatAction<E>
  <E>(action: HeartbeatAction<E>, f: (result: HeartbeatResult, context: HeartbeatContext) => HeartbeatResult): HeartbeatAction<E>
} = dual(2, <E>(
  action: HeartbeatAction<E>,
  f: (result: HeartbeatResult, context: HeartbeatContext) => HeartbeatResult
): HeartbeatAction<E> => ({
  ...action,
  execute: (context) => Effect.map(action.execute(context), (result) => f(result, context))
}))

/**
 * Runs `action` with its own config instead of the entry's: a fixed object, or one derived from the
 * entry's `config` (e.g. `(config) => config.scan`), so a composition can pass each child its part.
 */
export const withConfig: {
  (config: Record<string, unknown> | ((config: Record<string, unknown>) => unknown)): <E>(action: HeartbeatAction<E>) => HeartbeatAction<E>
  <E>(action: HeartbeatAction<E>, config: Record<string, unknown> | ((config: Record<string, unknown>) => unknown)): HeartbeatAction<E>
} = dual(2, <E>(
  action: HeartbeatAction<E>,
  config: Record<string, unknown> | ((config: Record<string, unknown>) => unknown)
): DefinedAction<E> => ({
  ...action,
  // The entry's config is no longer what the action decodes.
  configSchema: undefined,
  execute: (context) =>
    action.execute({
      ...context,
      config: (typeof config === "function" ? config(context.config) ?? {} : config) as Record<string, unknown> // cast: the derived config is the caller's own object; the child action decodes it with its schema
    })
}))

/** The same action under another name and description (the name also scopes its session inside `all`). */
export const named: {
  (name: string, description?: string): <E>(action: HeartbeatAction<E>) => HeartbeatAction<E>
  <E>(action: HeartbeatAction<E>, name: string, description?: string): HeartbeatAction<E>
} = dual((args) => typeof args[0] === "object", <E>(action: HeartbeatAction<E>, name: string, description?: string): HeartbeatAction<E> => ({
  ...action,
  name,
  description: description ?? action.description
}))
