import { Data } from "effect"
import { oneLine } from "./OneLine.js"

/** A bad `gateway.json` (or a bad value passed in its place): `path` is the JSON path, when there is one. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly path?: string | undefined
  readonly message: string
}> {
  /** The one line shown to the user. */
  get line(): string {
    return oneLine(this.path === undefined || this.path === "" ? this.message : `${this.path}: ${this.message}`)
  }
}
