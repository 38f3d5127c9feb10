import { FetchHttpClient, HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { makeSolanaRpc } from "../../src/runtime/SolanaRpc.js"
import { RpcError } from "../../src/services/AgentRuntime.js"
import { httpTestServer } from "../layers/HttpTestServer.js"

const rpcErrorOf = <A>(exit: Exit.Exit<A, unknown>): string => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(error, RpcError, `expected an RpcError, not a defect: ${Exit.isFailure(exit) ? String(exit.cause) : ""}`)
  return error instanceof RpcError ? error.message : ""
}

describe("JSON-RPC answers are decoded (a loopback HTTP server answering malformed JSON-RPC)", () => {
  it.scopedLive("an answer without result or error, or a result of the wrong shape, is an RpcError, not retried", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      const client = yield* HttpClient.HttpClient
      const rpc = makeSolanaRpc(client, { url: server.url, commitment: "confirmed", timeoutMs: 2_000, retries: 2, retryDelayMs: 10 })
      const json = (body: unknown) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

      server.reply(json([{ jsonrpc: "2.0", id: 1, result: null }]))
      assert.include(rpcErrorOf(yield* Effect.exit(rpc.getAccount("7xK"))), "not a JSON-RPC response")
      // Neither result nor error: not a JSON-RPC response either.
      server.reply(json({ jsonrpc: "2.0", id: 2, outcome: "fine" }))
      assert.include(rpcErrorOf(yield* Effect.exit(rpc.getAccount("7xK"))), "not a JSON-RPC response")
      server.reply(json({ jsonrpc: "2.0", id: 3, result: { value: { owner: 7, data: ["AAAA", "base58"] } } }))
      assert.include(rpcErrorOf(yield* Effect.exit(rpc.getAccount("7xK"))), "unexpected result shape")
      assert.strictEqual(server.requests.length, 3, "a malformed answer is not retried")
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
