import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Option, Schema } from "effect"
import { DeliveryError } from "../services/Gateway.js"
import { describeCause } from "../domain/DescribeError.js"
import { parseRetryAfter } from "../domain/HttpFailure.js"

/** The error body kept in a `DeliveryError` message: enough to read, never a whole HTML page. */
const BODY_EXCERPT = 300

/**
 * POSTs a JSON `body` to `url`. 2xx succeeds; 429 and 5xx fail retryably (429 with the delay from
 * `Retry-After`, or from a JSON `retry_after` / `parameters.retry_after` as Discord and Telegram send);
 * any other status fails for good; a transport failure is retryable. Succeeds with the response body
 * (for APIs that answer with an id). Error messages never quote the URL, which may hold a token.
 */
export const postJson = (
  client: HttpClient.HttpClient,
  url: string,
  body: string,
  headers: Readonly<Record<string, string>> = {}
): Effect.Effect<string, DeliveryError> =>
  Effect.gen(function*() {
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyText(body, "application/json")
    )
    const response = yield* client.pipe(HttpClient.withTracerDisabledWhen(() => true)).execute(request).pipe(
      Effect.mapError((error) =>
        new DeliveryError({ message: `network error: ${describeCause(error.cause ?? error.reason)}`, retryable: true })
      )
    )
    const text = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
    if (response.status >= 200 && response.status < 300) return text
    // The body may echo what was sent, credentials included: it stays out of the message (and so out of
    // the outbox and the log) and goes to the debug log only, truncated and redacted by the channel worker.
    const detail = text === "" ? undefined : text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text
    const message = `HTTP ${response.status}`
    if (response.status === 429) {
      const now = yield* Clock.currentTimeMillis
      const retryAfter = parseRetryAfter(response.headers["retry-after"], now) ?? retryAfterFromBody(text)
      return yield* new DeliveryError({ message, retryable: true, retryAfter, detail })
    }
    return yield* new DeliveryError({ message, retryable: response.status >= 500, detail })
  })

const Seconds = Schema.Number.pipe(Schema.nonNegative())
/** Discord's `{"retry_after": s}` or Telegram's `{"parameters": {"retry_after": s}}`; anything else has no hint. */
const decodeRetryAfter = Schema.decodeUnknownOption(Schema.parseJson(Schema.Union(
  Schema.Struct({ retry_after: Seconds }),
  Schema.Struct({ parameters: Schema.Struct({ retry_after: Seconds }) })
)))

const retryAfterFromBody = (text: string): number | undefined =>
  Option.match(decodeRetryAfter(text), {
    onNone: () => undefined,
    onSome: (body) => Math.round(("retry_after" in body ? body.retry_after : body.parameters.retry_after) * 1000)
  })

/**
 * A decoder of a chat API's JSON answer, built once per Schema (at module level): the answer is
 * untrusted, so one that is not JSON or not of the shape is `None`, for the caller's "unreadable answer".
 */
export const answerDecoder = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownOption(Schema.parseJson(schema))
