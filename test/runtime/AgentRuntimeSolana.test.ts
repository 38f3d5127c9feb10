import { FetchHttpClient } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { getBase58Decoder } from "@solana/kit"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { type Task } from "../../src/domain/Marketplace.js"
import { KNOWN_PROGRAM_IDS, MAINNET_PROGRAM_ID, SolanaRuntimeConfig } from "../../src/domain/RuntimeConfig.js"
import { GatewayConfig } from "../../src/domain/GatewayConfig.js"
import { AgentRuntimeLive } from "../../src/layers/AgentRuntimeLive.js"
import { AgentRuntimeSolana } from "../../src/layers/AgentRuntimeSolana.js"
import { redactUrl } from "../../src/domain/RedactUrl.js"
import { AgentRuntime } from "../../src/services/AgentRuntime.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { addressFor, agentBytes, claimBytes, disputeBytes, DOCUMENTED_DISCRIMINATORS, taskBytes } from "./fixtures/accounts.js"
import { type RpcNode, rpcNode } from "./fixtures/RpcNode.js"

const PROGRAM = MAINNET_PROGRAM_ID
const b58 = (bytes: ReadonlyArray<number>) => getBase58Decoder().decode(Uint8Array.from(bytes))
const AGENT = addressFor(500)
const KEY = "sk_live_SECRETKEY123"

