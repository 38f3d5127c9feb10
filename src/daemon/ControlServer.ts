import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import type * as Socket from "@effect/platform/Socket"
import { Deferred, Duration, Effect, Either, Exit } from "effect"
import * as fs from "node:fs"
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

    const connection = (socket: Socket.Socket) =>
      Effect.gen(function*() {
        const incoming = yield* Deferred.make<Incoming>()
        const write = yield* socket.writer
        const reply = (response: ControlResponse) => write(encodeLine(response)).pipe(Effect.ignore)
        // Reading runs beside the handling below; it ends when the peer closes, and is interrupted with the scope.
        const reading = yield* socket.runRaw(lineReader((got) => Deferred.unsafeDone(incoming, Exit.succeed(got)))).pipe(
          Effect.ignore,
          Effect.forkScoped
        )
        if (open > limits.maxConnections) {
          yield* reply(errorReply(`too many connections (at most ${limits.maxConnections})`, "busy"))
          return
        }
        const got = yield* Deferred.await(incoming).pipe(
          Effect.raceFirst(reading.await.pipe(Effect.as(undefined))),
          Effect.timeoutTo({ duration: Duration.millis(limits.idleTimeoutMs), onTimeout: () => "idle" as const, onSuccess: (got) => got })
        )
        if (got === undefined) return
        if (got === "idle") {
          yield* reply(badRequest(`no request within ${limits.idleTimeoutMs} ms`))
          return
        }
        if (got._tag === "TooLong") {
          yield* reply(badRequest(`request line longer than ${MAX_LINE_BYTES} bytes`))
          return
        }
        const request = decodeRequest(got.line)
        if (Either.isLeft(request)) {
          yield* reply(request.left)
          return
        }
        const response = yield* handle(request.right).pipe(
          Effect.onInterrupt(() =>
            // The daemon is stopping: say so rather than leave the client waiting; never hold shutdown up.
            reply(errorReply("shutting down", "shutting-down")).pipe(Effect.timeout(Duration.millis(50)), Effect.ignore)
          ),
          Effect.catchAllDefect((defect) =>
            Effect.logError("control request failed", defect).pipe(Effect.as(errorReply("internal error (see the daemon log)", "internal")))
          ),
          Effect.annotateLogs({ control: request.right.op })
        )
        // Closing the scope next ends the connection: nothing else is read on it.
        yield* reply(response)
      }).pipe(
        Effect.scoped,
        Effect.ensuring(Effect.sync(() => open--)),
        (serving) => Effect.suspend(() => (open++, serving))
      )

    // Forked after the listener: closing the scope ends the connections first, then the listener.
    yield* Effect.forkScoped(server.run(connection))
  })
