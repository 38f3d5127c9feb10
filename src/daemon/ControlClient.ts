import { Data, Effect } from "effect"
import * as net from "node:net"
import type { ControlRequest, ControlResponse } from "./ControlProtocol.js"

/** The daemon's control socket did not answer. */
export class ControlError extends Data.TaggedError("ControlError")<{ readonly message: string }> {}

/** Sends one request to the daemon's control socket and reads its one-line answer. */
export const request = (socketPath: string, body: ControlRequest, options: { readonly timeoutMs?: number } = {}) =>
  Effect.async<ControlResponse, ControlError>((resume) => {
    let buffer = ""
    const socket = net.connect(socketPath)
    socket.setEncoding("utf8")
    socket.on("connect", () => socket.write(JSON.stringify(body) + "\n"))
    socket.on("data", (chunk: string) => (buffer += chunk))
    socket.on("error", (error) => resume(Effect.fail(new ControlError({ message: `${socketPath}: ${error.message}` }))))
    socket.on("end", () => {
      try {
        resume(Effect.succeed(JSON.parse(buffer) as ControlResponse))
      } catch {
        resume(Effect.fail(new ControlError({ message: `${socketPath}: the daemon sent no answer` })))
      }
    })
    return Effect.sync(() => socket.destroy())
  }).pipe(
    Effect.timeoutFail({
      duration: options.timeoutMs ?? 5_000,
      onTimeout: () => new ControlError({ message: `${socketPath}: no answer in time` })
    })
  )
