import { Schema } from "effect"
import { DurationMsBetween, MAX_TIMER_MS, TimerDurationMs } from "./DurationMs.js"

/** The `daemon` section of `gateway.json`. Paths are relative to `$AGENC_HOME` unless absolute. */
export class DaemonConfig extends Schema.Class<DaemonConfig>("DaemonConfig")({
  pidFile: Schema.optionalWith(Schema.NonEmptyString, { default: () => "gateway.pid" }),
  socket: Schema.optionalWith(Schema.NonEmptyString, { default: () => "gateway.sock" }).annotations({
    description: "control socket (mode 0600) used by `agenc heartbeat trigger` and `agenc daemon status`"
  }),
  logFile: Schema.optionalWith(Schema.NonEmptyString, { default: () => "logs/gateway.log" }),
  watchdogInterval: Schema.optionalWith(TimerDurationMs(1_000), { default: () => 60_000 }).annotations({
    description: "systemd WatchdogSec of the generated unit"
  }),
  // The hard shutdown deadline is a timer of grace + 1.5 s.
  shutdownGrace: Schema.optionalWith(DurationMsBetween(0, MAX_TIMER_MS - 60_000), { default: () => 3_000 }).annotations({
    description: "how long in-flight actions may finish on shutdown before they are interrupted"
  })
}) {}
