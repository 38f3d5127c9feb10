/**
 * Per-action threads against loopback servers that answer as each platform documents: Slack's
 * chat.postMessage (`{"ok": true, "ts"}`), Discord's execute-webhook with `?wait=true` (the message
 * object, whose `channel_id` is the new forum thread), Telegram's getChat / createForumTopic /
 * sendMessage (`{"ok": true, "result"}`). The thread ids must survive a restart (the action's session).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { RecordedRequest, Reply } from "../layers/HttpTestServer.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { message, startGateway, tempHome } from "./GatewayTestKit.js"

const json = (body: unknown): Reply => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

/** A Slack Web API: each chat.postMessage gets a fresh `ts`; a wrong token gets `invalid_auth` (HTTP 200, as Slack does). */
const slackApi = (request: RecordedRequest, counter: { n: number }): Reply => {
  if (request.headers.authorization !== "Bearer xoxb-test-token") return json({ ok: false, error: "invalid_auth" })
  const body = request.json()
  counter.n += 1
  return json({ ok: true, channel: body.channel, ts: `1700000000.00000${counter.n}`, message: { text: body.text } })
}

/** A Discord forum webhook: with `wait=true` it answers with the message, in a new thread when `thread_name` is given. */
const discordApi = (request: RecordedRequest, counter: { n: number }): Reply => {
  const url = new URL(request.path, "http://x")
  counter.n += 1
  if (url.searchParams.get("wait") !== "true") return { status: 204 }
  const body = request.json()
  const channel = body.thread_name !== undefined ? `thread-${counter.n}` : url.searchParams.get("thread_id") ?? "forum"
  return json({ id: `msg-${counter.n}`, channel_id: channel, content: body.content ?? "" })
}

/** A Telegram Bot API for one chat that is a forum (`forum`) or not. */
const telegramApi = (forum: boolean) => {
  let next = 100
  return (request: RecordedRequest): Reply => {
    const method = request.path.split("/").at(-1)
    const body = request.json()
    if (method === "getChat") return json({ ok: true, result: { id: body.chat_id, type: "supergroup", is_forum: forum } })
    if (method === "createForumTopic") return json({ ok: true, result: { message_thread_id: 7000 + (next++), name: body.name, icon_color: 7322096 } })
    if (method === "sendMessage") return json({ ok: true, result: { message_id: next++, chat: { id: body.chat_id }, date: 0, text: body.text } })
    return { status: 404, body: JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }) }
  }
}

const send = (gateway: { readonly send: (m: ReturnType<typeof message>) => Effect.Effect<ReadonlyArray<{ status: string }>> }, action: string, slot: number) =>
  gateway.send(message({ id: `${action}@${slot}`, action, message: `${action} run ${slot}` })).pipe(
    Effect.tap((outcomes) => assert.deepStrictEqual(outcomes.map((o) => o.status), outcomes.map(() => "delivered")))
  )

/** Builds a gateway in its own scope, so closing it is a restart. */
const withGateway = <A, E>(home: string, channels: ReadonlyArray<unknown>, f: (gateway: any) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(startGateway(home, channels), f))