const config = (node: RpcNode, extra: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(SolanaRuntimeConfig)({
    source: "solana",
    rpcUrl: `${node.server.url}/v2/${KEY}?api-key=${KEY}`,
    agent: AGENT,
    timeout: "300ms",
    retries: 2,
    retryDelay: "10ms",
    ...extra
  })

const runtimeOn = (node: RpcNode, extra: Record<string, unknown> = {}) =>
  AgentRuntimeSolana(config(node, extra)).pipe(Layer.provide(FetchHttpClient.layer))

const withRuntime = <A, E>(node: RpcNode, body: (runtime: AgentRuntime["Type"]) => Effect.Effect<A, E>, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(AgentRuntime, body).pipe(Effect.provide(runtimeOn(node, extra)))

const ids = (tasks: ReadonlyArray<Task>) => tasks.map((t) => t.id)
const now = () => Math.floor(Date.now() / 1000)

/** A marketplace: the agent (caps 0b11, reputation 5000) and tasks of every kind. */
const seed = (node: RpcNode) => {
  const t = now()
  node.put(AGENT, PROGRAM, agentBytes({ capabilities: 0b11n, reputation: 5000, tasksCompleted: 12n, totalEarned: 3_500_000_000n, activeTasks: 2, stake: 1_000_000_000n }))
  const tasks = {
    plain: taskBytes({ requiredCapabilities: 0b01n, rewardAmount: 100n }),
    mainnet: taskBytes({ requiredCapabilities: 0b11n, rewardAmount: 500n, size: 466, dependsOn: addressFor(900), rewardMint: addressFor(901), deadline: t + 3600 }),
    sized432: taskBytes({ requiredCapabilities: 0b10n, rewardAmount: 300n, size: 432, deadline: t + 60 }),
    tooCapable: taskBytes({ requiredCapabilities: 0b100n, rewardAmount: 900n }),
    full: taskBytes({ maxWorkers: 2, currentWorkers: 2, taskType: 1, rewardAmount: 800n }),
    expired: taskBytes({ deadline: t - 10, rewardAmount: 700n }),
    reputable: taskBytes({ minReputation: 6000, rewardAmount: 600n }),
    inProgress: taskBytes({ status: 1, rewardAmount: 1000n }),
    completed: taskBytes({ status: 3, rewardAmount: 1000n }),
    zeroCaps: taskBytes({ requiredCapabilities: 0n, rewardAmount: 650n })
  }
  const address: Record<string, string> = {}
  Object.entries(tasks).forEach(([name, bytes], i) => {
    address[name] = addressFor(100 + i)
    node.put(address[name]!, PROGRAM, bytes)
  })
  // Another program's account with the same bytes must never show up.
  node.put(addressFor(999), addressFor(998), taskBytes({ rewardAmount: 5000n }))
  return address as Record<keyof typeof tasks, string>
}

describe("AgentRuntimeSolana against a JSON-RPC node on loopback", () => {
  it.scopedLive("claimableTasks: sends the discriminator and status memcmp filters and applies the claimable rule", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      const a = seed(node)
      const tasks = yield* withRuntime(node, (runtime) => runtime.claimableTasks({}))
      assert.deepStrictEqual(ids(tasks), [a.mainnet, a.sized432, a.plain])
      const mainnet = tasks[0]!
      assert.strictEqual(mainnet.rewardAmount, 500n)
      assert.strictEqual(mainnet.dependsOn, addressFor(900))
      assert.strictEqual(mainnet.rewardMint, addressFor(901))

      const scan = node.calls.find((c) => c.method === "getProgramAccounts")!
      assert.strictEqual(scan.params[0], PROGRAM)
      assert.deepStrictEqual(scan.params[1], {
        encoding: "base64",
        commitment: "confirmed",
        filters: [
          { memcmp: { offset: 0, bytes: b58(DOCUMENTED_DISCRIMINATORS.Task) } },
          { memcmp: { offset: 186, bytes: "1" } }
        ]
      })
      assert.isTrue(node.calls.every((c) => !JSON.stringify(c.params).includes("dataSize")))
      const agentCall = node.calls.find((c) => c.method === "getAccountInfo")!
      assert.deepStrictEqual(agentCall.params, [AGENT, { encoding: "base64", commitment: "confirmed" }])

      const filtered = yield* withRuntime(node, (runtime) =>
        Effect.all([
          runtime.claimableTasks({ minReward: 200n, maxReward: 400n }),
          runtime.claimableTasks({ capabilities: 0b01n }),
          runtime.claimableTasks({ minDeadlineBufferSeconds: 600 }),
          runtime.claimableTasks({ taskTypes: ["Collaborative"] }),
          runtime.claimableTasks({ limit: 1 })
        ]))
      assert.deepStrictEqual(filtered.map(ids), [[a.sized432], [a.plain], [a.mainnet, a.plain], [], [a.mainnet]])
    }))

  it.scopedLive("agentSnapshot decodes the registration; a missing one is NotFoundError, a foreign one DecodeError", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      const snapshot = yield* withRuntime(node, (runtime) => runtime.agentSnapshot())
      assert.deepStrictEqual(
        [snapshot.agent, snapshot.capabilities, snapshot.tasksCompleted, snapshot.totalEarned, snapshot.reputation, snapshot.activeTasks, snapshot.stake],
        [AGENT, 0b11n, 12n, 3_500_000_000n, 5000, 2, 1_000_000_000n]
      )
      node.accounts.delete(AGENT)
      const missing = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.strictEqual(missing._tag, "NotFoundError")
      node.put(AGENT, addressFor(998), agentBytes())
      const foreign = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.isTrue(foreign._tag === "DecodeError" && foreign.account === AGENT && foreign.message.includes("not the AgenC program"))
      // legacy layout (u8 active_tasks) on a non-mainnet program id
      node.put(AGENT, KNOWN_PROGRAM_IDS.devnet, agentBytes({ layout: "legacy", activeTasks: 3, stake: 42n }))
      const legacy = yield* withRuntime(node, (runtime) => runtime.agentSnapshot(), { programId: KNOWN_PROGRAM_IDS.devnet })
      assert.deepStrictEqual([legacy.activeTasks, legacy.stake], [3, 42n])
    }))

  it.scopedLive("portfolio: the agent's open claims by memcmp on worker and is_completed, with their tasks", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      const a = seed(node)
      node.put(addressFor(700), PROGRAM, claimBytes({ task: a.inProgress, worker: AGENT, claimedAt: 1_700_000_200, expiresAt: 1_800_000_000 }))
      node.put(addressFor(701), PROGRAM, claimBytes({ task: a.plain, worker: AGENT, claimedAt: 1_700_000_100 }))
      node.put(addressFor(702), PROGRAM, claimBytes({ task: a.completed, worker: AGENT, isCompleted: true }))
      node.put(addressFor(703), PROGRAM, claimBytes({ task: a.full, worker: addressFor(501) }))
      node.put(addressFor(704), PROGRAM, claimBytes({ task: addressFor(777), worker: AGENT })) // task account closed
      const portfolio = yield* withRuntime(node, (runtime) => runtime.portfolio())
      assert.deepStrictEqual(portfolio.map((p) => [p.task.id, p.claimedAt, p.expiresAt, p.task.status]), [
        [a.plain, 1_700_000_100, 0, "Open"],
        [a.inProgress, 1_700_000_200, 1_800_000_000, "InProgress"]
      ])
      const claimScan = node.calls.find((c) => c.method === "getProgramAccounts")!
      assert.deepStrictEqual(claimScan.params[1].filters, [
        { memcmp: { offset: 0, bytes: b58(DOCUMENTED_DISCRIMINATORS.TaskClaim) } },
        { memcmp: { offset: 40, bytes: AGENT } },
        { memcmp: { offset: 192, bytes: "1" } }
      ])
      assert.isTrue(node.calls.some((c) => c.method === "getMultipleAccounts"))
    }))

  it.scopedLive("disputes: one memcmp on the task per id, decoded with status", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      const a = seed(node)
      node.put(addressFor(800), PROGRAM, disputeBytes({ task: a.inProgress, status: 0 }))
      node.put(addressFor(801), PROGRAM, disputeBytes({ task: a.completed, status: 1, resolutionType: 0 }))
      node.put(addressFor(802), PROGRAM, disputeBytes({ task: a.plain, status: 2 }))
      const disputes = yield* withRuntime(node, (runtime) => runtime.disputes([a.inProgress, a.completed, "not-an-address"]))
      assert.deepStrictEqual(disputes.map((d) => [d.id, d.task, d.status]).sort(), [
        [addressFor(800), a.inProgress, "Active"],
        [addressFor(801), a.completed, "Resolved"]
      ].sort())
      const scans = node.calls.filter((c) => c.method === "getProgramAccounts")
      assert.strictEqual(scans.length, 2)
      assert.deepStrictEqual(scans.map((s) => s.params[1].filters[1]).sort((x: any, y: any) => x.memcmp.bytes.localeCompare(y.memcmp.bytes)),
        [a.inProgress, a.completed].sort().map((task) => ({ memcmp: { offset: 40, bytes: task } })))
    }))

  it.scopedLive("a truncated task account is a DecodeError naming its address", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      node.put(addressFor(600), PROGRAM, taskBytes({ dependsOn: addressFor(1) }).subarray(0, 320))
      const error = yield* Effect.flip(withRuntime(node, (runtime) => runtime.claimableTasks({})))
      assert.isTrue(error._tag === "DecodeError" && error.account === addressFor(600), JSON.stringify(error))
    }))

  it.scopedLive("429 and 500 are retried with backoff, then succeed", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      node.server.reply({ status: 429, body: "slow down" }, { status: 500, body: "oops" })
      const snapshot = yield* withRuntime(node, (runtime) => runtime.agentSnapshot())
      assert.strictEqual(snapshot.reputation, 5000)
      assert.deepStrictEqual(node.server.requests.map((r) => r.answer), [429, 500, 200])
      const gaps = node.server.requests.slice(1).map((r, i) => r.at - node.server.requests[i]!.at)
      assert.isAtLeast(gaps[0]!, 9)
      assert.isAtLeast(gaps[1]!, 19)
    }))

  it.scopedLive("a node that stays down: RpcError after every retry, naming the URL with its key redacted", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      node.server.failTimes(10, 503)
      const error = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.strictEqual(error._tag, "RpcError")
      assert.strictEqual(node.server.requests.length, 3)
      assert.include(error.message, `http://127.0.0.1:${node.server.port}/***/***?api-key=***`)
      assert.include(error.message, "after 3 attempts: HTTP 503")
      assert.notInclude(error.message + JSON.stringify(error), KEY)
    }))

  it.scopedLive("malformed JSON is an RpcError without retrying; a JSON-RPC error too", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      node.server.reply({ status: 200, body: "{\"jsonrpc\":\"2.0\",\"result\":[" })
      const malformed = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.isTrue(malformed._tag === "RpcError" && malformed.message.includes("malformed JSON"))
      assert.strictEqual(node.server.requests.length, 1)
      node.server.reply({ status: 200, body: JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32010, message: "excluded from account secondary indexes" } }) })
      const rpcError = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.isTrue(rpcError._tag === "RpcError" && rpcError.message.includes("JSON-RPC error -32010"))
    }))

  it.scopedLive("a node that never answers: each attempt times out, then RpcError", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      node.server.reply("hang", "hang", "hang")
      const started = Date.now()
      const error = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.isTrue(error._tag === "RpcError" && error.message.includes("no answer within 300 ms"), error.message)
      assert.strictEqual(node.server.requests.length, 3)
      assert.isAtLeast(Date.now() - started, 900)
      // A timeout followed by an answer recovers.
      node.server.reply("hang")
      assert.strictEqual((yield* withRuntime(node, (runtime) => runtime.agentSnapshot())).reputation, 5000)
    }))

  it.scopedLive("a refused connection is retried, then an RpcError", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      yield* Effect.promise(() => node.server.stop())
      const error = yield* Effect.flip(withRuntime(node, (runtime) => runtime.agentSnapshot()))
      assert.isTrue(error._tag === "RpcError" && error.message.includes("network error") && error.message.includes("after 3 attempts"), error.message)
      assert.notInclude(error.message, KEY)
    }))

  it.scopedLive("AgentRuntimeLive picks the solana layer from runtime.source, reading the URL from the environment", () =>
    Effect.gen(function*() {
      const node = yield* rpcNode
      seed(node)
      process.env.AGENC_TEST_RPC_URL = node.server.url
      const gateway = Schema.decodeUnknownSync(GatewayConfig)({ runtime: { source: "solana", rpcUrl: { env: "AGENC_TEST_RPC_URL" }, agent: AGENT } })
      assert.strictEqual((gateway.runtime as SolanaRuntimeConfig).programId, MAINNET_PROGRAM_ID)
      const snapshot = yield* Effect.flatMap(AgentRuntime, (runtime) => runtime.agentSnapshot()).pipe(
        Effect.provide(AgentRuntimeLive.pipe(
          Layer.provide(Layer.succeed(AppConfig, { home: "/nonexistent", file: "gateway.json", fromFile: false, config: gateway })),
          Layer.provide(Layer.succeed(SqlClient.SqlClient, {} as SqlClient.SqlClient))
        ))
      )
      assert.strictEqual(snapshot.tasksCompleted, 12n)
      delete process.env.AGENC_TEST_RPC_URL
    }))
})

describe("redactUrl", () => {
  it("keeps scheme, host and port; hides user info, path segments and query values", () => {
    assert.strictEqual(redactUrl("https://mainnet.helius-rpc.com/?api-key=abc123"), "https://mainnet.helius-rpc.com?api-key=***")
    assert.strictEqual(redactUrl("https://solana-mainnet.g.alchemy.com/v2/KEY"), "https://solana-mainnet.g.alchemy.com/***/***")
    assert.strictEqual(redactUrl("https://user:pass@rpc.example:8899/"), "https://***@rpc.example:8899")
    assert.strictEqual(redactUrl("https://api.mainnet-beta.solana.com"), "https://api.mainnet-beta.solana.com")
    assert.strictEqual(redactUrl("not a url"), "<invalid URL>")
  })
})
