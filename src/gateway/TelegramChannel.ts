import type { HttpClient } from "@effect/platform"
import { Redacted } from "effect"
import type { ChannelPlugin } from "../services/Gateway.js"
import { chatWebhookChannel } from "./MessageParts.js"

/** Telegram's `sendMessage` takes 1-4096 characters of text (https://core.telegram.org/bots/api#sendmessage). */
export const TELEGRAM_TEXT_LIMIT = 4_096

/** A Telegram chat: `POST {apiBase}/bot<token>/sendMessage {"chat_id", "text"}`, one call per 4,096 characters. */
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
    limit: TELEGRAM_TEXT_LIMIT,
    body: (text) => ({ chat_id: options.chatId, text })
  })
}
