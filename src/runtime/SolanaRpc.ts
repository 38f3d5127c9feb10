import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Either, Schema } from "effect"
import { describeCause } from "../domain/DescribeError.js"
import { parseRetryAfter } from "../domain/HttpFailure.js"
import { RpcError } from "../services/AgentRuntime.js"
import { base64Bytes } from "./Base64Bytes.js"
import { redactUrl } from "../domain/RedactUrl.js"

/** How the client talks to the RPC node. */
export interface SolanaRpcOptions {
  readonly url: string
  readonly commitment: "processed" | "confirmed" | "finalized"
  readonly timeoutMs: number
  readonly retries: number
  readonly retryDelayMs: number
}

/** A `memcmp` filter: `bytes` is base58. */
export interface Memcmp {
  readonly offset: number
  readonly bytes: string
}

/** An account as the runtime needs it: its address, owner and raw bytes. */
export interface RawAccount {
  readonly address: string
  readonly owner: string
  readonly data: Uint8Array
}

// Longer waits than this mean the node is down, not busy: give up sooner and say so.
const MAX_BACKOFF_MS = 30_000
const BODY_EXCERPT = 200

const AccountInfo = Schema.Struct({ owner: Schema.String, data: Schema.Tuple(Schema.String, Schema.Literal("base64")) })
const ProgramAccounts = Schema.Array(Schema.Struct({ pubkey: Schema.String, account: AccountInfo }))
const Single = Schema.Struct({ value: Schema.NullOr(AccountInfo) })
const Multiple = Schema.Struct({ value: Schema.Array(Schema.NullOr(AccountInfo)) })
// The error arm first: `result: Unknown` would also accept a body without `result`.
const Envelope = Schema.Union(
  Schema.Struct({ error: Schema.Struct({ code: Schema.Number, message: Schema.String }) }),
  Schema.Struct({ result: Schema.Unknown })
)

// Built once: every answer goes through them.
const parseJsonText = Schema.decodeEither(Schema.parseJson())
// `exact`: an answer with neither `error` nor a `result` key (not even `null`) is not a JSON-RPC response.
const decodeEnvelope = Schema.decodeUnknownEither(Envelope, { exact: true })

/** One attempt's failure: `transient` ones (429, 5xx, timeout, network) are retried. */
interface Attempt {
  readonly transient: boolean
  readonly message: string
  readonly retryAfterMs?: number | undefined
}

/**
 * A JSON-RPC client for the calls the runtime makes, on `@effect/platform`'s HttpClient: every
 * attempt has its own timeout, transient failures are retried with exponential backoff (or the node's
 * `Retry-After`), and the final `RpcError` names the URL with its credentials redacted.
 */
