import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { captureLogs, fastDelivery, message, startGateway, tempHome } from "./GatewayTestKit.js"

const SLACK_TOKEN = "sekretSlackToken123"
const DISCORD_TOKEN = "sekretDiscordToken456"
const TELEGRAM_TOKEN = "999:sekretTelegramToken"
const HMAC_SECRET = "sekretHmacKey789"
const HEADER_SECRET = "Bearer sekretHeaderValue000"
const SECRETS = [SLACK_TOKEN, DISCORD_TOKEN, TELEGRAM_TOKEN, HMAC_SECRET, HEADER_SECRET, "sekret"]

describe("secrets", () => {
  it.scopedLive("never appear in a log line, an outcome, an error or status, whatever the channels answer", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      const server = yield* httpTestServer()
      const closed = yield* httpTestServer()
      yield* Effect.promise(() => closed.stop())
      // A careless server quotes the request path, token included, in its error bodies.
      server.handler = (request) =>
        request.path.includes("slack") ? { status: 500, body: `no such hook ${request.path}` }
        : request.path.includes("discord") ? { status: 404, body: `unknown webhook ${request.path}` }
        : request.path.includes("hang") ? "hang"
        : { status: 401, body: `bad credentials ${request.headers.authorization} for ${request.body}` }
      const home = tempHome()
      fs.writeFileSync(path.join(home, "tg"), TELEGRAM_TOKEN)
      process.env.AGENC_TEST_SLACK_URL = `${server.url}/slack/services/T0/B0/${SLACK_TOKEN}`
      process.env.AGENC_TEST_HEADER = HEADER_SECRET
      const gateway = yield* startGateway(home, [
        { type: "slack", url: { env: "AGENC_TEST_SLACK_URL" }, delivery: fastDelivery },
        { type: "discord", url: `${server.url}/discord/api/webhooks/1/${DISCORD_TOKEN}`, delivery: fastDelivery },
        { type: "telegram", name: "tg-down", token: { file: path.join(home, "tg") }, chatId: 1, apiBase: closed.url, delivery: fastDelivery },
        { type: "telegram", name: "tg-hang", token: TELEGRAM_TOKEN, chatId: 1, apiBase: `${server.url}/hang`, timeout: 300, delivery: fastDelivery },
        { type: "webhook", url: `${server.url}/hook?key=${DISCORD_TOKEN}`, secret: HMAC_SECRET, headers: { Authorization: { env: "AGENC_TEST_HEADER" } }, delivery: fastDelivery }
      ])
      const outcomes = yield* gateway.send(message())
      assert.deepStrictEqual(outcomes.map((o) => o.status), ["queued", "dropped", "queued", "queued", "dropped"])
      yield* gateway.flush
      const status = yield* gateway.status

      const everything = [...logs.lines, JSON.stringify(outcomes), JSON.stringify(status)]
      assert.isAbove(logs.lines.length, 5)
      assert.isTrue(logs.lines.some((line) => line.includes("channel=slack") && line.includes("HTTP 500")), "the failures were logged")
      assert.isTrue(everything.some((line) => line.includes("<redacted>")), "the quoted tokens were redacted, not dropped")
      for (const text of everything) {
        for (const secret of SECRETS) assert.notInclude(text, secret)
      }
      // status names where each channel delivers, without the token
      assert.deepStrictEqual(status.map((s) => s.target), [
        `http://127.0.0.1:${server.port}/…`,
        `http://127.0.0.1:${server.port}/…`,
        `${closed.url}/bot<redacted>/sendMessage (chat 1)`,
        `${server.url}/hang/bot<redacted>/sendMessage (chat 1)`,
        `http://127.0.0.1:${server.port}/…`
      ])
      assert.deepStrictEqual(status.map((s) => s.pending), [1, 0, 1, 1, 0])
    }).pipe(Effect.provide(logs.layer))
  })

  it.scopedLive("an unset variable or missing file fails construction with the config path, not the value", () =>
    Effect.gen(function*() {
      delete process.env.AGENC_TEST_UNSET
      const unset = yield* Effect.either(startGateway(tempHome(), [{ type: "console" }, { type: "slack", url: { env: "AGENC_TEST_UNSET" } }]))
      assert.isTrue(Either.isLeft(unset))
      const error = (unset as Either.Left<any, unknown>).left
      assert.strictEqual(error._tag, "ConfigError")
      assert.strictEqual(error.line, "channels[1].url: environment variable AGENC_TEST_UNSET is not set")

      const missing = yield* Effect.either(startGateway(tempHome(), [{ type: "telegram", token: { file: "/nonexistent/token" }, chatId: 1 }]))
      assert.match((missing as Either.Left<any, unknown>).left.line, /^channels\[0\]\.token: cannot read secret file \/nonexistent\/token/)

      process.env.AGENC_TEST_BAD_URL = "not a url sekret"
      const bad = yield* Effect.either(startGateway(tempHome(), [{ type: "discord", url: { env: "AGENC_TEST_BAD_URL" } }]))
      assert.strictEqual((bad as Either.Left<any, unknown>).left.line, "channels[0].url: not an http(s) URL")
    }))
})

