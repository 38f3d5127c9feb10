import type { HttpClient } from "@effect/platform"
import { Redacted } from "effect"
import type { ChannelPlugin } from "../services/Gateway.js"
import { chatWebhookChannel } from "./MessageParts.js"
import { describeUrl } from "./Redactor.js"

/**
 * Slack truncates a message's `text` beyond 40,000 characters
 * (https://api.slack.com/methods/chat.postMessage#truncating), so longer messages go as several posts.
 */
export const SLACK_TEXT_LIMIT = 40_000

/** A Slack incoming webhook: `POST url {"text": ...}`. */
export const SlackChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
}): ChannelPlugin =>
  chatWebhookChannel({
    ...options,
    type: "slack",
    target: describeUrl(Redacted.value(options.url)),
    limit: SLACK_TEXT_LIMIT,
    body: (text) => ({ text })
  })
