import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { DISCORD_CONTENT_LIMIT } from "../../src/gateway/DiscordChannel.js"
import { splitText } from "../../src/gateway/MessageParts.js"
import { SLACK_TEXT_LIMIT } from "../../src/gateway/SlackChannel.js"
import { TELEGRAM_TEXT_LIMIT } from "../../src/gateway/TelegramChannel.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { fastDelivery, message, startGateway, tempHome } from "./GatewayTestKit.js"

/** A long message of words and paragraphs, `n` characters. */
const longText = (n: number) => {
  let text = ""
  for (let i = 0; text.length < n; i++) text += i % 12 === 11 ? `paragraph ${i}\n` : `word${i} `
  return text.slice(0, n)
}

describe("slack, discord and telegram channels", () => {
  it.scopedLive("post their platforms' bodies", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const home = tempHome()
      fs.writeFileSync(path.join(home, "telegram-token"), "123456:ABC-telegram-token\n")
      const gateway = yield* startGateway(home, [
        { type: "slack", url: `${server.url}/services/T000/B000/slacktoken` },
        { type: "discord", url: `${server.url}/api/webhooks/42/discordtoken` },
        { type: "telegram", token: { file: path.join(home, "telegram-token") }, chatId: -100123, apiBase: server.url }
      ])
      const outcomes = yield* gateway.send(message())
      assert.deepStrictEqual(outcomes.map((o) => o.status), ["delivered", "delivered", "delivered"])
      const byPath = Object.fromEntries(server.requests.map((r) => [r.path, r]))
      assert.deepStrictEqual(byPath["/services/T000/B000/slacktoken"]!.json(), { text: "3 new claimable tasks" })
      assert.deepStrictEqual(byPath["/api/webhooks/42/discordtoken"]!.json(), {
        content: "3 new claimable tasks",
        allowed_mentions: { parse: [] }
      })
      const telegram = byPath["/bot123456:ABC-telegram-token/sendMessage"]!
      assert.strictEqual(telegram.method, "POST")
      assert.strictEqual(telegram.headers["content-type"], "application/json")
      assert.deepStrictEqual(telegram.json(), {
        chat_id: -100123,
        text: "3 new claimable tasks",
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true }
      })
      for (const request of server.requests) assert.strictEqual(request.headers["content-type"], "application/json")
    }))

  it.scopedLive("split long messages at each platform's limit, in order", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const gateway = yield* startGateway(tempHome(), [
        { type: "slack", url: `${server.url}/slack` },
        { type: "discord", url: `${server.url}/discord` },
        { type: "telegram", token: "42:tok", chatId: "@agenc", apiBase: `${server.url}/tg/` }
      ])
      const text = longText(SLACK_TEXT_LIMIT + 500)
      yield* gateway.send(message({ message: text }))
      const posted = (p: string, field: string) => server.requests.filter((r) => r.path === p).map((r) => r.json()[field] as string)

      const slack = posted("/slack", "text")
      assert.strictEqual(slack.length, 2)
      const discord = posted("/discord", "content")
      assert.isAtLeast(discord.length, Math.ceil(text.length / DISCORD_CONTENT_LIMIT))
      const telegram = posted("/tg/bot42:tok/sendMessage", "text")
      assert.isAtLeast(telegram.length, 10)
      for (const [parts, limit] of [[slack, SLACK_TEXT_LIMIT], [discord, DISCORD_CONTENT_LIMIT], [telegram, TELEGRAM_TEXT_LIMIT]] as const) {
        for (const part of parts) assert.isAtMost(part.length, limit)
        // nothing lost but the whitespace at the cuts
        assert.strictEqual(parts.join("").replace(/\s/g, ""), text.replace(/\s/g, ""))
      }
    }))

  it.scopedLive("resume a split message after a failed part instead of posting the first parts again", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.reply({ status: 204 }, { status: 502 })
      const gateway = yield* startGateway(tempHome(), [{ type: "discord", url: `${server.url}/discord`, delivery: fastDelivery }])
      const text = longText(DISCORD_CONTENT_LIMIT * 2 + 100)
      const [outcome] = yield* gateway.send(message({ message: text }))
      assert.strictEqual(outcome!.status, "delivered")
      assert.strictEqual(outcome!.attempts, 2)
      const contents = server.requests.map((r) => r.json().content as string)
      assert.deepStrictEqual(server.requests.map((r) => r.answer), [204, 502, 200, 200])
      assert.strictEqual(contents[1], contents[2], "the failed part is posted again")
      assert.strictEqual([contents[0], contents[2], contents[3]].join("").replace(/\s/g, ""), text.replace(/\s/g, ""))
    }))

  it("splitText breaks at newlines or spaces, never inside a surrogate pair", () => {
    assert.deepStrictEqual(splitText("short", 10), ["short"])
    assert.deepStrictEqual(splitText("", 10), [""])
    assert.deepStrictEqual(splitText("aaaa bbbb cccc", 10), ["aaaa bbbb", "cccc"])
    assert.deepStrictEqual(splitText("aaaa\nbbbb cccc", 10), ["aaaa\nbbbb", "cccc"])
    assert.deepStrictEqual(splitText("aaaaaaa\nbb cccc", 10), ["aaaaaaa", "bb cccc"])
    assert.deepStrictEqual(splitText("x".repeat(25), 10), ["x".repeat(10), "x".repeat(10), "x".repeat(5)])
    assert.deepStrictEqual(splitText("line one\nline two", 12), ["line one", "line two"])
    const emoji = "x".repeat(9) + "😀" + "y"
    const parts = splitText(emoji, 10)
    assert.deepStrictEqual(parts, ["x".repeat(9), "😀y"])
  })
})
