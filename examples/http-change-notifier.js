// A custom heartbeat action: polls `config.url` and notifies when the response body changed since the
// last run. The last body's SHA-256 lives in the action's Session, so a restart does not re-announce.
//
// gateway.json:
//   { "name": "status-page", "schedule": "*/10 * * * *",
//     "module": "./examples/http-change-notifier.js",
//     "config": { "url": "https://status.example.com/api", "timeoutMs": 10000 } }
//
// Imports the built package from this repository (run `npm run build` first); an installed package
// would import from "agenc" instead.
import { createHash } from "node:crypto"
import { Data, Effect, Schema } from "effect"
import { Action, Session, notify, quiet } from "../dist/index.js"

/** The endpoint did not answer with a 2xx. */
class HttpPollError extends Data.TaggedError("HttpPollError") {}

const Config = Schema.Struct({
  url: Schema.String.pipe(Schema.filter((url) => /^https?:\/\//.test(url) || "must be an http(s) URL")),
  timeoutMs: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 10_000 })
})

const fetchBody = (url, timeoutMs) =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) })
      const body = await response.text()
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      return body
    },
    catch: (cause) => new HttpPollError({ message: `${url}: ${cause instanceof Error ? cause.message : String(cause)}` })
  })

export default Action.make({
  name: "http-change-notifier",
  description: "notifies when the body at config.url changes",
  config: Config,
  run: ({ config }) =>
    Effect.gen(function*() {
      const session = yield* Session
      const body = yield* fetchBody(config.url, config.timeoutMs)
      const hash = createHash("sha256").update(body).digest("hex")
      const previous = yield* session.getAs("hash", Schema.String)
      yield* session.set("hash", hash)
      if (previous._tag === "None") {
        // The first run only learns the current state: nothing has changed yet.
        return quiet({ url: config.url, hash, first: true })
      }
      if (previous.value === hash) return quiet({ url: config.url, hash })
      const preview = body.length > 200 ? `${body.slice(0, 200)}…` : body
      return notify(`${config.url} changed:\n${preview}`, { url: config.url, hash, previous: previous.value })
    })
})
