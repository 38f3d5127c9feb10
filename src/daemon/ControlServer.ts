import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
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
 * `shutting down`, then each is closed once its last write is flushed), then closes the listener, then removes
 * the socket file.
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
    /** Every connection accepted and not yet closed: shutdown ends them all at once. */
    const sockets = new Set<net.Socket>()
    /** Connections whose request is being handled: shutdown answers them before it closes them. */
    const inFlight = new Set<net.Socket>()

    // Half-close after the reply: the client reads it to the end, then closes; one that does not is cut off.
    const finish = (conn: net.Socket, response: ControlResponse) => {
      conn.setTimeout(0)
      conn.end(encodeLine(response))
      conn.setTimeout(1_000, () => conn.destroy())
    }
    const answer = (conn: net.Socket, incoming: Incoming): Effect.Effect<ControlResponse, never, R> => {
      conn.setTimeout(0)
      if (incoming._tag === "TooLong") return Effect.succeed(badRequest(`request line longer than ${MAX_LINE_BYTES} bytes`))
      const request = decodeRequest(incoming.line)
      if (Either.isLeft(request)) return Effect.succeed(request.left)
      inFlight.add(conn)
      return handle(request.right).pipe(
        Effect.ensuring(Effect.sync(() => inFlight.delete(conn))),
        Effect.catchAllDefect((defect) =>
          Effect.logError("control request failed", defect).pipe(Effect.as(errorReply("internal error (see the daemon log)", "internal")))
        ),
        Effect.annotateLogs({ control: request.right.op })
      )
    }
    // The request line, or None when the connection closes first.
    const requestLine = (conn: net.Socket) =>
      Effect.async<Option.Option<Incoming>>((resume) => {
        const stop = () => {
          conn.off("data", read)
          conn.off("close", closed)
        }
        const read = lineReader((incoming) => (stop(), resume(Effect.succeed(Option.some(incoming)))))
        const closed = () => (stop(), resume(Effect.succeed(Option.none())))
        conn.on("data", read)
        conn.on("close", closed)
        return Effect.sync(stop)
      })

    // One fiber per connection (the server's own), waiting on the socket's events: the line protocol is read
    // from the `net.Socket` directly rather than through `Socket.runRaw`, whose per-connection scopes and
    // fibers cost about 1 ms each to tear down on a loaded machine (50 idle connections took SIGTERM to exit
    // from ~60 ms to ~290 ms). The idle timeout is the socket's own timer: no fiber, no Effect timer.
    const connection = () =>
      Effect.flatMap(Effect.serviceOption(NodeSocket.NetSocket), (option) => {
        if (Option.isNone(option)) return Effect.void
        const conn = option.value
        open++
        sockets.add(conn)
        // The place is free once the client has closed its side; the socket is ours to end until it is gone.
        let counted = true
        const release = () => counted && (counted = false, open--)
        conn.once("end", release)
        conn.once("close", () => (release(), sockets.delete(conn)))
        if (open > limits.maxConnections) {
          return Effect.sync(() => finish(conn, errorReply(`too many connections (at most ${limits.maxConnections})`, "busy")))
        }
        conn.setTimeout(limits.idleTimeoutMs, () => finish(conn, badRequest(`no request within ${limits.idleTimeoutMs} ms`)))
        return requestLine(conn).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.void,
            onSome: (incoming) => Effect.map(answer(conn, incoming), (response) => finish(conn, response))
          }))
        )
      })

    // Forked after the listener: closing the scope interrupts the connections' fibers, then closes the listener.
    yield* Effect.forkScoped(server.run(connection))
    // Runs before that (finalizers run in reverse): a request in flight is answered while its socket is still
    // open, instead of the client being left with no answer. Then every socket is destroyed as soon as what
    // was written to it is flushed (a reply already sent is not cut short), so the listener's close, which
    // waits for every connection to be gone, does not wait for the clients to close their side.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const conn of sockets) {
          if (inFlight.has(conn)) conn.end(encodeLine(errorReply("shutting down", "shutting-down")))
          conn.destroySoon()
        }
        inFlight.clear()
      })
    )
  })
