import { Effect, type Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** One request the server received. */
export interface RecordedRequest {
  readonly method: string
  /** Path and query, as sent. */
  readonly path: string
  /** Lower-case names, as node gives them. */
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  /** Epoch ms it arrived (real time). */
  readonly at: number
  /** What the server answered: a status, or `"hang"`. */
  readonly answer: number | "hang"
  /** The body parsed as JSON (throws when it is not). */
  readonly json: () => any
}

/** A scripted answer: a status with optional headers and body, or never answering. */
export type Reply =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string | undefined }
  | "hang"

/**
 * A recording HTTP server on 127.0.0.1. Each request takes the next scripted reply (`reply`, `failTimes`)
 * or, when none is left, the default (200 `{"ok":true}`); a reply may also be chosen per request by
 * `handler`. `stop` closes it, dropping hung requests; `start` again listens on the same port, so a test
 * can take the server down and bring it back.
 */
export class HttpTestServer {
  readonly requests: Array<RecordedRequest> = []
  private readonly script: Array<Reply> = []
  private server: http.Server | undefined
  private readonly sockets = new Set<import("node:net").Socket>()
  private readonly hung = new Set<http.ServerResponse>()
  /** Answers every request when set and the script is empty. */
  handler: ((request: RecordedRequest) => Reply) | undefined
  defaultReply: Reply = { status: 200, headers: { "content-type": "application/json" }, body: "{\"ok\":true}" }

  private constructor(public port: number) {}

  /** Starts a server on `port` (0: any free port). */
  static async start(port = 0): Promise<HttpTestServer> {
    const server = new HttpTestServer(port)
    await server.start()
    return server
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Queues replies for the next requests, in order. */
  reply(...replies: ReadonlyArray<Reply>): this {
    this.script.push(...replies)
    return this
  }

  /** The next `n` requests get `status` (default 503). */
  failTimes(n: number, status = 503): this {
    for (let i = 0; i < n; i++) this.script.push({ status, body: `failure ${i + 1} of ${n}` })
    return this
  }

  /** Requests answered with a 2xx. */
  get succeeded(): ReadonlyArray<RecordedRequest> {
    return this.requests.filter((request) => typeof request.answer === "number" && request.answer < 300)
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        const base = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, at: Date.now(), json: () => JSON.parse(body) }
        const reply = this.script.shift() ?? this.handler?.({ ...base, answer: 0 }) ?? this.defaultReply
        this.requests.push({ ...base, answer: reply === "hang" ? "hang" : reply.status })
        if (reply === "hang") {
          this.hung.add(res)
          return
        }
        res.writeHead(reply.status, reply.headers ?? {})
        res.end(reply.body ?? "")
      })
    })
    server.on("connection", (socket) => {
      this.sockets.add(socket)
      socket.on("close", () => this.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(this.port, "127.0.0.1", () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  async stop(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    for (const res of this.hung) res.destroy()
    this.hung.clear()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** Waits until `predicate` holds for the recorded requests, polling every 20 ms. */
  async waitFor(predicate: (requests: ReadonlyArray<RecordedRequest>) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate(this.requests)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting; ${this.requests.length} requests so far`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

/** A server for the scope of an Effect test, stopped when the scope closes. */
export const httpTestServer = (port = 0): Effect.Effect<HttpTestServer, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.promise(() => HttpTestServer.start(port)), (server) => Effect.promise(() => server.stop()))
