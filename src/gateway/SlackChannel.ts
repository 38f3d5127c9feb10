import type { HttpClient } from "@effect/platform"
import { Effect, Option, Redacted, Schema } from "effect"
import type { ContentField, ContentItem, MessageContent } from "../domain/MessageContent.js"
import { type ChannelPlugin, DeliveryError, type OutboundMessage } from "../services/Gateway.js"
import { answerDecoder, postJson } from "./HttpPost.js"
import { type ChannelThreads, chatChannel, chatWebhookChannel, splitEscaped } from "./MessageParts.js"
import { describeUrl } from "../domain/RedactUrl.js"
import { escapeSlack, fitEscaped, truncate } from "./SafeText.js"

/**
 * Slack truncates a message's `text` beyond 40,000 characters
 * (https://api.slack.com/methods/chat.postMessage#truncating), so longer messages go as several posts.
 */
export const SLACK_TEXT_LIMIT = 40_000

/**
 * Block Kit's limits (https://api.slack.com/reference/block-kit/blocks): 50 blocks per message, 3,000
 * characters of section text, 10 section fields of 2,000 characters, 150 of header text, 10 context elements.
 */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3_000, fields: 10, fieldText: 2_000, header: 150 } as const

/** The `text` that goes next to blocks: what notifications and old clients show. */
const FALLBACK_LIMIT = 3_000

type Block = Record<string, unknown>

const mrkdwn = (text: string) => ({ type: "mrkdwn", text })

const fieldText = (field: ContentField): string =>
  `*${fitEscaped(field.label, 200, escapeSlack)}*\n${fitEscaped(field.value, SLACK_LIMITS.fieldText - 210, escapeSlack)}`

const fieldsLine = (fields: ReadonlyArray<ContentField>): string => fields.map((field) => `${field.label}: ${field.value}`).join("  ·  ")

const itemText = (item: ContentItem): string => {
  // The link is ours (checked http(s), `|` and `>` encoded), the label escaped: no masked link from the action's text.
  const label = fitEscaped(item.text, 1_000, escapeSlack)
  const head = item.link === undefined || item.link.length > 1_500 ? `*${label}*` : `*<${escapeSlack(item.link)}|${label}>*`
  if (item.fields === undefined || item.fields.length === 0) return head
  return `${head}\n${fitEscaped(fieldsLine(item.fields), SLACK_LIMITS.sectionText - head.length - 1, escapeSlack)}`
}

const chunks = <A>(list: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/** The Block Kit blocks of `content`, in order, before they are split into posts of at most 50. */
export const slackBlocks = (content: MessageContent): ReadonlyArray<Block> => [
  { type: "header", text: { type: "plain_text", text: truncate(content.title, SLACK_LIMITS.header), emoji: false } },
  ...chunks(content.fields ?? [], SLACK_LIMITS.fields).map((fields) => ({ type: "section", fields: fields.map((field) => mrkdwn(fieldText(field))) })),
  ...(content.items ?? []).map((item) => ({ type: "section", text: mrkdwn(itemText(item)) })),
  ...(content.note === undefined || content.note === ""
    ? []
    : [{ type: "context", elements: [mrkdwn(fitEscaped(content.note, SLACK_LIMITS.sectionText, escapeSlack))] }])
]

/**
 * The posts for one message: Block Kit with an escaped `text` fallback when the message has content
 * (several posts past 50 blocks, later ones with "(continued)"), else the escaped text alone, split at
 * 40,000 characters. All action text has `&`, `<`, `>` escaped, so no `<!channel>`, `<@U1>` or
 * `<http://evil|ok>` from an action is live.
 */
export const slackBodies = (message: OutboundMessage): ReadonlyArray<Record<string, unknown>> => {
  if (message.content === undefined) return splitEscaped(message.message, SLACK_TEXT_LIMIT, escapeSlack).map((text) => ({ text }))
  const posts = chunks(slackBlocks(message.content), SLACK_LIMITS.blocks)
  return posts.map((blocks, index) => ({
    text: index === 0
      ? fitEscaped(message.message, FALLBACK_LIMIT, escapeSlack)
      : `${fitEscaped(message.content!.title, FALLBACK_LIMIT - 20, escapeSlack)} (continued)`,
    blocks
  }))
}

/** A Slack incoming webhook: `POST url {"text": ..., "blocks": [...]}`. */
export const SlackChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
}): ChannelPlugin =>
  chatWebhookChannel({
    ...options,
    type: "slack",
    target: describeUrl(Redacted.value(options.url)),
    bodies: slackBodies
  })

/** Slack API errors worth another try (https://api.slack.com/methods/chat.postMessage#errors). */
const RETRYABLE_SLACK_ERRORS = new Set(["ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"])

/** Slack answers API calls with HTTP 200 and `{"ok": false, "error"}` on failure; the message's `ts` on success. */
const decodeSlackAnswer = answerDecoder(Schema.Union(
  // A delivered message whose `ts` is missing or odd is still delivered: only threading needs it.
  Schema.Struct({ ok: Schema.Literal(true), ts: Schema.optional(Schema.Unknown) }),
  Schema.Struct({ ok: Schema.Literal(false), error: Schema.String })
))

const slackAnswer = (text: string): Effect.Effect<string | undefined, DeliveryError> => {
  const answer = decodeSlackAnswer(text)
  if (Option.isSome(answer) && answer.value.ok) return Effect.succeed(typeof answer.value.ts === "string" ? answer.value.ts : undefined)
  const error = Option.isSome(answer) && !answer.value.ok ? answer.value.error : "unreadable answer"
  return Effect.fail(new DeliveryError({ message: `Slack: ${error}`, retryable: RETRYABLE_SLACK_ERRORS.has(error) }))
}

/**
 * A Slack bot: `POST {apiBase}/api/chat.postMessage` with `Authorization: Bearer <token>` and the same
 * blocks as the webhook, to `channel`. With `threads`, an action's first message starts its thread and
 * every later one (and every later part) goes in with `thread_ts`.
 */
export const SlackBotChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly token: Redacted.Redacted<string>
  readonly channel: string
  readonly apiBase: string
  readonly threads?: ChannelThreads | undefined
}): ChannelPlugin => {
  const url = `${options.apiBase.replace(/\/+$/, "")}/api/chat.postMessage`
  return chatChannel({
    name: options.name,
    type: "slack",
    target: `${url} (channel ${options.channel})`,
    bodies: slackBodies,
    threads: options.threads,
    post: (body, thread) =>
      postJson(
        options.client,
        url,
        JSON.stringify({ channel: options.channel, ...body, ...(thread === undefined ? {} : { thread_ts: thread }) }),
        { Authorization: `Bearer ${Redacted.value(options.token)}` }
      ).pipe(Effect.flatMap(slackAnswer))
  })
}
