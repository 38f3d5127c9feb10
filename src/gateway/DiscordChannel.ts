import type { HttpClient } from "@effect/platform"
import { Effect, Option, Redacted, Schema } from "effect"
import type { ContentField, ContentItem, MessageContent, Severity } from "../domain/MessageContent.js"
import { type ChannelPlugin, DeliveryError, type OutboundMessage } from "../services/Gateway.js"
import { answerDecoder, postJson } from "./HttpPost.js"
import { type ChannelThreads, chatChannel, chatWebhookChannel, splitEscaped } from "./MessageParts.js"
import { describeUrl } from "../domain/RedactUrl.js"
import { escapeDiscord, fitEscaped, truncate } from "./SafeText.js"

/** Discord rejects `content` over 2,000 characters (https://discord.com/developers/docs/resources/webhook#execute-webhook). */
export const DISCORD_CONTENT_LIMIT = 2_000

/**
 * Embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits): title
 * 256, description 4,096, 25 fields of name 256 and value 1,024, footer 2,048, and 6,000 in all.
 */
export const DISCORD_LIMITS = { title: 256, description: 4_096, fields: 25, fieldName: 256, fieldValue: 1_024, footer: 2_048, total: 6_000 } as const

/** The embed's side colour by severity: blurple, yellow, red. */
export const SEVERITY_COLOURS: Record<Severity, number> = { info: 0x5865f2, warning: 0xfee75c, alert: 0xed4245 }

const NO_MENTIONS: { readonly parse: ReadonlyArray<string> } = { parse: [] }

/** What Discord answers a `?wait=true` post that opened a thread: the message, whose `channel_id` is the thread. */
const decodeCreatedThread = answerDecoder(Schema.Struct({ channel_id: Schema.String }))

type Embed = {
  title?: string
  description?: string
  color: number
  fields?: Array<{ name: string; value: string; inline: boolean }>
  footer?: { text: string }
}

const fieldsLine = (fields: ReadonlyArray<ContentField>): string => fields.map((field) => `${field.label}: ${field.value}`).join(" · ")

const itemText = (item: ContentItem): string => {
  const label = fitEscaped(item.text, 1_000, escapeDiscord)
  // The only masked link is ours: a checked http(s) URL, its `)` encoded, around escaped text.
  const head = item.link === undefined || item.link.length > 1_000 ? `**${label}**` : `**[${label}](${item.link})**`
  if (item.fields === undefined || item.fields.length === 0) return head
  return `${head}\n${fitEscaped(fieldsLine(item.fields), 2_000, escapeDiscord)}`
}

const embedSize = (embed: Embed): number =>
  (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) +
  (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)

/**
 * The embeds for `content`, one per post: the first with the title and the fields, the items in the
 * descriptions (as many per embed as its 4,096 and 6,000 characters hold), the note as the last footer.
 */
export const discordEmbeds = (content: MessageContent): ReadonlyArray<Embed> => {
  const color = SEVERITY_COLOURS[content.severity ?? "info"]
  const first: Embed = { title: fitEscaped(content.title, DISCORD_LIMITS.title, escapeDiscord), color }
  const fields = (content.fields ?? []).slice(0, DISCORD_LIMITS.fields).map((field) => ({
    name: fitEscaped(field.label, DISCORD_LIMITS.fieldName, escapeDiscord) || "\u200b",
    value: fitEscaped(field.value, DISCORD_LIMITS.fieldValue, escapeDiscord) || "\u200b",
    inline: true
  }))
  if (fields.length > 0) first.fields = fields
  const footer = content.note === undefined || content.note === "" ? undefined : { text: fitEscaped(content.note, DISCORD_LIMITS.footer, escapeDiscord) }
  const embeds: Array<Embed> = [first]
  // The footer's length is kept free in every embed, since the last one is known only at the end.
  const fits = (embed: Embed, description: string) =>
    description.length <= DISCORD_LIMITS.description &&
    embedSize({ ...embed, description }) + (footer?.text.length ?? 0) <= DISCORD_LIMITS.total
  for (const item of content.items ?? []) {
    const text = itemText(item)
    const current = embeds.at(-1)!
    const joined = current.description === undefined ? text : `${current.description}\n\n${text}`
    if (fits(current, joined)) current.description = joined
    else embeds.push({ color, description: text })
  }
  if (footer !== undefined) embeds.at(-1)!.footer = footer
  return embeds
}

/**
 * The posts for one message: an embed per post with `allowed_mentions: {parse: []}` when the message
 * has content, else the text in `content`, split at 2,000 characters. Action text is markdown-escaped,
 * so no masked link, mention markup or formatting comes from it.
 */
export const discordBodies = (message: OutboundMessage): ReadonlyArray<Record<string, unknown>> =>
  message.content === undefined
    ? splitEscaped(message.message, DISCORD_CONTENT_LIMIT, escapeDiscord).map((content) => ({ content, allowed_mentions: NO_MENTIONS }))
    : discordEmbeds(message.content).map((embed) => ({ embeds: [embed], allowed_mentions: NO_MENTIONS }))

/** The webhook URL with one query parameter set (a webhook URL may carry its own query). */
const withQuery = (url: string, key: string, value: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set(key, value)
  return parsed.href
}

/**
 * A Discord webhook: `POST url {"embeds": [...], "allowed_mentions": {"parse": []}}`; mentions never ping.
 * With `threads` (a forum channel's webhook), an action's first post creates its own forum post
 * (`thread_name`, `?wait=true` so Discord answers with the new thread's `channel_id`), and every later
 * one goes into it with `?thread_id=`.
 */
export const DiscordChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly url: Redacted.Redacted<string>
  readonly threads?: ChannelThreads | undefined
}): ChannelPlugin => {
  const target = describeUrl(Redacted.value(options.url))
  if (options.threads === undefined) return chatWebhookChannel({ ...options, type: "discord", target, bodies: discordBodies })
  return chatChannel({
    name: options.name,
    type: "discord",
    target,
    bodies: discordBodies,
    threads: options.threads,
    post: (body, thread, message) =>
      thread !== undefined
        ? postJson(options.client, withQuery(Redacted.value(options.url), "thread_id", thread), JSON.stringify(body)).pipe(Effect.as(undefined))
        : postJson(
          options.client,
          withQuery(Redacted.value(options.url), "wait", "true"),
          JSON.stringify({ ...body, thread_name: truncate(message.action, 100) })
        ).pipe(Effect.flatMap((text) => {
          const created = decodeCreatedThread(text)
          return Option.isSome(created)
            ? Effect.succeed(created.value.channel_id)
            : Effect.fail(new DeliveryError({ message: "Discord did not say which thread it created", retryable: false }))
        }))
  })
}
