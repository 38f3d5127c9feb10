/**
 * Benchmark: the local ledger's claimable scan over 100,000 tasks, and decoding 10,000 Solana Task
 * accounts: from their bytes (`decode`, the issue 7 figure: base64 excluded), from the base64 strings
 * of an RPC answer (`decodeFromBase64`), and the solana layer's claimable scan over them (raw prefilter)
 * next to decoding all and filtering with `isClaimable`. Not a test; run it with
 * `npx vite-node bench/taskScan.ts`. Prints the figures and writes them to bench/results/taskScan.json.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { isClaimable, type TaskFilter } from "../src/domain/Marketplace.js"
import { Database } from "../src/layers/Database.js"
import { claimableScan } from "../src/runtime/accounts/ClaimableScan.js"
import { decodeTask } from "../src/runtime/accounts/TaskAccount.js"
import { base64Bytes } from "../src/runtime/Base64Bytes.js"
import { toI64 } from "../src/runtime/LedgerRows.js"
import { makeLedgerStore } from "../src/runtime/LedgerStore.js"
import { addressFor, taskBytes } from "../test/runtime/fixtures/accounts.js"

const TASKS = 100_000
const ACCOUNTS = 10_000
const RUNS = 30
const WARMUP = 3
/** The agent: COMPUTE, INFERENCE, STORAGE, NETWORK. */
const AGENT = { name: "bench-agent", capabilities: 0b1111n }
/** What a heartbeat asks: at least 0.01 SOL, an hour of slack, the best 50. */
const TYPICAL: TaskFilter = { minReward: 10_000_000n, minDeadlineBufferSeconds: 3600, limit: 50 }
const UNLIMITED: TaskFilter = { minReward: 10_000_000n, minDeadlineBufferSeconds: 3600 }

let seed = 42
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
}
/** One to three of the ten defined capability bits. */
const randomCaps = () => {
  let mask = 0n
  for (let i = 0, n = 1 + rand(3); i < n; i++) mask |= 1n << BigInt(rand(10))
  return mask
}

const stats = (samples: ReadonlyArray<number>) => {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  const round = (x: number) => Math.round(x * 1000) / 1000
  return { runs: sorted.length, medianMs: round(at(0.5)), p10Ms: round(at(0.1)), p90Ms: round(at(0.9)), minMs: round(sorted[0]!), maxMs: round(sorted.at(-1)!) }
}

const time = <A, E, R>(effect: Effect.Effect<A, E, R>, runs: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < WARMUP; i++) yield* effect
    const samples: Array<number> = []
    let last: A | undefined
    for (let i = 0; i < runs; i++) {
      const start = performance.now()
      last = yield* effect
      samples.push(performance.now() - start)
    }
    return { ...stats(samples), last: last! }
  })

const seedLedger = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const now = Math.floor(Date.now() / 1000)
  const started = performance.now()
  yield* sql.withTransaction(Effect.gen(function*() {
    for (let i = 0; i < TASKS; i++) {
      const maxWorkers = 1 + rand(5)
      // 70 % Open; deadlines: a third none, the rest from a day ago to a week ahead.
      const status = rand(10) < 7 ? 0 : 1 + rand(5)
      const deadline = rand(3) === 0 ? 0 : now - 86_400 + rand(8 * 86_400)
      yield* sql`INSERT INTO ledger_tasks (creator, required_capabilities, description, reward_amount, max_workers, current_workers,
          status, task_type, created_at, deadline, required_completions, min_reputation)
        VALUES ('bench', ${toI64(randomCaps())}, ${`task ${i}`}, ${BigInt(1_000 + rand(1_000_000_000)) * 10n}, ${maxWorkers},
          ${rand(maxWorkers + 1)}, ${status}, ${maxWorkers === 1 ? 0 : 1}, ${now - rand(86_400)}, ${deadline}, 1, ${rand(10) === 0 ? rand(10_000) : 0})`
    }
  }))
  return performance.now() - started
})

