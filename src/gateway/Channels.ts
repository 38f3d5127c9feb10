import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import type { ChannelConfig } from "../domain/ChannelsConfig.js"
import { channelName, isHttpUrl } from "../domain/ChannelsConfig.js"
import { ConfigError } from "../domain/ConfigError.js"
import { resolveSecret, type Secret } from "../domain/Secret.js"
import { resolvePath } from "../domain/ConfigPath.js"
import type { ChannelPlugin } from "../services/Gateway.js"
import { ConsoleChannel, stdoutWantsColor } from "./ConsoleChannel.js"
import { DiscordChannel } from "./DiscordChannel.js"
import { FileChannel } from "./FileChannel.js"
import { SlackBotChannel, SlackChannel } from "./SlackChannel.js"
import { TelegramChannel } from "./TelegramChannel.js"
import type { ThreadStore } from "./ThreadStore.js"
import { WebhookChannel } from "./WebhookChannel.js"

/** What building the built-in plugins needs. */
export interface ChannelContext {
  readonly home: string
  readonly client: HttpClient.HttpClient
  /** Called with every secret resolved, so the gateway can redact it everywhere. */
  readonly onSecret: (secret: Redacted.Redacted<string>) => void
  /** Where channels with `threads` keep each action's thread; without it, no channel threads. */
  readonly threads?: ThreadStore | undefined
}

/**
 * The plugin for the channel configured at `path` (`channels[2]`). Secrets are read here, once;
 * an unset variable or unreadable file fails with a `ConfigError` naming the field, never the value.
 */
export const makeChannelPlugin = (
  channel: ChannelConfig,
  path: string,
  context: ChannelContext
): Effect.Effect<ChannelPlugin, ConfigError> => {
  const name = channelName(channel)
  const threadsOf = (enabled: boolean) =>
    enabled && context.threads !== undefined ? { store: context.threads, channel: name } : undefined
  const secret = (value: Secret, field: string) =>
    resolveSecret(value, `${path}.${field}`).pipe(Effect.tap((resolved) => context.onSecret(resolved)))
  const url = (value: Secret, field: string) =>
    secret(value, field).pipe(Effect.filterOrFail(
      (resolved) => isHttpUrl(Redacted.value(resolved)),
      () => new ConfigError({ path: `${path}.${field}`, message: "not an http(s) URL" })
    ))
  switch (channel.type) {
    case "console":
      return Effect.succeed(ConsoleChannel({ name, color: stdoutWantsColor() }))
    case "file":
      return Effect.succeed(FileChannel({ name, file: resolvePath(context.home, channel.path), maxSize: channel.maxSize, keep: channel.keep }))
    case "webhook":
      return Effect.all({
        url: url(channel.url, "url"),
        headers: Effect.all(Object.fromEntries(Object.entries(channel.headers).map(([key, value]) => [key, secret(value, `headers.${key}`)]))),
        secret: channel.secret === undefined ? Effect.succeed(undefined) : secret(channel.secret, "secret")
      }).pipe(Effect.map((resolved) => WebhookChannel({ name, client: context.client, ...resolved })))
    case "slack":
      if (channel.token !== undefined) {
        const bot = channel.channel!
        return secret(channel.token, "token").pipe(Effect.map((token) =>
          SlackBotChannel({ name, client: context.client, token, channel: bot, apiBase: channel.apiBase, threads: threadsOf(channel.threads) })
        ))
      }
      return url(channel.url!, "url").pipe(Effect.map((resolved) => SlackChannel({ name, client: context.client, url: resolved })))
    case "discord":
      return url(channel.url, "url").pipe(Effect.map((resolved) =>
        DiscordChannel({ name, client: context.client, url: resolved, threads: threadsOf(channel.threads) })
      ))
    case "telegram":
      return secret(channel.token, "token").pipe(Effect.map((token) =>
        TelegramChannel({
          name,
          client: context.client,
          token,
          chatId: channel.chatId,
          apiBase: channel.apiBase,
          threads: threadsOf(channel.threads)
        })
      ))
  }
}
