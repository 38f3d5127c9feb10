import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"

describe("channels in gateway.json", () => {
  it.effect("decode every channel type with its defaults; literal secrets become Redacted", () =>
    Effect.gen(function*() {
      const { channels } = yield* decodeConfig({
        channels: [
          { type: "console" },
          { type: "file", path: "/var/lib/agenc/out.jsonl" },
          { type: "webhook", url: "https://example.com/hook", secret: { env: "HOOK_SECRET" }, headers: { "X-Key": "k" } },
          { type: "slack", url: { env: "SLACK_WEBHOOK_URL" }, timeout: "5s", delivery: { retries: 0, expireAfter: "2h" } },
          { type: "discord", name: "alerts", url: { file: "/run/secrets/discord" } },
          { type: "telegram", token: { env: "TELEGRAM_BOT_TOKEN" }, chatId: -1001234 }
        ]
      })
      assert.deepStrictEqual(channels.map((c) => c.type), ["console", "file", "webhook", "slack", "discord", "telegram"])
      const [console, , webhook, slack, , telegram] = channels
      assert.strictEqual(console!.timeout, 10_000)
      assert.deepStrictEqual({ ...console!.delivery }, { retries: 2, backoff: 1_000, maxBackoff: 600_000, expireAfter: 86_400_000 })
      assert.strictEqual(slack!.timeout, 5_000)
      assert.deepStrictEqual({ ...slack!.delivery }, { retries: 0, backoff: 1_000, maxBackoff: 600_000, expireAfter: 7_200_000 })
      assert.isTrue(webhook!.type === "webhook" && Redacted.isRedacted(webhook.url) && Redacted.isRedacted(webhook.headers["X-Key"]))
      assert.strictEqual(String((webhook as { url: unknown }).url), "<redacted>")
      assert.isTrue(telegram!.type === "telegram" && telegram.apiBase === "https://api.telegram.org")
    }))

  it.effect("reject bad entries, naming the path", () =>
    Effect.gen(function*() {
      const bad = (channels: ReadonlyArray<unknown>) => decodeConfig({ channels }).pipe(Effect.flip, Effect.map((e) => e.line))
      assert.match(yield* bad([{ type: "telegram", token: "t", chatId: 1, apiBase: "ftp://x" }]), /^channels\[0\]\.apiBase: /)
      assert.match(yield* bad([{ type: "slack" }]), /^channels\[0\]\.url/)
      assert.match(yield* bad([{ type: "webhook", url: "https://x", delivery: { retries: 99 } }]), /^channels\[0\]\.delivery\.retries/)
      assert.match(yield* bad([{ type: "slack", url: "https://x", token: "oops" }]), /^channels\[0\]\.token/)
      assert.strictEqual(yield* bad([{ type: "slack", token: "xoxb-1" }]), "channels[0].channel: a bot token needs the channel id to post to")
      assert.strictEqual(
        yield* bad([{ type: "slack", url: "https://hooks.slack.com/x", threads: true }]),
        "channels[0].threads: incoming webhooks cannot thread: use token and channel"
      )
      assert.match(yield* bad([{ type: "discord", url: "https://x", threads: "yes" }]), /^channels\[0\]\.threads/)
      assert.match(yield* decodeConfig({ links: { explorer: "not a url {address}" } }).pipe(Effect.flip, Effect.map((e) => e.line)), /^links\.explorer: /)
      assert.strictEqual(
        yield* bad([{ type: "slack", url: "https://a" }, { type: "slack", url: "https://b" }]),
        "channels[1].name: duplicate channel name \"slack\""
      )
    }))
})
