import { Schema } from "effect"
import { DurationMs } from "./DurationMs.js"

/** `daemon.restartLimit`: how many restarts within how long before a crash loop is given up. */
export class RestartLimit extends Schema.Class<RestartLimit>("RestartLimit")({
  burst: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 5 }),
  interval: Schema.optionalWith(DurationMs, { default: () => 300_000 })
}) {}

/** The `daemon` section of `gateway.json`. Paths are relative to `$AGENC_HOME` unless absolute. */
export class DaemonConfig extends Schema.Class<DaemonConfig>("DaemonConfig")({
  pidFile: Schema.optionalWith(Schema.NonEmptyString, { default: () => "gateway.pid" }),
  socket: Schema.optionalWith(Schema.NonEmptyString, { default: () => "gateway.sock" }).annotations({
    description: "control socket (mode 0600) used by `agenc heartbeat trigger` and `agenc daemon status`"
  }),
  logFile: Schema.optionalWith(Schema.NonEmptyString, { default: () => "logs/gateway.log" }),
  watchdogInterval: Schema.optionalWith(DurationMs, { default: () => 60_000 }).annotations({
    description: "systemd WatchdogSec of the generated unit"
  }),
  shutdownGrace: Schema.optionalWith(DurationMs, { default: () => 3_000 }).annotations({
    description: "how long in-flight actions may finish on shutdown before they are interrupted"
  }),
  restartDelay: Schema.optionalWith(DurationMs, { default: () => 100 }).annotations({
    description: "the first delay before a crashed daemon is restarted: the unit's RestartSec, the supervisor's first backoff (the seed used 10s)"
  }),
  restartLimit: Schema.optionalWith(RestartLimit, { default: () => Schema.decodeUnknownSync(RestartLimit)({}) }).annotations({
    description: "at most `burst` restarts within `interval`: the unit's start limits, and when the supervisor gives up"
  })
}) {}
