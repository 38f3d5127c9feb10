import { Redacted, Schema } from "effect"
import { ByteSize, KeepCount } from "./ByteSize.js"
import { DurationMs, TimerDurationMs } from "./DurationMs.js"
import { Secret } from "./Secret.js"

/** How hard one channel tries before a message waits in the pending queue, and how long it may wait there. */
export class DeliveryPolicy extends Schema.Class<DeliveryPolicy>("DeliveryPolicy")({
  retries: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 10)), { default: () => 2 }).annotations({
    description: "quick retries inside send after a fast failure (not after a timeout); what still fails is queued"
  }),
  backoff: Schema.optionalWith(TimerDurationMs(10), { default: () => 1_000 }).annotations({
    description: "first retry delay; doubles on each failure, ±20 % jitter"
  }),
  maxBackoff: Schema.optionalWith(TimerDurationMs(10), { default: () => 600_000 }).annotations({
    description: "longest delay between two retries of a queued message"
  }),
  expireAfter: Schema.optionalWith(DurationMs.pipe(Schema.filter((ms) => ms >= 100 || "must be at least 100ms")), { default: () => 86_400_000 }).annotations({
    description: "a message still undelivered this long after it was first sent is dropped and logged"
  })
}) {}

const common = {
  name: Schema.optional(Schema.NonEmptyString).annotations({ description: "name used by an action's `channels`; defaults to the type" }),
  timeout: Schema.optionalWith(TimerDurationMs(10), { default: () => 10_000 }).annotations({ description: "per attempt (10ms to 24.8d)" }),
  delivery: Schema.optionalWith(DeliveryPolicy, { default: () => new DeliveryPolicy({}) })
}

/** Whether `text` is an absolute http: or https: URL. */
export const isHttpUrl = (text: string): boolean => {
  try {
    const { protocol } = new URL(text)
    return protocol === "http:" || protocol === "https:"
  } catch {
    return false
  }
}

const HttpUrl = Schema.NonEmptyString.pipe(Schema.filter((url) => isHttpUrl(url) || "not an http(s) URL"))

/** RFC 9110 `token`: what a header name may be. */
export const isHeaderName = (name: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)

/** RFC 9110 `field-value`: visible characters, spaces and tabs inside, no CR, LF or NUL. */
export const isHeaderValue = (value: string): boolean => /^(?:[\x21-\x7e\x80-\xff](?:[\x20\x09\x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/.test(value)


/** A header value: checked here when literal, after resolution when it comes from {"env"} or {"file"}. */
const HeaderValue = Secret.pipe(Schema.filter((value) =>
  !Redacted.isRedacted(value) || isHeaderValue(Redacted.value(value)) || "not a header value (RFC 9110: no CR, LF or control characters, no leading or trailing space)"
))

/** A URL that may carry a token: literal, `{"env": NAME}` or `{"file": PATH}`. */
const SecretUrl = Secret.annotations({ description: "URL, or {\"env\": NAME}, or {\"file\": PATH}; it is never logged" })

/** Human-readable lines on stdout. */
export class ConsoleChannelConfig extends Schema.Class<ConsoleChannelConfig>("ConsoleChannelConfig")({
  type: Schema.Literal("console"),
  ...common
}) {}

/** One JSON object per line, fsynced, appended to `path` (default `$AGENC_HOME/outbox.jsonl`). */
export class FileChannelConfig extends Schema.Class<FileChannelConfig>("FileChannelConfig")({
  type: Schema.Literal("file"),
  ...common,
  path: Schema.optionalWith(Schema.NonEmptyString, { default: () => "outbox.jsonl" }),
  maxSize: Schema.optionalWith(ByteSize, { default: () => 10 * 1024 ** 2 }).annotations({
    description: "rotate the file when it would grow past this size (\"10MB\")"
  }),
  keep: Schema.optionalWith(KeepCount, { default: () => 5 })
}) {}

/** A JSON POST of the outbox record, signed with HMAC-SHA256 when `secret` is set. */
export class WebhookChannelConfig extends Schema.Class<WebhookChannelConfig>("WebhookChannelConfig")({
  type: Schema.Literal("webhook"),
  ...common,
  url: SecretUrl,
  headers: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: HeaderValue }).pipe(Schema.filter((headers) => {
      const bad = Object.keys(headers).find((name) => !isHeaderName(name))
      return bad === undefined || { path: [bad], message: "not a header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)" }
    })),
    { default: () => ({}) }
  ).annotations({
    description: "extra request headers; values may be secrets"
  }),
  secret: Schema.optional(Secret).annotations({ description: "HMAC-SHA256 key: X-Agenc-Signature: sha256=<hex of the body>" })
}) {}

