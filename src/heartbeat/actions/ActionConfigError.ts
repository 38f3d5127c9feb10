import { Data, Effect, ParseResult, Schema } from "effect"
import { formatPath } from "../../domain/ConfigPath.js"

/** An action's `config` in `gateway.json` does not fit its schema; `field` is the path inside `config`. */
export class ActionConfigError extends Data.TaggedError("ActionConfigError")<{
  readonly action: string
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.action}: config${this.field === "" ? "" : `.${this.field}`}: ${this.reason}`
  }
}

/**
 * Decodes an action's raw `config` with its schema. Unknown keys are an error, so a typo such as
 * `minreward` does not silently mean "no filter".
 */
export const decodeActionConfig = <A, I>(
  schema: Schema.Schema<A, I>,
  action: string,
  config: unknown
): Effect.Effect<A, ActionConfigError> =>
  Schema.decodeUnknown(schema, { errors: "first", onExcessProperty: "error" })(config).pipe(
    Effect.mapError((error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const field = issue === undefined ? "" : formatPath(issue.path)
      return new ActionConfigError({ action, field, reason: issue?.message ?? error.message })
    })
  )
