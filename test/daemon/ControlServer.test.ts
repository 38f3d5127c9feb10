import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import * as ControlClient from "../../src/daemon/ControlClient.js"
import { serveControl } from "../../src/daemon/ControlServer.js"
import { tempDir } from "../layers/CliProcess.js"
import { rawExchange } from "../layers/RawSocket.js"

const serve = (socket: string) =>
  serveControl(socket, (request) => Effect.succeed({ ok: true as const, result: { op: request.op } }), { idleTimeoutMs: 300, maxConnections: 2 })

describe("serveControl (a real AF_UNIX socket)", () => {
  it.live("an idle connection is answered and closed after the idle timeout; past the cap a connection is answered busy", () =>
    Effect.gen(function*() {
      const socket = path.join(yield* tempDir, "control.sock")
      yield* serve(socket)
      assert.strictEqual(fs.statSync(socket).mode & 0o777, 0o600)
      // Two idle connections take the two places.
      const idle = [yield* Effect.fork(rawExchange(socket, "")), yield* Effect.fork(rawExchange(socket, ""))]
      yield* Effect.sleep(100)
      const third = yield* rawExchange(socket, "{\"op\":\"ping\"}\n")
      assert.include(third, "\"code\":\"busy\"")
      for (const fiber of idle) {
        const reply = yield* fiber
        assert.include(reply, "no request within 300 ms")
      }
      // Places free again.
      const answer = yield* ControlClient.request(socket, { op: "status" })
      assert.deepStrictEqual(answer, { ok: true, result: { op: "status" } })
    }).pipe(Effect.scoped), 20_000)

  it.live("closing the scope ends open connections and removes the socket file", () =>
    Effect.gen(function*() {
      const socket = path.join(yield* tempDir, "control.sock")
      const closed = yield* Effect.scoped(Effect.gen(function*() {
        yield* serve(socket)
        const conn = net.connect(socket)
        yield* Effect.async<void>((resume) => void conn.on("connect", () => resume(Effect.void)))
        return new Promise<void>((resolve) => conn.on("close", () => resolve()))
      }))
      yield* Effect.promise(() => closed)
      assert.isFalse(fs.existsSync(socket))
    }).pipe(Effect.scoped), 20_000)
})