describe("per-action threads", () => {
  it.scopedLive("slack bot: an action's first message starts its thread, later ones go in it, also after a restart", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const counter = { n: 0 }
      server.handler = (request) => slackApi(request, counter)
      const home = tempHome()
      const channels = [{ type: "slack", token: "xoxb-test-token", channel: "C0123", apiBase: server.url, threads: true }]
      yield* withGateway(home, channels, (gateway) =>
        Effect.gen(function*() {
          yield* send(gateway, "task-scan", 1)
          yield* send(gateway, "daily-summary", 1)
          yield* send(gateway, "task-scan", 2)
        }))
      yield* withGateway(home, channels, (gateway) => send(gateway, "task-scan", 3))
      const posts = server.requests.map((r) => ({ path: r.path, ...r.json() }))
      assert.deepStrictEqual(posts.map((p) => [p.path, p.channel, p.text, p.thread_ts]), [
        ["/api/chat.postMessage", "C0123", "task-scan run 1", undefined],
        ["/api/chat.postMessage", "C0123", "daily-summary run 1", undefined],
        ["/api/chat.postMessage", "C0123", "task-scan run 2", "1700000000.000001"],
        ["/api/chat.postMessage", "C0123", "task-scan run 3", "1700000000.000001"]
      ])
    }))

  it.scopedLive("slack bot without threads posts to the channel; a Slack error answer is a failed delivery", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const counter = { n: 0 }
      server.handler = (request) => slackApi(request, counter)
      const gateway = yield* startGateway(tempHome(), [
        { type: "slack", name: "good", token: "xoxb-test-token", channel: "C1", apiBase: server.url },
        { type: "slack", name: "bad", token: "xoxb-wrong", channel: "C1", apiBase: server.url }
      ])
      const outcomes = yield* gateway.send(message())
      assert.deepStrictEqual(outcomes.map((o) => [o.channel, o.status]), [["good", "delivered"], ["bad", "dropped"]])
      assert.include(outcomes[1]!.error!, "Slack: invalid_auth")
      assert.notInclude(outcomes[1]!.error!, "xoxb-wrong")
      assert.isUndefined(server.requests[0]!.json().thread_ts)
    }))

  it.scopedLive("discord: the first message creates the action's forum post, later ones go in with thread_id", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const counter = { n: 0 }
      server.handler = (request) => discordApi(request, counter)
      const home = tempHome()
      const channels = [{ type: "discord", url: `${server.url}/api/webhooks/42/tok`, threads: true }]
      yield* withGateway(home, channels, (gateway) =>
        Effect.gen(function*() {
          yield* send(gateway, "portfolio-monitor", 1)
          yield* send(gateway, "portfolio-monitor", 2)
        }))
      yield* withGateway(home, channels, (gateway) => send(gateway, "portfolio-monitor", 3))
      assert.deepStrictEqual(server.requests.map((r) => [r.path, r.json().thread_name, r.json().content]), [
        ["/api/webhooks/42/tok?wait=true", "portfolio-monitor", "portfolio-monitor run 1"],
        ["/api/webhooks/42/tok?thread_id=thread-1", undefined, "portfolio-monitor run 2"],
        ["/api/webhooks/42/tok?thread_id=thread-1", undefined, "portfolio-monitor run 3"]
      ])
      for (const request of server.requests) assert.deepStrictEqual(request.json().allowed_mentions, { parse: [] })
    }))

  it.scopedLive("telegram forum: one topic per action, every message in it with message_thread_id", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = telegramApi(true)
      const home = tempHome()
      const channels = [{ type: "telegram", token: "42:tok", chatId: -100777, apiBase: server.url, threads: true }]
      yield* withGateway(home, channels, (gateway) =>
        Effect.gen(function*() {
          yield* send(gateway, "task-scan", 1)
          yield* send(gateway, "task-scan", 2)
        }))
      yield* withGateway(home, channels, (gateway) => send(gateway, "task-scan", 3))
      assert.deepStrictEqual(server.requests.map((r) => [r.path.split("/").at(-1), r.json().message_thread_id ?? r.json().name]), [
        ["getChat", undefined],
        ["createForumTopic", "task-scan"],
        ["sendMessage", 7100],
        ["sendMessage", 7100],
        ["sendMessage", 7100]
      ])
    }))

  it.scopedLive("telegram chat that is not a forum: later messages reply to the action's first one", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = telegramApi(false)
      const gateway = yield* startGateway(tempHome(), [{ type: "telegram", token: "42:tok", chatId: 5, apiBase: server.url, threads: true }])
      yield* send(gateway, "task-scan", 1)
      yield* send(gateway, "daily-summary", 1)
      yield* send(gateway, "task-scan", 2)
      const sends = server.requests.filter((r) => r.path.endsWith("/sendMessage")).map((r) => [r.json().text, r.json().reply_parameters])
      assert.deepStrictEqual(sends, [
        ["task-scan run 1", undefined],
        ["daily-summary run 1", undefined],
        ["task-scan run 2", { message_id: 100, allow_sending_without_reply: true }]
      ])
    }))
})
