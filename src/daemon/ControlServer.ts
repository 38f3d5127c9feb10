import { Effect, FiberSet } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import type { ControlRequest, ControlResponse } from "./ControlProtocol.js"

/** The longest request line accepted; anything longer is not ours. */
const MAX_REQUEST = 64 * 1024

/**
 * Serves the control socket (mode 0600) while the scope lives: each connection sends one JSON request
 * line and gets one JSON response line. The socket file is removed when the scope closes.
 */
export const serveControl = <R>(socketPath: string, handle: (request: ControlRequest) => Effect.Effect<ControlResponse, never, R>) =>
  Effect.gen(function*() {
    // Each request runs as a fiber of this scope, so shutdown interrupts what is still going.
    const run = yield* FiberSet.makeRuntime<R>()
    const answer = (socket: net.Socket, line: string) => {
      let request: ControlRequest
      try {
        request = JSON.parse(line) as ControlRequest
      } catch {
        socket.end(JSON.stringify({ ok: false, error: "bad request" } satisfies ControlResponse) + "\n")
        return
      }
      run(handle(request).pipe(Effect.flatMap((response) => Effect.sync(() => socket.end(JSON.stringify(response) + "\n")))))
    }
    const server = net.createServer((socket) => {
      let buffer = ""
      socket.setEncoding("utf8")
      socket.on("error", () => socket.destroy())
      socket.on("data", (chunk: string) => {
        buffer += chunk
        const newline = buffer.indexOf("\n")
        if (newline >= 0) {
          socket.removeAllListeners("data")
          answer(socket, buffer.slice(0, newline))
        } else if (buffer.length > MAX_REQUEST) {
          socket.destroy()
        }
      })
    })
    yield* Effect.acquireRelease(
      Effect.async<void, Error>((resume) => {
        // We hold the PID file, so a socket file left here is from a daemon that is gone.
        fs.rmSync(socketPath, { force: true })
        const previous = process.umask(0o177)
        server.once("error", (error) => resume(Effect.fail(error)))
        server.listen(socketPath, () => {
          process.umask(previous)
          fs.chmodSync(socketPath, 0o600)
          resume(Effect.void)
        })
      }).pipe(Effect.orDie),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          fs.rmSync(socketPath, { force: true })
        })
    )
  })
