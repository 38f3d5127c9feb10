import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import type { ChannelPlugin } from "../services/Gateway.js"
import { postJson } from "./HttpPost.js"
import { deliverParts, splitText } from "./MessageParts.js"

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
  return {
    name: options.name,
    type: "telegram",
    send: (delivery) =>
      deliverParts(delivery, splitText(delivery.message.message, TELEGRAM_TEXT_LIMIT), (text) =>
        postJson(
          options.client,
          `${base}/bot${Redacted.value(options.token)}/sendMessage`,
          JSON.stringify({ chat_id: options.chatId, text })
        )),
    health: Effect.succeed({ healthy: true, target: `${base}/bot<redacted>/sendMessage (chat ${options.chatId})` })
  }
}
