import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { httpTestServer, type HttpTestServer } from "../layers/HttpTestServer.js"
import { captureLogs, eventually, fastDelivery, message, sleep, startGateway, tempHome } from "./GatewayTestKit.js"

const fixture = path.join(import.meta.dirname, "fixtures", "send.ts")

/** Runs the fixture in a new node process: vite-node send.ts home channels ids... */
const spawnSender = (home: string, channels: ReadonlyArray<unknown>, ids: ReadonlyArray<string>) => {
  const child = spawn("npx", ["vite-node", fixture, "--", home, JSON.stringify(channels), ...ids], {
    cwd: path.join(import.meta.dirname, "..", ".."),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk) => (stdout += chunk))
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal === null ? code : -1)))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

/** Succeeded requests per idempotency key. */
const deliveredIds = (server: HttpTestServer) =>
  server.succeeded.map((request) => request.headers["idempotency-key"] as string).sort()

describe("pending queue across restarts", () => {
  it.scopedLive("messages queued by a process that exited are delivered by the next one, each id exactly once", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const port = server.port
      yield* Effect.promise(() => server.stop())
      const home = tempHome()
      const channels = [{ type: "webhook", url: `http://127.0.0.1:${port}/in`, delivery: fastDelivery }, { type: "file" }]
      const ids = ["task-scan@1", "task-scan@2", "task-scan@3"]

      const first = spawnSender(home, channels, ids)
      const code = yield* Effect.promise(() => first.exited)
      const { stderr, stdout } = first.output()
      assert.strictEqual(code, 0, stderr)
      const outcomes = stdout.split("\n").filter((line) => line.startsWith("[")).map((line) => JSON.parse(line))
      assert.strictEqual(outcomes.length, 3)
      for (const perChannel of outcomes) {
        assert.deepStrictEqual(perChannel.map((o: { status: string }) => o.status), ["queued", "delivered"])
      }

      // The server comes back; a new gateway on the same home drains the queue on its own.
      yield* Effect.promise(() => server.start())
      const gateway = yield* startGateway(home, channels)
      yield* eventually(gateway.pending().pipe(Effect.map((n) => n === 0)))
      yield* sleep(300)
      assert.deepStrictEqual(deliveredIds(server), ids)
      assert.strictEqual(server.requests.length, 3)
      // ids the old process delivered (the file channel) and the new one delivered (webhook) are both remembered
      const again = yield* gateway.send(message({ id: "task-scan@2" }))
      assert.deepStrictEqual(again.map((o) => o.status), ["duplicate", "duplicate"])
      assert.strictEqual(server.requests.length, 3)
    }), 60_000)

  it.scopedLive("survives kill -9 in the middle of an attempt: the write-ahead row is retried, and delivered once", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.reply("hang")
      const home = tempHome()
      const channels = [{ type: "webhook", url: `${server.url}/in`, timeout: "3s", delivery: { ...fastDelivery, retries: 0 } }]
      const sender = spawnSender(home, channels, ["portfolio@1"])
      yield* Effect.promise(() => server.waitFor((requests) => requests.length === 1, 30_000))
      sender.child.kill("SIGKILL")
      assert.strictEqual(yield* Effect.promise(() => sender.exited), -1)
      assert.notInclude(sender.output().stdout, "done")

      // The killed process still holds the lease for timeout + margin; the next process waits it out.
      const gateway = yield* startGateway(home, channels.map((c) => ({ ...c, timeout: "2s" })))
      assert.strictEqual(yield* gateway.pending(), 1)
      yield* Effect.promise(() => server.waitFor(() => server.succeeded.length === 1, 30_000))
      yield* eventually(gateway.pending().pipe(Effect.map((n) => n === 0)))
      assert.deepStrictEqual(deliveredIds(server), ["portfolio@1"])
      assert.deepStrictEqual(server.requests.map((r) => r.headers["idempotency-key"]), ["portfolio@1", "portfolio@1"])
    }), 90_000)

  it.scopedLive("a gateway closed with messages queued hands them to the next one in the same process", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.failTimes(3, 500)
      const home = tempHome()
      const channels = [{ type: "webhook", url: server.url, delivery: fastDelivery }]
      const scope = yield* Scope.make()
      const first = yield* startGateway(home, channels).pipe(Scope.extend(scope))
      const [outcome] = yield* first.send(message())
      assert.strictEqual(outcome!.status, "queued")
      yield* Scope.close(scope, Exit.void)
      const second = yield* startGateway(home, channels)
      yield* eventually(second.pending().pipe(Effect.map((n) => n === 0)))
      assert.deepStrictEqual(server.requests.map((r) => r.answer), [500, 500, 500, 200])
    }))

  it.scopedLive("a restarted gateway keeps the backoff a Retry-After set instead of retrying at once", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.reply({ status: 429, headers: { "retry-after": "6" } })
      const home = tempHome()
      const channels = [{ type: "webhook", url: server.url, delivery: fastDelivery }]
      const scope = yield* Scope.make()
      const first = yield* startGateway(home, channels).pipe(Scope.extend(scope))
      assert.strictEqual((yield* first.send(message()))[0]!.status, "queued")
      yield* Scope.close(scope, Exit.void)
      const second = yield* startGateway(home, channels)
      // a new message on the same channel waits its turn too
      assert.strictEqual((yield* second.send(message({ id: "later" })))[0]!.status, "queued")
      yield* eventually(second.pending().pipe(Effect.map((n) => n === 0)))
      assert.deepStrictEqual(server.requests.map((r) => r.headers["idempotency-key"]), [message().id, message().id, "later"])
      assert.isAtLeast(server.requests[1]!.at - server.requests[0]!.at, 5_990)
    }))

  it.scopedLive("a message undelivered for longer than expireAfter is dropped and logged", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      const server = yield* httpTestServer()
      server.handler = () => ({ status: 503 })
      const gateway = yield* startGateway(tempHome(), [
        { type: "webhook", url: server.url, delivery: { retries: 0, backoff: 50, maxBackoff: 100, expireAfter: "600ms" } }
      ])
      const [outcome] = yield* gateway.send(message())
      assert.strictEqual(outcome!.status, "queued")
      yield* eventually(gateway.pending().pipe(Effect.map((n) => n === 0)))
      const attempts = server.requests.length
      assert.isAtLeast(attempts, 3, "retried until it expired")
      assert.isTrue(logs.lines.some((line) => line.includes("level=ERROR") && line.includes("expired")))
      const [again] = yield* gateway.send(message())
      assert.strictEqual(again!.status, "dropped")
      assert.match(again!.error!, /^expired: undelivered after \d+ attempts/)
      yield* sleep(300)
      assert.strictEqual(server.requests.length, attempts)
    }).pipe(Effect.provide(logs.layer))
  })
})
