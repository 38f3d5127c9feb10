/**
 * Golden bodies: each built-in's message, produced by the real action at a fixed time in a fixed zone,
 * delivered by the real channels to a loopback server, compared with `golden/<platform>.json` (what the
 * README shows). `UPDATE_GOLDEN=1` rewrites the files; review the diff before committing it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Links } from "../../src/domain/ChannelsConfig.js"
import { dailySummary, portfolioMonitor, taskScan } from "../../src/heartbeat/actions/index.js"
import * as CronSchedule from "../../src/domain/CronSchedule.js"
import type { HeartbeatAction } from "../../src/services/HeartbeatAction.js"
import type { OutboundMessage } from "../../src/services/Gateway.js"
import { actionLayer, HOUR, registrationOf, runAt, tempHome as actionHome, utc } from "../actions/ActionHarness.js"
import { makeDispute, makeTask, TestMarketplace } from "../layers/AgentRuntimeTest.js"
import { GatewayTest } from "../layers/GatewayTest.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { startGateway, tempHome } from "./GatewayTestKit.js"

const GOLDEN = path.join(__dirname, "golden")
/** 09:00 in Berlin (CEST) on 2 June 2025. */
const T0 = utc("2025-06-02T07:00:00")
const seconds = (ms: number) => Math.floor(ms / 1000)
const LINKS = Links.make({ explorer: "https://explorer.solana.com/address/{address}?cluster={cluster}", cluster: "devnet" })
const TASK_A = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
const TASK_B = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
const TASK_C = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T"

const registration = (action: HeartbeatAction) => ({
  ...registrationOf(action),
  schedule: Either.getOrThrow(CronSchedule.parse("@hourly", "Europe/Berlin")),
  links: LINKS
})

/** The three built-ins' messages at T0, from a marketplace with two new tasks, a claim due soon and a dispute. */
const builtinMessages = Effect.gen(function*() {
  const home = yield* actionHome
  const market = new TestMarketplace()
  const gateway = new GatewayTest()
  market.tasks = [
    makeTask(TASK_A, {
      description: "Summarise 40 pages of sensor logs into a daily report\nwith charts",
      rewardAmount: 1_500_000_000n,
      deadline: seconds(T0 + 3 * HOUR),
      requiredCapabilities: 0b11n
    }),
    makeTask(TASK_B, {
      description: "Label 2,000 images (cats & dogs) <urgent>",
      rewardAmount: 250_000_000n,
      taskType: "Collaborative",
      maxWorkers: 3,
      currentWorkers: 1,
      requiredCapabilities: 0b110n
    })
  ]
  market.portfolio = [
    { task: makeTask(TASK_C, { status: "InProgress", description: "Translate the operator manual", rewardAmount: 2_000_000_000n, deadline: seconds(T0 + 5 * HOUR + 59 * 60_000) }), claimedAt: 0, expiresAt: 0 }
  ]
  market.disputes = [makeDispute("Dispute1111", TASK_C, { votesFor: 3n, votesAgainst: 1n, votingDeadline: seconds(T0 + 26 * HOUR) })]
  market.counters = { ...market.counters, activeTasks: 1 }
  yield* Effect.gen(function*() {
    yield* runAt(registration(dailySummary), T0 - 24 * HOUR)
    market.complete(3n, 4_250_000_000n)
    market.agent = { ...market.agent, reputation: 5_120 }
    yield* runAt(registration(taskScan), T0)
    yield* runAt(registration(portfolioMonitor), T0)
    yield* runAt(registration(dailySummary), T0)
  }).pipe(Effect.provide(actionLayer(home, gateway, market.layer)))
  const byAction = new Map<string, OutboundMessage>()
  for (const send of gateway.sent) byAction.set(send.message.action, send.message)
  return byAction
})

const PLATFORMS = {
  slack: "/slack",
  discord: "/discord",
  telegram: "/bot42:tok/sendMessage",
  webhook: "/webhook"
} as const

describe("golden bodies of the built-ins' messages", () => {
  it.scoped("each platform receives exactly the golden bodies", () =>
    Effect.gen(function*() {
      const messages = yield* builtinMessages
      assert.deepStrictEqual([...messages.keys()].sort(), ["daily-summary", "portfolio-monitor", "task-scan"])
      // Delivery runs on the real clock, to real loopback servers.
      const received = yield* Effect.gen(function*() {
        const server = yield* httpTestServer()
        const gateway = yield* startGateway(tempHome(), [
          { type: "slack", url: `${server.url}/slack` },
          { type: "discord", url: `${server.url}/discord` },
          { type: "telegram", token: "42:tok", chatId: -100123, apiBase: server.url },
          { type: "webhook", url: `${server.url}/webhook` }
        ])
        const out: Record<string, Record<string, Array<unknown>>> = {}
        for (const action of ["task-scan", "portfolio-monitor", "daily-summary"]) {
          const before = server.requests.length
          const outcomes = yield* gateway.send(messages.get(action)!)
          assert.deepStrictEqual(outcomes.map((o) => o.status), ["delivered", "delivered", "delivered", "delivered"])
          for (const [platform, p] of Object.entries(PLATFORMS)) {
            const bodies = server.requests.slice(before).filter((r) => r.path === p).map((r) => r.json())
            for (const body of bodies) if (platform === "webhook") body.deliveredAt = "<deliveredAt>"
            ;(out[platform] ??= {})[action] = bodies
          }
        }
        return out
      }).pipe(Effect.withClock(Clock.make()))
      for (const platform of Object.keys(PLATFORMS)) {
        const file = path.join(GOLDEN, `${platform}.json`)
        const actual = `${JSON.stringify(received[platform], null, 2)}\n`
        if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, actual)
        assert.strictEqual(actual, fs.readFileSync(file, "utf8"), `${platform} bodies differ from ${file}`)
      }
    }), 60_000)
})
