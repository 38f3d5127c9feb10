import { assert, describe, it } from "@effect/vitest"
import { type Console, Effect } from "effect"
import * as fc from "fast-check"
import type { MessageContent } from "../../src/domain/MessageContent.js"
import { plainText } from "../../src/domain/MessageContent.js"
import { ConsoleChannel, wantsColor } from "../../src/gateway/ConsoleChannel.js"
import { DISCORD_LIMITS } from "../../src/gateway/DiscordChannel.js"
import { escapeDiscord, safeLink, stripControls } from "../../src/gateway/SafeText.js"
import { SLACK_LIMITS, SLACK_TEXT_LIMIT } from "../../src/gateway/SlackChannel.js"
import { TELEGRAM_TEXT_LIMIT } from "../../src/gateway/TelegramChannel.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { message, startGateway, tempHome } from "./GatewayTestKit.js"

/** Every hostile string the issue names, in one. */
const HOSTILE = "<!channel> <!here> <@U1> @everyone <http://evil.example|ok> [ok](http://evil.example) \u001b[2J \u202e & done"
const LINK = "http://127.0.0.1:9/task?id=1&x=2"

/** A scan of 60 tasks, one with a 10 KB description, every string hostile. */
const hostileContent = (): MessageContent => ({
  title: `Found 60 new tasks ${HOSTILE}`,
  severity: "alert",
  fields: [{ label: `Open ${HOSTILE}`, value: HOSTILE }],
  items: Array.from({ length: 60 }, (_, i) => ({
    text: i === 0 ? `${HOSTILE} ${"x".repeat(10_240)}` : `#${i} ${HOSTILE}`,
    link: i % 2 === 0 ? LINK : "javascript:alert(1)",
    fields: [{ label: "Reward", value: HOSTILE }, { label: "Due", value: "in 3 h" }]
  })),
  note: HOSTILE
})

/** Every string anywhere inside `value`. */
const strings = (value: unknown): Array<string> =>
  typeof value === "string" ? [value]
    : Array.isArray(value) ? value.flatMap(strings)
    : value !== null && typeof value === "object" ? Object.values(value).flatMap(strings)
    : []

const assertNoControls = (body: unknown) => {
  for (const text of strings(body)) {
    assert.notMatch(text, /[\u001b\u009b\u202e]/, "no ESC, CSI or bidi override reaches a platform")
  }
}

/** Slack: only our own `<url|label>` links; every other `<`, `>` and `&` is an entity. */
const assertSlackSafe = (text: string) => {
  const rest = text.replace(/<http:\/\/127\.0\.0\.1:9\/task\?id=1&amp;x=2\|/g, "").replace(/&(amp|lt|gt);/g, "")
  assert.notMatch(rest.replace(/>\*/g, "*"), /[<>&]/, text.slice(0, 200))
  assert.notInclude(text, "<!channel>")
  assert.notInclude(text, "<@U1>")
  assert.notInclude(text, "<http://evil.example")
}

/** Discord: only our own masked link; every other `[`, `]`, `(`, `)`, `<`, `>`, `@` has its backslash. */
const assertDiscordSafe = (text: string) => {
  const rest = text.replace(/\]\(http:\/\/127\.0\.0\.1:9\/task\?id=1&x=2\)/g, "").replace(/\*\*\[/g, "**")
  assert.notMatch(rest, /(^|[^\\])[[\]()<>@]/, text.slice(0, 200))
}

/** Telegram: only our tags; every other `<`, `>`, `&` is an entity. */
const assertTelegramSafe = (text: string) => {
  const rest = text
    .replace(/<\/?(b|i)>/g, "")
    .replace(/<a href="http:\/\/127\.0\.0\.1:9\/task\?id=1&amp;x=2">/g, "")
    .replace(/<\/a>/g, "")
    .replace(/&(amp|lt|gt|quot);/g, "")
  assert.notMatch(rest, /[<>&]/, text.slice(0, 200))
  assert.notInclude(text, "javascript:")
}

