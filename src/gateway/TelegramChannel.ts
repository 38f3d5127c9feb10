import type { HttpClient } from "@effect/platform"
import { Effect, Option, Redacted, Schema } from "effect"
import type { ContentField, ContentItem, MessageContent } from "../domain/MessageContent.js"
import { type ChannelPlugin, DeliveryError, type OutboundMessage } from "../services/Gateway.js"
import { answerDecoder, postJson } from "./HttpPost.js"
import { type ChannelThreads, chatChannel, splitEscaped } from "./MessageParts.js"
import { escapeHtml, fitEscaped, truncate } from "./SafeText.js"

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

/** What the Bot API answers: `{"ok": true, "result": …}`. */
const decodeTelegramAnswer = answerDecoder(Schema.Struct({
  ok: Schema.Literal(true),
  result: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}))

const resultOf = (text: string): Record<string, unknown> | undefined =>
  Option.getOrUndefined(Option.map(decodeTelegramAnswer(text), (answer) => answer.result))

const unreadable = (method: string) => new DeliveryError({ message: `Telegram ${method}: unreadable answer`, retryable: false })

/**
 * A Telegram chat: `POST {apiBase}/bot<token>/sendMessage {"chat_id", "text", "parse_mode": "HTML"}`.
 * With `threads`, an action's first message asks `getChat` whether the chat is a forum: if so it opens a
 * topic named after the action (`createForumTopic`) and posts there, every later message with its
 * `message_thread_id`; otherwise later messages reply to the action's first one (`reply_parameters`).
 * The thread is kept as `topic:<id>` or `reply:<message id>`.
 */
export const TelegramChannel = (options: {
  readonly name: string
  readonly client: HttpClient.HttpClient
  readonly token: Redacted.Redacted<string>
  readonly chatId: string | number
  readonly apiBase: string
  readonly threads?: ChannelThreads | undefined
}): ChannelPlugin => {
  const base = options.apiBase.replace(/\/+$/, "")
  const target = `${base}/bot<redacted>/sendMessage (chat ${options.chatId})`
  const call = (method: string, body: unknown) =>
    postJson(options.client, `${base}/bot${Redacted.value(options.token)}/${method}`, JSON.stringify(body)).pipe(Effect.map(resultOf))
  const send = (body: Record<string, unknown>) =>
    call("sendMessage", body).pipe(Effect.flatMap((sent) =>
      typeof sent?.message_id === "number" ? Effect.succeed(sent.message_id) : Effect.fail(unreadable("sendMessage"))
    ))
  return chatChannel({
    name: options.name,
    type: "telegram",
    target,
    bodies: telegramBodies(options.chatId),
    threads: options.threads,
    post: (body, thread, message) =>
      Effect.gen(function*() {
        if (options.threads === undefined) return yield* Effect.as(call("sendMessage", body), undefined)
        if (thread?.startsWith("topic:")) return yield* Effect.as(send({ ...body, message_thread_id: Number(thread.slice(6)) }), undefined)
        if (thread?.startsWith("reply:")) {
          return yield* Effect.as(send({ ...body, reply_parameters: { message_id: Number(thread.slice(6)), allow_sending_without_reply: true } }), undefined)
        }
        const chat = yield* call("getChat", { chat_id: options.chatId })
        if (chat?.is_forum !== true) return `reply:${yield* send(body)}`
        const topic = yield* call("createForumTopic", { chat_id: options.chatId, name: truncate(message.action, 128) })
        if (typeof topic?.message_thread_id !== "number") return yield* unreadable("createForumTopic")
        yield* send({ ...body, message_thread_id: topic.message_thread_id })
        return `topic:${topic.message_thread_id}`
      })
  })
}
