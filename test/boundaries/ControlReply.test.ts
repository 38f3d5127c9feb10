import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as net from "node:net"
import * as path from "node:path"
import * as ControlClient from "../../src/daemon/ControlClient.js"
import { decodeLiveStatus, decodePingResult, decodeRunReport } from "../../src/daemon/ControlProtocol.js"
import { tempDir } from "../layers/CliProcess.js"

/** A stranger on the control socket: answers every request with `reply` and records what it was asked. */
const strangeDaemon = (socket: string, reply: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: net.Server; readonly requests: Array<string> }>((resume) => {
      const requests: Array<string> = []
      const server = net.createServer((conn) => {
        let text = ""
        conn.on("data", (chunk) => {
          text += chunk.toString("utf8")
          if (text.includes("\n")) {
            requests.push(text.trim())
            conn.end(reply)
          }
        })
      })
      server.listen(socket, () => resume(Effect.succeed({ server, requests })))
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

const failureMessage = <A>(exit: Exit.Exit<A, ControlClient.ControlError>): string => {
  assert.isTrue(Exit.isFailure(exit), "expected a typed failure")
  if (Exit.isSuccess(exit)) return ""
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.isDefined(error, `expected a ControlError, not a defect: ${String(exit.cause)}`)
  assert.strictEqual(error!._tag, "ControlError")
  assert.isNotEmpty(error!.message)
  return error!.message
}

describe("control-socket replies are decoded (a real AF_UNIX server the test starts)", () => {
  it.live("a ping result whose pid is not a number is a ControlError naming the field", () =>
    Effect.gen(function*() {
      const socket = path.join(yield* tempDir, "control.sock")
      const daemon = yield* strangeDaemon(socket, "{\"ok\":true,\"result\":{\"pid\":\"1234\"}}\n")
      const exit = yield* Effect.exit(ControlClient.requestResult(socket, { op: "ping" }, decodePingResult))
      assert.include(failureMessage(exit), "pid")
      assert.deepStrictEqual(daemon.requests, ["{\"op\":\"ping\"}"])
    }).pipe(Effect.scoped), 20_000)

  it.live("a run report with an unknown outcome or a delivery without attempts is a ControlError", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const report = { action: "a", scheduledAt: 1, startedAt: 2, endedAt: 3, outcome: "exploded", deliveries: [] }
      const badOutcome = path.join(dir, "outcome.sock")
      yield* strangeDaemon(badOutcome, `${JSON.stringify({ ok: true, result: report })}\n`)
      const outcome = failureMessage(yield* Effect.exit(ControlClient.requestResult(badOutcome, { op: "trigger", action: "a" }, decodeRunReport)))
      assert.include(outcome, "outcome")
      assert.include(outcome, "not a trigger result")
      const badDelivery = path.join(dir, "delivery.sock")
      yield* strangeDaemon(badDelivery, `${JSON.stringify({ ok: true, result: { ...report, outcome: "notified", deliveries: [{ channel: "slack", status: "delivered" }] } })}\n`)
      assert.include(failureMessage(yield* Effect.exit(ControlClient.requestResult(badDelivery, { op: "trigger", action: "a" }, decodeRunReport))), "deliveries.0.attempts")
    }).pipe(Effect.scoped), 20_000)

  it.live("a status whose metrics are not a metrics summary is a ControlError; a well-formed one decodes", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const status = { pid: 7, startedAt: 1, actions: [] }
      const bad = path.join(dir, "bad.sock")
      yield* strangeDaemon(bad, `${JSON.stringify({ ok: true, result: { ...status, metrics: { runs: "many" } } })}\n`)
      assert.include(failureMessage(yield* Effect.exit(ControlClient.requestResult(bad, { op: "status" }, decodeLiveStatus))), "metrics")
      const good = path.join(dir, "good.sock")
      const metrics = { runs: { a: { quiet: 2 } }, deliveries: {}, outboxDepth: {}, deadLetters: {}, loopRestarts: {}, lastSuccess: {}, lateness: {}, duration: { a: { count: 2, sum: 0.5, max: 0.3 } } }
      yield* strangeDaemon(good, `${JSON.stringify({ ok: true, result: { ...status, metrics } })}\n`)
      const answer = yield* ControlClient.requestResult(good, { op: "status" }, decodeLiveStatus)
      assert.isTrue(answer.ok)
      if (answer.ok) assert.deepStrictEqual(answer.result.metrics, metrics)
    }).pipe(Effect.scoped), 20_000)

  it.live("a reply that is not JSON is a ControlError; an error reply is passed on for the caller to map", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const garbage = path.join(dir, "garbage.sock")
      yield* strangeDaemon(garbage, "HTTP/1.1 400 Bad Request\n")
      assert.include(failureMessage(yield* Effect.exit(ControlClient.requestResult(garbage, { op: "ping" }, decodePingResult))), "not a control reply")
      const refused = path.join(dir, "refused.sock")
      yield* strangeDaemon(refused, "{\"ok\":false,\"error\":\"no action named \\\"x\\\"\",\"code\":\"unknown-action\"}\n")
      const answer = yield* ControlClient.requestResult(refused, { op: "trigger", action: "x" }, decodeRunReport)
      assert.deepStrictEqual(answer, { ok: false, error: "no action named \"x\"", code: "unknown-action" })
    }).pipe(Effect.scoped), 20_000)
})