const threads = Schema.optionalWith(Schema.Boolean, { default: () => false }).annotations({
  description: "each action's messages go into one thread of its own; the thread id is kept in the action's session"
})

/**
 * Slack: an incoming webhook (`url`), or a bot (`token` and `channel`), which posts with
 * `chat.postMessage` and can thread (`threads`); incoming webhooks cannot.
 */
export class SlackChannelConfig extends Schema.Class<SlackChannelConfig>("SlackChannelConfig")(
  Schema.Struct({
    type: Schema.Literal("slack"),
    ...common,
    url: Schema.optional(SecretUrl),
    token: Schema.optional(Secret).annotations({ description: "bot token (xoxb-…), or {\"env\": NAME}, or {\"file\": PATH}; instead of url" }),
    channel: Schema.optional(Schema.NonEmptyString).annotations({ description: "channel id (C…) the bot posts to; with token" }),
    apiBase: Schema.optionalWith(HttpUrl, { default: () => "https://slack.com" }),
    threads
  }).pipe(Schema.filter((slack) =>
    slack.url !== undefined && slack.token !== undefined ? { path: ["token"], message: "give either url (incoming webhook) or token and channel (bot), not both" }
      : slack.url === undefined && slack.token === undefined ? { path: ["url"], message: "give url (incoming webhook) or token and channel (bot)" }
      : slack.token !== undefined && slack.channel === undefined ? { path: ["channel"], message: "a bot token needs the channel id to post to" }
      : slack.threads && slack.url !== undefined ? { path: ["threads"], message: "incoming webhooks cannot thread: use token and channel" }
      : true
  ))
) {}

/** A Discord channel webhook; `threads` needs a forum channel (each action gets a post of its own). */
export class DiscordChannelConfig extends Schema.Class<DiscordChannelConfig>("DiscordChannelConfig")({
  type: Schema.Literal("discord"),
  ...common,
  url: SecretUrl,
  threads
}) {}

/** A Telegram chat, through the Bot API's `sendMessage`. */
export class TelegramChannelConfig extends Schema.Class<TelegramChannelConfig>("TelegramChannelConfig")({
  type: Schema.Literal("telegram"),
  ...common,
  token: Secret.annotations({ description: "bot token, or {\"env\": NAME}, or {\"file\": PATH}" }),
  chatId: Schema.Union(Schema.NonEmptyString, Schema.Int).annotations({ description: "chat id or @channelusername" }),
  apiBase: Schema.optionalWith(HttpUrl, { default: () => "https://api.telegram.org" }),
  threads
}) {}

/** A configured channel. */
export const ChannelConfig = Schema.Union(
  ConsoleChannelConfig,
  FileChannelConfig,
  WebhookChannelConfig,
  SlackChannelConfig,
  DiscordChannelConfig,
  TelegramChannelConfig
)
export type ChannelConfig = typeof ChannelConfig.Type

/** The `channels` list; names must be unique. */
export const ChannelsConfig = Schema.Array(ChannelConfig).pipe(Schema.filter((channels) => {
  const seen = new Set<string>()
  for (const [index, channel] of channels.entries()) {
    const name = channel.name ?? channel.type
    if (seen.has(name)) return { path: [index, "name"], message: `duplicate channel name "${name}"` }
    seen.add(name)
  }
  return true
}))

/** The channels used when `gateway.json` names none. */
export const defaultChannels = (): ReadonlyArray<typeof ChannelConfig.Encoded> => [{ type: "console" }, { type: "file" }]

/** The name an action's `channels` list uses for this channel. */
export const channelName = (channel: ChannelConfig): string => channel.name ?? channel.type

/** A link template: an http(s) URL once `{address}` and `{cluster}` are filled in. */
const LinkTemplate = Schema.NonEmptyString.pipe(
  Schema.filter((template) => isHttpUrl(template.replaceAll("{address}", "x").replaceAll("{cluster}", "x")) || "not an http(s) URL template")
)

/** The `links` section: URL templates for links in messages (only these become links; action text never does). */
export class Links extends Schema.Class<Links>("Links")({
  explorer: Schema.optional(LinkTemplate).annotations({
    description: "URL template with {address} and {cluster}, e.g. https://explorer.solana.com/address/{address}?cluster={cluster}"
  }),
  cluster: Schema.optionalWith(Schema.NonEmptyString, { default: () => "mainnet-beta" }).annotations({
    description: "what {cluster} becomes (default mainnet-beta)"
  })
}) {}

/** `links.explorer` filled in for `address`, or undefined when no template is configured. */
export const explorerLink = (links: Links, address: string): string | undefined =>
  links.explorer?.replaceAll("{address}", encodeURIComponent(address)).replaceAll("{cluster}", encodeURIComponent(links.cluster))
