import { Schema } from "effect"

/** The `log` section of `gateway.json`. */
export class LogConfig extends Schema.Class<LogConfig>("LogConfig")({
  level: Schema.optionalWith(Schema.Literal("trace", "debug", "info", "warn", "warning", "error"), { default: () => "info" as const }),
  format: Schema.optionalWith(Schema.Literal("auto", "json", "pretty"), { default: () => "auto" as const }).annotations({
    description: "auto: JSON lines unless stderr is a terminal (and always under journald)"
  })
}) {}
