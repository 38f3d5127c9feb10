import { Effect } from "effect"
import * as net from "node:net"

/** Sends raw bytes on a fresh connection and collects everything until the daemon closes it. */
export const rawExchange = (socket: string, bytes: Uint8Array | string, timeoutMs = 5_000) =>
  Effect.async<string, Error>((resume) => {
    const conn = net.connect(socket)
    const chunks: Array<Buffer> = []
    const timer = setTimeout(() => {
      conn.destroy()
      resume(Effect.fail(new Error(`no close within ${timeoutMs} ms after ${JSON.stringify(String(bytes).slice(0, 80))}`)))
    }, timeoutMs)
    conn.on("connect", () => conn.write(bytes))
    conn.on("data", (chunk) => chunks.push(chunk))
    conn.on("error", (error) => {
      clearTimeout(timer)
      resume(Effect.fail(error))
    })
    conn.on("close", () => {
      clearTimeout(timer)
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    })
  })


/** Opens a connection to `socket` and leaves it idle; destroyed with the scope. */
export const idleConnection = (socket: string) =>
  Effect.acquireRelease(
    Effect.async<net.Socket, Error>((resume) => {
      const conn = net.connect(socket)
      conn.on("connect", () => resume(Effect.succeed(conn)))
      conn.on("error", (error) => resume(Effect.fail(error)))
    }),
    (conn) => Effect.sync(() => conn.destroy())
  )