describe("untrusted text on every platform", () => {
  it.scopedLive("hostile content and text reach the platforms escaped and within their limits", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const gateway = yield* startGateway(tempHome(), [
        { type: "slack", url: `${server.url}/slack` },
        { type: "discord", url: `${server.url}/discord` },
        { type: "telegram", token: "42:tok", chatId: 7, apiBase: server.url }
      ])
      const content = hostileContent()
      yield* gateway.send(message({ id: "structured", message: plainText(content), content }))
      yield* gateway.send(message({ id: "plain", message: `${HOSTILE}\n${"y ".repeat(30_000)}` }))
      const bodies = (p: string) => server.requests.filter((r) => r.path === p).map((r) => r.json())

      const slack = bodies("/slack")
      assert.isAtLeast(slack.length, 3, "60 items and a header are more than 50 blocks: two posts, then the plain text")
      for (const body of slack) {
        assertNoControls(body)
        assert.isAtMost(body.text.length, SLACK_TEXT_LIMIT)
        assertSlackSafe(body.text)
        for (const block of body.blocks ?? []) {
          assert.isAtMost(body.blocks.length, SLACK_LIMITS.blocks)
          if (block.type === "header") assert.isAtMost(block.text.text.length, SLACK_LIMITS.header)
          if (block.text?.type === "mrkdwn") {
            assert.isAtMost(block.text.text.length, SLACK_LIMITS.sectionText)
            assertSlackSafe(block.text.text)
          }
          for (const field of block.fields ?? []) {
            assert.isAtMost(block.fields.length, SLACK_LIMITS.fields)
            assert.isAtMost(field.text.length, SLACK_LIMITS.fieldText)
            assertSlackSafe(field.text)
          }
          for (const element of block.elements ?? []) assertSlackSafe(element.text)
        }
      }
      const slackBlocks = slack.flatMap((body) => body.blocks ?? [])
      assert.strictEqual(slackBlocks.filter((block: any) => block.type === "section" && block.text !== undefined).length, 60)
      assert.strictEqual(slackBlocks.filter((block: any) => String(block.text?.text).includes("127.0.0.1:9")).length, 30, "only http(s) links")

      const discord = bodies("/discord")
      for (const body of discord) {
        assertNoControls(body)
        assert.deepStrictEqual(body.allowed_mentions, { parse: [] })
        if (body.content !== undefined) {
          assert.isAtMost(body.content.length, 2_000)
          assertDiscordSafe(body.content)
        }
        for (const embed of body.embeds ?? []) {
          assert.isAtMost(embed.description?.length ?? 0, DISCORD_LIMITS.description)
          assert.isAtMost(embed.fields?.length ?? 0, DISCORD_LIMITS.fields)
          assert.isAtMost(strings(embed).reduce((sum, text) => sum + text.length, 0), DISCORD_LIMITS.total)
          assert.strictEqual(embed.color, 0xed4245, "alert is red")
          for (const text of strings(embed)) assertDiscordSafe(text)
        }
      }
      assert.strictEqual(discord.flatMap((body) => body.embeds ?? []).map((embed: any) => embed.description ?? "").join("").split("127.0.0.1:9").length - 1, 30)

      const telegram = bodies("/bot42:tok/sendMessage")
      for (const body of telegram) {
        assertNoControls(body)
        assert.strictEqual(body.parse_mode, "HTML")
        assert.deepStrictEqual(body.link_preview_options, { is_disabled: true })
        assert.isAtMost(body.text.length, TELEGRAM_TEXT_LIMIT)
        assertTelegramSafe(body.text)
      }
      assert.strictEqual(telegram.map((body) => body.text).join("").split("<a href=").length - 1, 30)
    }))

  it.effect("the console strips escape sequences and bidi overrides, and colours only when allowed", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const base = yield* Effect.console
      const console: Console.Console = { ...base, log: (...args) => Effect.sync(() => void lines.push(args.join(" "))) }
      const send = (color: boolean) =>
        ConsoleChannel({ name: "console", color }).send({
          message: message({ message: `clear\u001b[2J\u009b31m here\u202e\r\nnext\u0007`, action: "evil\u001b]0;title\u0007" }),
          attempt: 1,
          partsDone: 0,
          savePartsDone: () => Effect.void
        }).pipe(Effect.withConsole(console))
      yield* send(false)
      assert.deepStrictEqual(lines, ["1970-01-01T00:00:00.000Z evil]0;title: clear[2J31m here\\nnext"])
      yield* send(true)
      assert.notMatch(lines[1]!.replace(/\x1b\[[0-9;]*m/g, ""), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
      assert.isTrue(wantsColor({ isTTY: true }, {}))
      assert.isFalse(wantsColor({ isTTY: true }, { NO_COLOR: "1" }))
      assert.isFalse(wantsColor({ isTTY: true }, { TERM: "dumb" }))
      assert.isFalse(wantsColor({ isTTY: false }, {}))
      assert.isFalse(wantsColor({}, {}))
    }))

  it("stripControls keeps printable text, newlines and tabs, and nothing else below space", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => {
      const clean = stripControls(text)
      assert.notMatch(clean, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
      assert.strictEqual(clean, stripControls(clean))
    }))
  })

  it("escapeDiscord leaves no markdown that Discord would read, and reads back as the same text", () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const escaped = escapeDiscord(text)
      // Discord drops a backslash before punctuation: unescaping gives the original back.
      assert.strictEqual(escaped.replace(/\\([^0-9A-Za-z\s])/g, "$1"), text)
      assert.notMatch(escaped, /(^|[^\\])(\\\\)*[[\]()<>@*_~`|]/)
      // No heading, subtext, quote, bullet or ordered-list marker is left at a line start.
      assert.notMatch(escaped, /^[^\S\n]*(?:[#>+\-*]|\d+\.)/m)
    }))
    assert.strictEqual(escapeDiscord("0. a\n  12. b\n-# c\n# d\n> e\n+ f"), "0\\. a\n  12\\. b\n\\-# c\n\\# d\n\\> e\n\\+ f")
  })

  it("safeLink takes only absolute http(s) URLs and encodes what closes a link", () => {
    assert.strictEqual(safeLink("javascript:alert(1)"), undefined)
    assert.strictEqual(safeLink("/relative"), undefined)
    assert.strictEqual(safeLink("ftp://x.example/"), undefined)
    assert.strictEqual(safeLink("https://x.example/a|b>c(d)"), "https://x.example/a%7Cb%3Ec%28d%29")
    assert.strictEqual(safeLink("https://x.example/a b\"c"), "https://x.example/a%20b%22c")
  })
})