export const makeSolanaRpc = (client: HttpClient.HttpClient, options: SolanaRpcOptions) => {
  const shownUrl = redactUrl(options.url)
  const http = client.pipe(HttpClient.withTracerDisabledWhen(() => true))
  let nextId = 1

  const attempt = (body: string): Effect.Effect<unknown, Attempt> =>
    Effect.gen(function*() {
      const request = HttpClientRequest.post(options.url).pipe(HttpClientRequest.bodyText(body, "application/json"))
      const response = yield* http.execute(request).pipe(
        Effect.mapError((error): Attempt => ({ transient: true, message: `network error: ${describeCause(error.cause ?? error.reason)}` }))
      )
      const text = yield* response.text.pipe(
        Effect.mapError((error): Attempt => ({ transient: true, message: `network error reading the answer: ${describeCause(error.cause ?? error.reason)}` }))
      )
      if (response.status !== 200) {
        const excerpt = text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text
        const retryAfterMs = response.status === 429 ? parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis) : undefined
        return yield* Effect.fail<Attempt>({
          transient: response.status === 429 || response.status >= 500,
          message: `HTTP ${response.status}${excerpt === "" ? "" : `: ${excerpt}`}`,
          retryAfterMs
        })
      }
      const json = parseJsonText(text)
      if (Either.isLeft(json)) return yield* Effect.fail<Attempt>({ transient: false, message: `malformed JSON in the answer (${text.length} bytes)` })
      const envelope = decodeEnvelope(json.right)
      if (Either.isLeft(envelope)) return yield* Effect.fail<Attempt>({ transient: false, message: "the answer is not a JSON-RPC response" })
      if ("error" in envelope.right) {
        return yield* Effect.fail<Attempt>({ transient: false, message: `JSON-RPC error ${envelope.right.error.code}: ${envelope.right.error.message}` })
      }
      return envelope.right.result
    }).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(options.timeoutMs),
        onTimeout: (): Attempt => ({ transient: true, message: `no answer within ${options.timeoutMs} ms` })
      })
    )

  const withRetries = (method: string, body: string, attempted = 0): Effect.Effect<unknown, RpcError> =>
    Effect.catchAll(attempt(body), (failure) => {
      if (!failure.transient || attempted >= options.retries) {
        const tries = attempted + 1
        return Effect.fail(new RpcError({
          url: shownUrl,
          message: `${method} on ${shownUrl} failed${tries > 1 ? ` after ${tries} attempts` : ""}: ${failure.message}`
        }))
      }
      const backoff = Math.min(MAX_BACKOFF_MS, Math.max(failure.retryAfterMs ?? 0, options.retryDelayMs * 2 ** attempted))
      return Effect.logDebug(`${method} on ${shownUrl}: ${failure.message}; retrying in ${backoff} ms`).pipe(
        Effect.zipRight(Effect.sleep(Duration.millis(backoff))),
        Effect.zipRight(withRetries(method, body, attempted + 1))
      )
    })

  const call = <A, I>(method: string, params: ReadonlyArray<unknown>, schema: Schema.Schema<A, I>): Effect.Effect<A, RpcError> =>
    Effect.suspend(() => withRetries(method, JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }))).pipe(
      Effect.flatMap((result) => Schema.decodeUnknown(schema)(result)),
      Effect.catchTag("ParseError", (error) =>
        Effect.fail(new RpcError({ url: shownUrl, message: `${method} on ${shownUrl}: unexpected result shape: ${error.message.split("\n")[0]}` }))),
      Effect.withSpan(`SolanaRpc.${method}`, { attributes: { "rpc.method": method, "rpc.url": shownUrl } })
    )

  /** Accounts as the runtime needs them; a payload that is not base64 is an RpcError, not a defect. */
  const raws = <Missing extends null = never>(
    method: string,
    entries: ReadonlyArray<readonly [string, typeof AccountInfo.Type | Missing]>
  ): Effect.Effect<Array<RawAccount | Missing>, RpcError> => {
    const accounts: Array<RawAccount | Missing> = []
    for (const [address, info] of entries) {
      if (info === null) {
        accounts.push(info)
        continue
      }
      const data = base64Bytes(info.data[0])
      if (data === null) return Effect.fail(new RpcError({ url: shownUrl, message: `${method} on ${shownUrl}: the data of ${address} is not base64` }))
      accounts.push({ address, owner: info.owner, data })
    }
    return Effect.succeed(accounts)
  }

  return {
    url: shownUrl,

    /** `getProgramAccounts` with base64 data and these memcmp filters (never a dataSize filter). */
    getProgramAccounts: (programId: string, filters: ReadonlyArray<Memcmp>) =>
      call("getProgramAccounts", [programId, {
        encoding: "base64",
        commitment: options.commitment,
        filters: filters.map((memcmp) => ({ memcmp: { offset: memcmp.offset, bytes: memcmp.bytes } }))
      }], ProgramAccounts).pipe(
        Effect.flatMap((accounts) => raws<never>("getProgramAccounts", accounts.map((a) => [a.pubkey, a.account] as const)))
      ),

    /** `getAccountInfo`; null when the account does not exist. */
    getAccount: (address: string) =>
      call("getAccountInfo", [address, { encoding: "base64", commitment: options.commitment }], Single).pipe(
        Effect.flatMap((result) => raws("getAccountInfo", [[address, result.value]])),
        Effect.map(([account]) => account ?? null)
      ),

    /** `getMultipleAccounts` in batches of 100 (the node's limit); null for accounts that do not exist. */
    getAccounts: (addresses: ReadonlyArray<string>) =>
      Effect.forEach(
        Array.from({ length: Math.ceil(addresses.length / 100) }, (_, i) => addresses.slice(i * 100, i * 100 + 100)),
        (batch) =>
          call("getMultipleAccounts", [batch, { encoding: "base64", commitment: options.commitment }], Multiple).pipe(
            Effect.flatMap((result) => raws("getMultipleAccounts", batch.map((address, i) => [address, result.value[i] ?? null] as const)))
          ),
        { concurrency: 2 }
      ).pipe(Effect.map((batches) => batches.flat()))
  }
}

/** The client `makeSolanaRpc` builds. */
export type SolanaRpc = ReturnType<typeof makeSolanaRpc>
