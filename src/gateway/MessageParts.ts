import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import type { ChannelPlugin, Delivery } from "../services/Gateway.js"
import { postJson } from "./HttpPost.js"

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

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

/**
 * Posts `parts` in order from `delivery.partsDone`, recording each as it lands, so a retry after a
 * failure in the middle resumes where it stopped instead of posting the first parts again.
 */
export const deliverParts = <E>(
  delivery: Delivery,
  parts: ReadonlyArray<string>,
  post: (part: string) => Effect.Effect<void, E>
): Effect.Effect<void, E> =>
  Effect.forEach(parts.slice(delivery.partsDone), (part, index) =>
    post(part).pipe(Effect.zipRight(delivery.savePartsDone(delivery.partsDone + index + 1))), { discard: true })

/**
 * A chat platform's incoming webhook: the message split at the platform's `limit`, each part POSTed to
 * `url` as the JSON `body(part)`. `target` describes the URL for `status` without its token.
 */
export const chatWebhookChannel = (options: {
  readonly name: string
  readonly type: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
  readonly target: string
  readonly limit: number
  readonly body: (part: string) => unknown
}): ChannelPlugin => ({
  name: options.name,
  type: options.type,
  send: (delivery) =>
    deliverParts(delivery, splitText(delivery.message.message, options.limit), (part) =>
      postJson(options.client, Redacted.value(options.url), JSON.stringify(options.body(part)))),
  health: Effect.succeed({ healthy: true, target: options.target })
})