const program = Effect.gen(function*() {
  const seedMs = yield* seedLedger
  const ledger = makeLedgerStore(yield* SqlClient.SqlClient, AGENT)
  const typical = yield* time(ledger.claimable(TYPICAL), RUNS)
  const unlimited = yield* time(ledger.claimable(UNLIMITED), RUNS)

  const now = Math.floor(Date.now() / 1000)
  const sizes = [382, 432, 466]
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
    address: addressFor(i, 1),
    data: taskBytes({
      size: sizes[i % 3],
      requiredCapabilities: randomCaps(),
      rewardAmount: BigInt(1 + rand(1_000_000_000)),
      deadline: now + rand(86_400),
      dependsOn: i % 4 === 0 ? addressFor(i, 2) : null,
      rewardMint: i % 5 === 0 ? addressFor(i, 3) : null,
      description: `account ${i}`
    })
  }))
  const decode = yield* time(Effect.sync(() => {
    let ok = 0
    for (const account of accounts) if (Either.isRight(decodeTask(account.address, account.data))) ok++
    if (ok !== ACCOUNTS) throw new Error(`decoded ${ok} of ${ACCOUNTS}`)
    return ok
  }), 10)

  // What SolanaRpc hands the decoder starts as base64 text in the JSON answer.
  const encoded = accounts.map((account) => ({ address: account.address, text: Buffer.from(account.data).toString("base64") }))
  const decodeFromBase64 = yield* time(Effect.sync(() => {
    let ok = 0
    for (const account of encoded) if (Either.isRight(decodeTask(account.address, base64Bytes(account.text)!))) ok++
    if (ok !== ACCOUNTS) throw new Error(`decoded ${ok} of ${ACCOUNTS}`)
    return ok
  }), 10)

  const agent = { capabilities: AGENT.capabilities, reputation: 5000 }
  const scan = yield* time(Effect.sync(() => Either.getOrThrow(claimableScan(accounts, agent, UNLIMITED, now))), 10)
  const decodeThenFilter = yield* time(Effect.sync(() =>
    accounts.map((a) => Either.getOrThrow(decodeTask(a.address, a.data))).filter((task) => isClaimable(task, agent, UNLIMITED, now))
  ), 10)
  if (scan.last.length !== decodeThenFilter.last.length) throw new Error(`scan found ${scan.last.length}, decode + filter ${decodeThenFilter.last.length}`)

  const result = {
    at: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}`,
    ledger: {
      tasks: TASKS,
      seedMs: Math.round(seedMs),
      agentCapabilities: `0x${AGENT.capabilities.toString(16)}`,
      typical: { filter: "minReward 0.01 SOL, deadline buffer 1 h, limit 50", matched: typical.last.length, ...{ ...typical, last: undefined } },
      unlimited: { filter: "minReward 0.01 SOL, deadline buffer 1 h, no limit", matched: unlimited.last.length, ...{ ...unlimited, last: undefined } }
    },
    decode: { accounts: ACCOUNTS, sizes, ...{ ...decode, last: undefined }, perAccountUs: Math.round((decode.medianMs / ACCOUNTS) * 1e6) / 1000 },
    decodeFromBase64: { accounts: ACCOUNTS, ...{ ...decodeFromBase64, last: undefined } },
    claimableScan: {
      accounts: ACCOUNTS,
      filter: "agent caps 0xf, reputation 5000; minReward 0.01 SOL, deadline buffer 1 h",
      matched: scan.last.length,
      rawPrefilter: { ...scan, last: undefined },
      decodeAllThenFilter: { ...decodeThenFilter, last: undefined }
    }
  }
  const out = path.join(import.meta.dirname, "results", "taskScan.json")
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n")
  console.log(JSON.stringify(result, null, 2))
  console.log(`wrote ${out}`)
})

const home = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-bench-"))
Effect.runPromise(program.pipe(Effect.provide(Database(home).pipe(Layer.provide(NodeContext.layer)))))
  .finally(() => fs.rmSync(home, { recursive: true, force: true }))
  .catch((error) => {
    console.error(error)
    process.exit(1)
  })
