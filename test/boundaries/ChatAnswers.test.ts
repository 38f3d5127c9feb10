import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { message, startGateway, tempHome } from "../gateway/GatewayTestKit.js"

const json = (body: unknown) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

describe("chat API answers are decoded (loopback servers answering malformed JSON)", () => {
  it.scopedLive("Slack: an answer that is not JSON, or whose ok is not a boolean, is a failed delivery saying so, never a defect", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = (request) =>
        request.body.includes("\"C-garbage\"") ? { status: 200, body: "<html>gateway</html>" }
          : request.body.includes("\"C-odd\"") ? json({ ok: "yes", ts: "1.2" })
          : json({ ok: true, ts: 12 })
      const gateway = yield* startGateway(tempHome(), [
        { type: "slack", name: "garbage", token: "xoxb-a", channel: "C-garbage", apiBase: server.url },
        { type: "slack", name: "odd", token: "xoxb-b", channel: "C-odd", apiBase: server.url },
        { type: "slack", name: "oddTs", token: "xoxb-c", channel: "C-ts", apiBase: server.url }
      ])
      const outcomes = yield* gateway.send(message())
      assert.deepStrictEqual(outcomes.map((o) => [o.channel, o.status]), [["garbage", "dropped"], ["odd", "dropped"], ["oddTs", "delivered"]])
      assert.include(outcomes[0]!.error!, "Slack: unreadable answer")
      assert.include(outcomes[1]!.error!, "Slack: unreadable answer")
      assert.strictEqual(server.requests.length, 3, "a refused answer is not retried")
    }))

  it.scopedLive("Telegram: a result that is not an object is an unreadable answer", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = () => json({ ok: true, result: "sent" })
      const gateway = yield* startGateway(tempHome(), [{ type: "telegram", token: "42:tok", chatId: 5, apiBase: server.url, threads: true }])
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "dropped")
      assert.include(outcome!.error!, "Telegram sendMessage: unreadable answer")
      assert.deepStrictEqual(server.requests.map((r) => r.path.split("/").pop()), ["getChat", "sendMessage"])
    }))

  it.scopedLive("Discord: a thread-creating answer without a string channel_id is a failed delivery saying so", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = () => json({ id: "99", channel_id: 12345 })
      const gateway = yield* startGateway(tempHome(), [{ type: "discord", url: `${server.url}/api/webhooks/42/tok`, threads: true }])
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "dropped")
      assert.include(outcome!.error!, "Discord did not say which thread it created")
    }))
})
