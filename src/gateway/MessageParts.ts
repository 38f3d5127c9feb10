import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { type ChannelPlugin, type Delivery, DeliveryError, type OutboundMessage } from "../services/Gateway.js"
import { postJson } from "./HttpPost.js"
import { cleanMessage } from "./SafeText.js"
import type { ThreadStore } from "./ThreadStore.js"

/**
 * Splits `text` into parts of at most `limit` UTF-16 units (what JS, Discord and Telegram count), breaking
 * after the last newline, else the last space, in the second half of a part; never inside a surrogate pair.
 */
export const splitText = (text: string, limit: number): ReadonlyArray<string> => {
  const parts: Array<string> = []
  let rest = text
  while (rest.length > limit) {
    let cut = limit
    const window = rest.slice(0, limit)
    const newline = window.lastIndexOf("\n")
    const space = window.lastIndexOf(" ")
    if (newline >= limit / 2) cut = newline + 1
    else if (space >= limit / 2) cut = space + 1
    else if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1
    parts.push(rest.slice(0, cut).trimEnd() || rest.slice(0, cut))
    rest = rest.slice(cut)
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest)
  return parts
}

/**
 * Splits `text` so that each part, once escaped, is at most `limit` characters: the raw text is split,
 * and a part whose escaping grew it past the limit is split again, smaller; no escape is cut in half.
 */
export const splitEscaped = (text: string, limit: number, escape: (text: string) => string): ReadonlyArray<string> =>
  splitText(text, limit).flatMap((part) => {
    const escaped = escape(part)
    if (escaped.length <= limit) return [escaped]
    return splitEscaped(part, Math.max(1, Math.floor(limit * part.length / escaped.length) - 1), escape)
  })

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

/**
 * Posts `parts` in order from `delivery.partsDone`, recording each as it lands, so a retry after a
 * failure in the middle resumes where it stopped instead of posting the first parts again.
 */
export const deliverParts = <A, E>(
  delivery: Delivery,
  parts: ReadonlyArray<A>,
  post: (part: A) => Effect.Effect<void, E>
): Effect.Effect<void, E> =>
  Effect.forEach(parts.slice(delivery.partsDone), (part, index) =>
    post(part).pipe(Effect.zipRight(delivery.savePartsDone(delivery.partsDone + index + 1))), { discard: true })

/** A channel's handle on the thread store: the thread of `action` on this channel, and saving it. */
export interface ChannelThreads {
  readonly store: ThreadStore
  readonly channel: string
}

/**
 * A chat channel: the message, cleaned of control characters, rendered by `bodies` into one or more posts
 * (split at the platform's limits), each handed to `post` in order. With `threads`, the action's thread
 * id (from its session) goes to every post; a post made with none answers with the id of the thread it
 * started, which is saved before the next post, so the rest of the message and every later one follow it.
 */
export const chatChannel = <B>(options: {
  readonly name: string
  readonly type: string
  readonly target: string
  readonly bodies: (message: OutboundMessage) => ReadonlyArray<B>
  readonly post: (body: B, thread: string | undefined, message: OutboundMessage) => Effect.Effect<string | undefined, DeliveryError>
  readonly threads?: ChannelThreads | undefined
}): ChannelPlugin => ({
  name: options.name,
  type: options.type,
  send: (delivery) =>
    Effect.gen(function*() {
      const message = cleanMessage(delivery.message)
      const threads = options.threads
      const storeFailed = (error: { readonly message: string }) =>
        new DeliveryError({ message: `thread store: ${error.message}`, retryable: true })
      let thread = threads === undefined ? undefined : yield* threads.store.get(message.action, threads.channel).pipe(Effect.mapError(storeFailed))
      yield* deliverParts(delivery, options.bodies(message), (body) =>
        Effect.gen(function*() {
          const started = yield* options.post(body, thread, message)
          if (threads !== undefined && thread === undefined && started !== undefined) {
            yield* threads.store.set(message.action, threads.channel, started).pipe(Effect.mapError(storeFailed))
            thread = started
          }
        }))
    }),
  health: Effect.succeed({ healthy: true, target: options.target })
})

/** A chat platform's incoming webhook: each rendered body POSTed to `url` as JSON. */
export const chatWebhookChannel = (options: {
  readonly name: string
  readonly type: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
  readonly target: string
  readonly bodies: (message: OutboundMessage) => ReadonlyArray<unknown>
}): ChannelPlugin =>
  chatChannel({
    ...options,
    post: (body) => postJson(options.client, Redacted.value(options.url), JSON.stringify(body)).pipe(Effect.as(undefined))
  })
