import type { HttpClient } from "@effect/platform"
import { Redacted } from "effect"
import type { ChannelPlugin } from "../services/Gateway.js"
import { chatWebhookChannel } from "./MessageParts.js"
import { describeUrl } from "./Redactor.js"

/** Discord rejects `content` over 2,000 characters (https://discord.com/developers/docs/resources/webhook#execute-webhook). */
export const DISCORD_CONTENT_LIMIT = 2_000

/**
 * A Discord webhook: `POST url {"content": ..., "allowed_mentions": {"parse": []}}`, one post per 2,000
 * characters. Mentions are disabled so text from an action cannot ping @everyone.
 */
export const DiscordChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
}): ChannelPlugin =>
  chatWebhookChannel({
    ...options,
    type: "discord",
    target: describeUrl(Redacted.value(options.url)),
    limit: DISCORD_CONTENT_LIMIT,
    body: (content) => ({ content, allowed_mentions: { parse: [] } })
  })
