import type { HttpClient } from "@effect/platform"
import { Redacted } from "effect"
import type { ContentField, ContentItem, MessageContent } from "../domain/MessageContent.js"
import type { ChannelPlugin, OutboundMessage } from "../services/Gateway.js"
import { chatWebhookChannel, splitEscaped } from "./MessageParts.js"
import { escapeHtml, fitEscaped } from "./SafeText.js"

/** Telegram's `sendMessage` takes 1-4096 characters of text (https://core.telegram.org/bots/api#sendmessage). */
export const TELEGRAM_TEXT_LIMIT = 4_096

const fieldsLine = (fields: ReadonlyArray<ContentField>): string => fields.map((field) => `${field.label}: ${field.value}`).join(" · ")

const itemBlock = (item: ContentItem): string => {
  const label = fitEscaped(item.text, 1_000, escapeHtml)
  // The only <a href> is ours: a checked http(s) URL, attribute-escaped.
  const head = item.link === undefined || item.link.length > 1_000 ? `• <b>${label}</b>` : `• <a href="${escapeHtml(item.link)}">${label}</a>`
  if (item.fields === undefined || item.fields.length === 0) return head
  return `${head}\n${fitEscaped(fieldsLine(item.fields), 2_000, escapeHtml)}`
}

/**
 * The HTML texts for `content`, each at most 4,096 characters (the limit counts text after parsing,
 * so counting the tags too is on the safe side): title, fields, items and note as whole blocks, never
 * a tag cut in half.
 */
export const telegramTexts = (content: MessageContent): ReadonlyArray<string> => {
  const head = [
    `<b>${fitEscaped(content.title, 500, escapeHtml)}</b>`,
    ...(content.fields ?? []).map((field) => `${fitEscaped(field.label, 200, escapeHtml)}: <b>${fitEscaped(field.value, 1_000, escapeHtml)}</b>`)
  ].join("\n")
  const blocks = [
    head,
    ...(content.items ?? []).map(itemBlock),
    ...(content.note === undefined || content.note === "" ? [] : [`<i>${fitEscaped(content.note, 1_000, escapeHtml)}</i>`])
  ]
  const texts: Array<string> = []
  for (const block of blocks) {
    const last = texts.at(-1)
    if (last !== undefined && last.length + 2 + block.length <= TELEGRAM_TEXT_LIMIT) texts[texts.length - 1] = `${last}\n\n${block}`
    else texts.push(block)
  }
  return texts
}

/**
 * The `sendMessage` bodies for one message: HTML (`parse_mode: "HTML"`) with every piece of action text
 * escaped, link previews off; the content's blocks, or the plain text split at 4,096 characters.
 */
export const telegramBodies = (chatId: string | number) => (message: OutboundMessage): ReadonlyArray<Record<string, unknown>> =>
  (message.content === undefined ? splitEscaped(message.message, TELEGRAM_TEXT_LIMIT, escapeHtml) : telegramTexts(message.content))
    .map((text) => ({ chat_id: chatId, text, parse_mode: "HTML", link_preview_options: { is_disabled: true } }))

/** A Telegram chat: `POST {apiBase}/bot<token>/sendMessage {"chat_id", "text", "parse_mode": "HTML"}`. */
export const TelegramChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly token: Redacted.Redacted<string>
  readonly chatId: string | number
  readonly apiBase: string
}): ChannelPlugin => {
  const base = options.apiBase.replace(/\/+$/, "")
  return chatWebhookChannel({
    name: options.name,
    type: "telegram",
    client: options.client,
    url: Redacted.make(`${base}/bot${Redacted.value(options.token)}/sendMessage`),
    target: `${base}/bot<redacted>/sendMessage (chat ${options.chatId})`,
    bodies: telegramBodies(options.chatId)
  })
}
