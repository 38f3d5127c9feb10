import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { eventually, runCli, tempHome, writeAction } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { allFiles } from "./SecurityKit.js"

const QUERY_TOKEN = "hookQueryTok3n9x"
const BEARER = "bearerCred7z8y6w"
const HMAC = "hmacKey5v4u3tKey"
const TELEGRAM_SECRET = "tgSecretPart7q6p"
const TELEGRAM_TOKEN = `424242:${TELEGRAM_SECRET}`
const SLACK_TOKEN = "slackPathTok2m1n0b"

/** Every secret, and every form a careless server might quote it in. */
const needles = [QUERY_TOKEN, BEARER, HMAC, TELEGRAM_SECRET, SLACK_TOKEN].flatMap((secret) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")])

describe("redact what servers echo (issue 11.4)", () => {
  it.live("a server echoing every secret in every shape: no secret in any file under AGENC_HOME or in any output", () =>
    Effect.gen(function*() {
      const server = yield* httpTestServer()
      // Echo what arrived, whole and in pieces: bare tokens, JSON-quoted, URL-encoded, and in headers.
      server.handler = (request) => {
        const url = new URL(request.path, server.url)
        const auth = String(request.headers.authorization ?? "")
        const bare = auth.split(" ").pop() ?? ""
        const query = url.searchParams.get("token") ?? ""
        const segments = url.pathname.split("/")
        return {
          status: 503,
          headers: { "content-type": "application/json", "x-echo": `${auth} ${query}` },
          body: JSON.stringify({
            token: query,
            credential: bare,
            authorization: auth,
            path: request.path,
            encoded: encodeURIComponent(request.path),
            segments,
            note: `bad credentials ${bare} for ${query} at ${segments.join(" ")}`
          })
        }
      }
      const home = yield* tempHome({})
      const secrets = fs.mkdtempSync(path.join(os.tmpdir(), "agenc-secret-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(secrets, { recursive: true, force: true })))
      fs.writeFileSync(path.join(secrets, "hmac"), `${HMAC}\n`, { mode: 0o600 })
      writeAction(home, "say.mjs", "say", `Effect.succeed({ shouldNotify: true, message: "hello" })`)
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({
        heartbeat: { actions: [{ name: "say", schedule: "@every 1h", module: "./say.mjs" }] },
        channels: [
          { type: "webhook", url: { env: "AGENC_T_HOOK" }, headers: { Authorization: { env: "AGENC_T_AUTH" } }, secret: { file: path.join(secrets, "hmac") }, delivery: { retries: 1, backoff: "50ms", maxBackoff: "200ms" } },
          { type: "slack", url: { env: "AGENC_T_SLACK" }, delivery: { retries: 1, backoff: "50ms", maxBackoff: "200ms" } },
          { type: "telegram", token: { env: "AGENC_T_TG" }, chatId: 7, apiBase: server.url, delivery: { retries: 1, backoff: "50ms", maxBackoff: "200ms" } }
        ],
        log: { level: "debug", format: "json" }
      }))
      const env = {
        AGENC_T_HOOK: `${server.url}/hook?token=${QUERY_TOKEN}&v=1`,
        AGENC_T_AUTH: `Bearer ${BEARER}`,
        AGENC_T_SLACK: `${server.url}/services/T0ABC123/B0DEF456/${SLACK_TOKEN}`,
        AGENC_T_TG: TELEGRAM_TOKEN
      }
      const outputs: Array<string> = []
      const run = yield* runCli(home, ["heartbeat", "run", "say", "--json"], env)
      outputs.push(run.stdout, run.stderr)
      // The daemon's workers retry what was queued, logging into logs/gateway.log.
      const started = yield* runCli(home, ["daemon", "start"], env)
      outputs.push(started.stdout, started.stderr)
      assert.strictEqual(started.code, 0, started.stderr)
      const requestsBefore = server.requests.length
      assert.isTrue(yield* eventually(() => server.requests.length >= requestsBefore + 3, 15_000), "the daemon retried the queued messages")
      for (const args of [["daemon", "status", "--json"], ["heartbeat", "trigger", "say", "--json"], ["config", "show"], ["daemon", "stop"]]) {
        const result = yield* runCli(home, args, env)
        outputs.push(result.stdout, result.stderr)
      }
      // The secrets were really sent and really echoed.
      assert.isTrue(server.requests.some((request) => request.path.includes(QUERY_TOKEN)))
      assert.isTrue(server.requests.some((request) => request.path.includes(TELEGRAM_SECRET)))
      assert.isTrue(server.requests.some((request) => String(request.headers.authorization).includes(BEARER)))
      const log = fs.readFileSync(path.join(home, "logs/gateway.log"), "utf8")
      assert.include(log, "HTTP 503")
      assert.include(log, "the receiver answered", "bodies are logged at debug level")
      assert.include(log, "<redacted>")

      const files = allFiles(home)
      assert.includeMembers(files.map((file) => path.relative(home, file)), ["agenc.db", "logs/gateway.log"])
      for (const file of files) {
        const text = fs.readFileSync(file).toString("latin1")
        for (const needle of needles) assert.notInclude(text, needle, `${needle} in ${path.relative(home, file)}`)
      }
      for (const [index, text] of outputs.entries()) {
        for (const needle of needles) assert.notInclude(text, needle, `${needle} in output ${index}`)
      }
    }).pipe(Effect.scoped), 90_000)
})
