import { Either, ParseResult, Schema } from "effect"
import { toJson } from "../domain/Json.js"
import { MessageContent } from "../domain/MessageContent.js"
import { MetricsSummary } from "../services/Metrics.js"
import type { RunReport } from "../services/Scheduler.js"

/**
 * The control socket's protocol, shared by `ControlServer` and `ControlClient`: one request line of JSON,
 * one reply line of JSON, then the connection closes.
 */

/** The longest request line the daemon reads (bytes, without the newline); a longer one is answered with an error. */
export const MAX_LINE_BYTES = 64 * 1024

/** `{"op":"ping"}`: is the daemon up, and which PID answers. */
export const PingRequest = Schema.Struct({ op: Schema.Literal("ping") })
/** `{"op":"status"}`: the live schedule and loop health. */
export const StatusRequest = Schema.Struct({ op: Schema.Literal("status") })
/** `{"op":"trigger","action":NAME}`: run one action now and answer with its report. */
export const TriggerRequest = Schema.Struct({ op: Schema.Literal("trigger"), action: Schema.String.pipe(Schema.minLength(1)) })

/** `{"op":"debug.memory"}`: heap figures after a full GC (the soak harness reads them). */
export const DebugMemoryRequest = Schema.Struct({ op: Schema.Literal("debug.memory") })

/** A request on the control socket. */
export const ControlRequest = Schema.Union(PingRequest, StatusRequest, TriggerRequest, DebugMemoryRequest)
export type ControlRequest = typeof ControlRequest.Type

/** Error codes a reply can carry, so a client can tell them apart without parsing the message. */
export const ErrorCode = Schema.Literal("bad-request", "unknown-action", "shutting-down", "busy", "internal")
export type ErrorCode = typeof ErrorCode.Type

/** A successful reply; `result`'s shape depends on the request (`PingResult`, `LiveStatus`, a run report). */
export const OkReply = Schema.Struct({ ok: Schema.Literal(true), result: Schema.Unknown })
/** A refused or failed request. */
export const ErrorReply = Schema.Struct({
  ok: Schema.Literal(false),
  error: Schema.String,
  code: Schema.optional(Schema.Union(ErrorCode, Schema.String))
})
/** The daemon's answer: one JSON line, then the connection closes. */
export const ControlResponse = Schema.Union(OkReply, ErrorReply)
export type ControlResponse = typeof ControlResponse.Type

/** What `ping` answers. */
export const PingResult = Schema.Struct({ pid: Schema.Number })

/** How one supervised loop is doing. */
export const LoopHealth = Schema.Struct({
  alive: Schema.Boolean,
  restarts: Schema.Number,
  lastTickAt: Schema.optional(Schema.NullOr(Schema.Number))
})
export type LoopHealth = typeof LoopHealth.Type

/** What `status` answers. */
export const LiveStatus = Schema.Struct({
  pid: Schema.Number,
  startedAt: Schema.Number,
  actions: Schema.Array(Schema.Struct({
    name: Schema.String,
    schedule: Schema.String,
    timezone: Schema.String,
    nextRunAt: Schema.NullOr(Schema.Number),
    running: Schema.Boolean
  })),
  /** Absent from daemons older than this field. */
  loops: Schema.optional(Schema.Struct({
    scheduler: LoopHealth,
    channels: Schema.Record({ key: Schema.String, value: LoopHealth })
  })),
  /** Dead-lettered outbox rows per channel. */
  deadLetters: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
  /** This process's metrics (`Metrics.summary`); absent from daemons older than this field. */
  metrics: Schema.optional(MetricsSummary)
})
export type LiveStatus = typeof LiveStatus.Type

/** What `trigger` answers: the run's report as JSON (bigints in `metadata` arrive as decimal strings). */
export const RunReportResult = Schema.Struct({
  action: Schema.String,
  id: Schema.optional(Schema.Number),
  trigger: Schema.optional(Schema.Literal("schedule", "manual")),
  scheduledAt: Schema.Number,
  startedAt: Schema.Number,
  endedAt: Schema.Number,
  outcome: Schema.Literal("notified", "quiet", "failed", "timed-out", "skipped", "missed"),
  result: Schema.optional(Schema.Struct({
    shouldNotify: Schema.Boolean,
    message: Schema.optional(Schema.String),
    content: Schema.optional(MessageContent),
    metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  })),
  deliveries: Schema.Array(Schema.Struct({
    channel: Schema.String,
    status: Schema.Literal("delivered", "duplicate", "queued", "dropped"),
    attempts: Schema.Number,
    error: Schema.optional(Schema.String)
  })),
  error: Schema.optional(Schema.String)
})
// A decoded reply is a `RunReport`: the compiler checks the two stay in step.
const _reportFits: (decoded: typeof RunReportResult.Type) => RunReport = (decoded) => decoded
void _reportFits

/** Module-level decoders of each request's `result` (built once, not per reply). */
export const decodePingResult = Schema.decodeUnknownEither(PingResult)
export const decodeLiveStatus = Schema.decodeUnknownEither(LiveStatus)
export const decodeRunReport = Schema.decodeUnknownEither(RunReportResult)

const decodeRequestLine = Schema.decodeUnknownEither(Schema.parseJson(ControlRequest), { errors: "first", onExcessProperty: "ignore" })
const decodeResponseLine = Schema.decodeUnknownEither(Schema.parseJson(ControlResponse))

/** The first line of a parse error, at most 200 characters: replies stay one line whatever was sent. */
const oneLine = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `
  const text = `${where}${issue?.message ?? error.message}`.replace(/\s+/g, " ")
  return text.length > 200 ? `${text.slice(0, 197)}...` : text
}

/** Decodes one request line; a malformed one becomes the error reply to send back. */
export const decodeRequest = (line: string): Either.Either<ControlRequest, ControlResponse> =>
  Either.mapLeft(decodeRequestLine(line), (error) => badRequest(`bad request: ${oneLine(error)}`))

/** The first line of a parse error, for a client's message. */
export const describeParseError = (error: ParseResult.ParseError): string => oneLine(error)

/** Decodes a reply line (client side). */
export const decodeResponse = (line: string): Either.Either<ControlResponse, string> =>
  Either.mapLeft(decodeResponseLine(line), oneLine)

/** One reply line, newline included; bigints (lamports, slots in metadata) become decimal strings. */
export const encodeLine = (value: ControlRequest | ControlResponse): string => `${toJson(value)}\n`

/** An error reply. */
export const errorReply = (error: string, code: ErrorCode): ControlResponse => ({ ok: false, error, code })

/** The reply to a request that could not be decoded. */
export const badRequest = (error: string): ControlResponse => errorReply(error, "bad-request")
