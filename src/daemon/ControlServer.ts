import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import type * as Socket from "@effect/platform/Socket"
import { Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import type * as net from "node:net"
import {
  badRequest,
  type ControlRequest,
  type ControlResponse,
  decodeRequest,
  encodeLine,
  errorReply,
  MAX_LINE_BYTES
} from "./ControlProtocol.js"

/** Limits of the control socket. */
export interface ControlLimits {
  /** A connection that has not sent its request line by then is closed. */
  readonly idleTimeoutMs: number
  /** Connections served at once; one more is answered `busy` and closed. */
  readonly maxConnections: number
}

/** 30 s to send a request, 64 connections at once. */
export const defaultLimits: ControlLimits = { idleTimeoutMs: 30_000, maxConnections: 64 }

/** What came in on a connection before its first newline. */
type Incoming = { readonly _tag: "Line"; readonly line: string } | { readonly _tag: "TooLong" }

/** Collects bytes up to the first newline, refusing more than `MAX_LINE_BYTES` before it. */
const lineReader = (onDone: (incoming: Incoming) => void) => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  let done = false
  return (data: Uint8Array | string) => {
    if (done) return
    const chunk = typeof data === "string" ? Buffer.from(data) : data
    const newline = chunk.indexOf(0x0a)
    const take = newline >= 0 ? chunk.subarray(0, newline) : chunk
    chunks.push(take)
    size += take.length
    if (size > MAX_LINE_BYTES) {
      done = true
      onDone({ _tag: "TooLong" })
    } else if (newline >= 0) {
      done = true
      onDone({ _tag: "Line", line: Buffer.concat(chunks).toString("utf8") })
    }
  }
}

/**
 * Serves the control socket (mode 0600) while the scope lives, on `@effect/platform`'s `SocketServer`:
 * each connection sends one JSON request line and gets one JSON reply line. A malformed request gets a
 * one-line error reply; closing the scope first ends every connection (a request in flight is answered
 * `shutting down`), then the listener, then removes the socket file.
 */
export const serveControl = <R>(
  socketPath: string,
  handle: (request: ControlRequest) => Effect.Effect<ControlResponse, never, R>,
  limits: ControlLimits = defaultLimits
) =>
  Effect.gen(function*() {
    // We hold the PID file, so a socket file left here is from a daemon that is gone.
    yield* Effect.acquireRelease(
      Effect.sync(() => fs.rmSync(socketPath, { force: true })),
      () => Effect.sync(() => fs.rmSync(socketPath, { force: true }))
    )
    const previousUmask = process.umask(0o177)
    const server = yield* NodeSocketServer.make({ path: socketPath }).pipe(
      Effect.ensuring(Effect.sync(() => process.umask(previousUmask))),
      Effect.orDie
    )
    fs.chmodSync(socketPath, 0o600)
    let open = 0
    /** Connections whose request is being handled: shutdown answers them before it closes them. */
    const inFlight = new Set<net.Socket>()

    // One fiber per connection (the socket's own); the request is handled in a fiber of its FiberSet, so
    // shutdown interrupts it there. The idle timeout is the socket's own timer: no fiber, no Effect timer.
    const connection = (socket: Socket.Socket) =>
      Effect.gen(function*() {
        const conn = Option.getOrUndefined(yield* Effect.serviceOption(NodeSocket.NetSocket))
        const write = yield* socket.writer
        // Half-close after the reply: the client reads it to the end, then closes; one that does not is cut off.
        const finish = (response: ControlResponse) =>
          write(encodeLine(response)).pipe(
            Effect.zipRight(Effect.sync(() => {
              conn?.end()
              conn?.setTimeout(1_000, () => conn.destroy())
            })),
            Effect.ignore
          )
        const answer = (incoming: Incoming): Effect.Effect<void, never, R> => {
          conn?.setTimeout(0)
          if (incoming._tag === "TooLong") return finish(badRequest(`request line longer than ${MAX_LINE_BYTES} bytes`))
          const request = decodeRequest(incoming.line)
          if (Either.isLeft(request)) return finish(request.left)
          if (conn !== undefined) inFlight.add(conn)
          return handle(request.right).pipe(
            Effect.ensuring(Effect.sync(() => conn !== undefined && inFlight.delete(conn))),
            Effect.catchAllDefect((defect) =>
              Effect.logError("control request failed", defect).pipe(Effect.as(errorReply("internal error (see the daemon log)", "internal")))
            ),
            Effect.flatMap(finish),
            Effect.annotateLogs({ control: request.right.op })
          )
        }
        let pending: Incoming | undefined
        const read = lineReader((incoming) => (pending = incoming))
        yield* socket.runRaw((chunk) => {
          read(chunk)
          if (pending === undefined) return
          const incoming = pending
          pending = undefined
          return answer(incoming)
        }, {
          onOpen: Effect.suspend(() => {
            if (open > limits.maxConnections) return finish(errorReply(`too many connections (at most ${limits.maxConnections})`, "busy"))
            conn?.setTimeout(limits.idleTimeoutMs, () => {
              conn.setTimeout(0)
              conn.end(encodeLine(badRequest(`no request within ${limits.idleTimeoutMs} ms`)))
            })
            return Effect.void
          })
        }).pipe(Effect.ignore)
      }).pipe(
        Effect.scoped,
        Effect.ensuring(Effect.sync(() => open--)),
        (serving) => Effect.suspend(() => (open++, serving))
      )

    // Forked after the listener: closing the scope ends the connections first, then the listener.
    yield* Effect.forkScoped(server.run(connection))
    // Runs before the connections are interrupted (finalizers run in reverse): a request in flight is
    // answered while its socket is still open, instead of the client being left with no answer.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const conn of inFlight) conn.end(encodeLine(errorReply("shutting down", "shutting-down")))
        inFlight.clear()
      })
    )
  })
