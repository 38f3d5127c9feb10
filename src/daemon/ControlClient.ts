import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { Data, Deferred, Effect, Either, Exit } from "effect"
import type { ParseResult } from "effect"
import { type ControlRequest, decodeResponse, describeParseError, encodeLine, type ErrorReply } from "./ControlProtocol.js"

/** The daemon's control socket did not answer, or answered with something that is not a reply. */
export class ControlError extends Data.TaggedError("ControlError")<{ readonly message: string }> {}

const reason = (error: { readonly cause?: unknown; readonly message: string }): string =>
  error.cause instanceof Error ? error.cause.message : error.message

/** Sends one request to the daemon's control socket and reads its one-line reply, decoded by `ControlResponse`. */
export const request = (socketPath: string, body: ControlRequest, options: { readonly timeoutMs?: number } = {}) =>
  Effect.gen(function*() {
    const socket = yield* NodeSocket.makeNet({ path: socketPath })
    const write = yield* socket.writer
    const answered = yield* Deferred.make<string>()
    const chunks: Array<Buffer> = []
    const reading = yield* socket.runRaw((data) => {
      const chunk = typeof data === "string" ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      const newline = chunk.indexOf(0x0a)
      chunks.push(newline >= 0 ? chunk.subarray(0, newline) : chunk)
      if (newline >= 0) Deferred.unsafeDone(answered, Exit.succeed(Buffer.concat(chunks).toString("utf8")))
    }).pipe(Effect.either, Effect.forkScoped)
    // Writing waits for the connection: race it with the reader, which ends if the connection cannot open.
    const line = yield* write(encodeLine(body)).pipe(
      Effect.zipRight(Deferred.await(answered)),
      Effect.raceFirst(reading.await.pipe(Effect.flatMap((exit) =>
        Exit.isSuccess(exit) && Either.isLeft(exit.value) && exit.value.left.reason === "Open"
          ? Effect.fail(new ControlError({ message: `${socketPath}: ${reason(exit.value.left)}` }))
          // The peer closed: a reply without its newline is still a reply.
          : Effect.succeed(Buffer.concat(chunks).toString("utf8"))
      )))
    )
    if (line === "") return yield* new ControlError({ message: `${socketPath}: the daemon sent no answer` })
    const response = decodeResponse(line)
    if (Either.isLeft(response)) return yield* new ControlError({ message: `${socketPath}: not a control reply (${response.left})` })
    return response.right
  }).pipe(
    Effect.scoped,
    Effect.catchTag("SocketError", (error) => new ControlError({ message: `${socketPath}: ${reason(error)}` })),
    Effect.timeoutFail({
      duration: options.timeoutMs ?? 5_000,
      onTimeout: () => new ControlError({ message: `${socketPath}: no answer in time` })
    })
  )

/** An ok reply with its decoded result, or the daemon's error reply. */
export type ResultReply<A> = { readonly ok: true; readonly result: A } | typeof ErrorReply.Type

/**
 * `request`, with an ok reply's `result` decoded by `decode` (one of `ControlProtocol`'s module-level
 * decoders): a result of the wrong shape (another version's daemon, a stranger on the socket) is a
 * `ControlError` naming the field. Error replies are answered as they came, for the caller to map.
 */
export const requestResult = <A>(
  socketPath: string,
  body: ControlRequest,
  decode: (result: unknown) => Either.Either<A, ParseResult.ParseError>,
  options: { readonly timeoutMs?: number } = {}
): Effect.Effect<ResultReply<A>, ControlError> =>
  Effect.flatMap(request(socketPath, body, options), (response): Effect.Effect<ResultReply<A>, ControlError> => {
    if (!response.ok) return Effect.succeed(response)
    const result = decode(response.result)
    return Either.isRight(result)
      ? Effect.succeed({ ok: true, result: result.right })
      : Effect.fail(new ControlError({ message: `${socketPath}: not a ${body.op} result (${describeParseError(result.left)})` }))
  })
