/**
 * Making untrusted text safe for each place it is shown. Action text is untrusted: a custom action may
 * forward a fetched body and a task's description is written by whoever posted the task, so no platform
 * may read markup, a mention or a link out of it, and no terminal an escape sequence.
 */
import type { ContentField, ContentItem, MessageContent } from "../domain/MessageContent.js"
import { stripControls, truncate } from "../domain/Text.js"
import type { OutboundMessage } from "../services/Gateway.js"

export { stripControls, truncate }

/** `&`, `<` and `>` as entities: Slack's rule for text (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeSlack = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** `&`, `<`, `>` and `"` as entities: Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style). */
export const escapeHtml = (text: string): string => escapeSlack(text).replace(/"/g, "&quot;")

/**
 * Discord markdown escaped with backslashes (Discord drops the backslash only before punctuation, so
 * only punctuation is escaped): no masked link `[ok](http://evil)`, no `<@id>` or `<#id>` mention
 * markup, no emphasis, spoilers or code, and at a line start (after any spaces) no heading `#`,
 * subtext `-#`, quote `>`, bullet `-`/`+`/`*` or ordered-list marker: `1.` becomes `1\.`, since a
 * backslash before the digit would stay visible. `@everyone` also gets a backslash, so it does not
 * even look like a ping (allowed_mentions already stops it from being one).
 */
export const escapeDiscord = (text: string): string =>
  text
    .replace(/[\\*_~`|[\]()<>@]/g, "\\$&")
    .replace(/^([^\S\n]*)(?:([#\-+])|(\d+)\.)/gm, (_, indent: string, mark?: string, digits?: string) =>
      mark !== undefined ? `${indent}\\${mark}` : `${indent}${digits}\\.`)

/**
 * A link an action gave, if it is an absolute http(s) URL, normalised by the URL parser (spaces and
 * quotes percent-encoded) and with the characters that close a link in Slack (`|`, `>`) or Discord
 * (`)`) encoded too; anything else is no link.
 */
export const safeLink = (link: string | undefined): string | undefined => {
  if (link === undefined) return undefined
  try {
    const url = new URL(link)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    return url.href.replace(/[|<>()"' ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)
  } catch {
    return undefined
  }
}

const cleanField = (field: ContentField): ContentField => ({ label: stripControls(field.label), value: stripControls(field.value) })

const cleanItem = (item: ContentItem): ContentItem => ({
  text: stripControls(item.text),
  link: safeLink(item.link),
  fields: item.fields?.map(cleanField)
})

/** `content` with every string stripped of control characters and every link checked. */
export const cleanContent = (content: MessageContent): MessageContent => ({
  title: stripControls(content.title),
  severity: content.severity,
  fields: content.fields?.map(cleanField),
  items: content.items?.map(cleanItem),
  note: content.note === undefined ? undefined : stripControls(content.note)
})

/** The message as every chat channel starts from it: control characters gone from its text and its content. */
export const cleanMessage = (message: OutboundMessage): OutboundMessage => ({
  ...message,
  message: stripControls(message.message),
  content: message.content === undefined ? undefined : cleanContent(message.content)
})

/** `escape(text)` within `max` characters: the raw text is cut (with `…`) before escaping, so no entity or escape is cut in half. */
export const fitEscaped = (text: string, max: number, escape: (text: string) => string): string => {
  let raw = text
  let out = escape(raw)
  while (out.length > max && raw.length > 1) {
    raw = truncate(raw, Math.max(1, raw.length - (out.length - max)))
    out = escape(raw)
  }
  return out
}
