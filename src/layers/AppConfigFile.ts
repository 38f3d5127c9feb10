import { Effect, Layer, ParseResult, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ConfigError } from "../domain/ConfigError.js"
import { agencHome, expandHome, formatPath } from "../domain/ConfigPath.js"
import { GatewayConfig } from "../domain/GatewayConfig.js"
import { AppConfig, type LoadedConfig } from "../services/AppConfig.js"

const decode = Schema.decodeUnknown(GatewayConfig, { errors: "all", onExcessProperty: "error" })

/** How deeply `gateway.json` may nest; far beyond any real config, far below what the decoder's recursion survives. */
export const MAX_CONFIG_DEPTH = 64

/** Keys that would reach an object's prototype if anything ever merged the config into an object. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"])

/**
 * Checks the shape of a parsed JSON value before decoding, without recursion: no nesting deeper than
 * `MAX_CONFIG_DEPTH` and no `__proto__`, `constructor` or `prototype` key anywhere. The error names the path.
 */
export const checkJsonShape = (input: unknown): ConfigError | undefined => {
  const stack: Array<{ readonly value: unknown; readonly path: ReadonlyArray<PropertyKey> }> = [{ value: input, path: [] }]
  while (stack.length > 0) {
    const { path: at, value } = stack.pop()!
    if (typeof value !== "object" || value === null) continue
    if (at.length >= MAX_CONFIG_DEPTH) {
      return new ConfigError({ path: formatPath(at), message: `nested deeper than ${MAX_CONFIG_DEPTH} levels` })
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: [...at, index] }))
      continue
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return new ConfigError({ path: formatPath([...at, key]), message: `the key "${key}" is not allowed anywhere in the config` })
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...at, key] })
    }
  }
  return undefined
}

/** Parses the text of `gateway.json` (a leading UTF-8 BOM is allowed) and checks its shape; `file` names it in errors. */
export const parseConfigText = (text: string, file: string): Effect.Effect<unknown, ConfigError> =>
  Effect.try({
    // Editors on Windows save UTF-8 with a BOM; JSON.parse rejects it.
    try: () => JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown,
    // One line: V8's message may quote the offending text, newlines included.
    catch: (cause) => new ConfigError({ message: `${file}: not valid JSON (${(cause as Error).message.replace(/\s+/g, " ")})` })
  }).pipe(Effect.flatMap((json) => {
    const problem = checkJsonShape(json)
    return problem === undefined ? Effect.succeed(json) : Effect.fail(problem)
  }))

/** How errors name a JSON value: `an array`, `an object`, `null`, `a string ("x")`, `a number (42)`. */
export const describeJsonValue = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  if (typeof value === "object") return "an object"
  const text = JSON.stringify(value) ?? String(value)
  return `a ${typeof value} (${text.length > 40 ? `${text.slice(0, 39)}…` : text})`
}

/** The container a Schema's "Expected …" names, if it is one: a Struct, Record or class (or a union of them) is a JSON object. */
const containerOf = (expected: string): "object" | "array" | undefined =>
  /^(ReadonlyArray|Array)<|^readonly \[/.test(expected) ? "array" : /^Struct\b|^\{ |^\(?\w+ \(Encoded side\)/.test(expected) ? "object" : undefined

/** The value at `at` in `input`, as the decoder saw it. */
const valueAt = (input: unknown, at: ReadonlyArray<PropertyKey>): unknown =>
  at.reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined), input)

/** Decodes an already-parsed JSON value into the config; the error names the JSON path. */
export const decodeConfig = (input: unknown): Effect.Effect<GatewayConfig, ConfigError> =>
  decode(input).pipe(Effect.mapError((error) => {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
    const [issue] = issues
    if (issue === undefined) return new ConfigError({ message: error.message })
    const path = formatPath(issue.path)
    // A union (e.g. of literals) fails once per member: say once what would have been accepted.
    const expected = issues
      .filter((other) => formatPath(other.path) === path)
      .map((other) => /^Expected (.*), actual (.*)$/s.exec(other.message))
      // Optional fields also report "Expected undefined": true, and no help.
      .filter((match) => match?.[1] !== "undefined")
    // "Expected Struct (Encoded side), actual []" says how the decoder works, not what the file should hold.
    const container = expected.length === 1 && expected[0] !== null ? containerOf(expected[0]![1]!) : undefined
    const message = container !== undefined
      ? `expected a JSON ${container}, got ${describeJsonValue(valueAt(input, issue.path))}`
      : expected.length > 1 && expected.every((match) => match !== null && match[2] === expected[0]![2])
      ? `Expected ${expected.map((match) => match![1]).join(" | ")}, actual ${expected[0]![2]}`
      : issue.message
    return new ConfigError({ path, message })
  }))

/**
 * Reads `gateway.json`: `file` when given (it must exist), else `$AGENC_HOME/gateway.json` (built-in
 * defaults when it does not exist).
 */
export const loadConfig = (options: { readonly file?: string | undefined; readonly home?: string | undefined } = {}): Effect.Effect<LoadedConfig, ConfigError> =>
  Effect.gen(function*() {
    const home = options.home ?? agencHome()
    const explicit = options.file !== undefined
    const file = explicit ? path.resolve(expandHome(options.file!)) : path.join(home, "gateway.json")
    const text = yield* Effect.tryPromise({
      try: () => fs.readFile(file, "utf8"),
      catch: (cause) => cause as NodeJS.ErrnoException
    }).pipe(
      Effect.map((text): string | undefined => text),
      Effect.catchAll((cause) =>
        cause.code === "ENOENT" && !explicit
          ? Effect.succeed(undefined)
          : Effect.fail(new ConfigError({ message: `${file}: ${cause.code === "ENOENT" ? "no such file" : cause.message}` }))
      )
    )
    if (text === undefined) {
      return { home, file, fromFile: false, config: yield* decodeConfig({}) }
    }
    const json = yield* parseConfigText(text, file)
    // What is wrong with the whole file is said of the file: `<file>: expected a JSON object, got an array`.
    const config = yield* decodeConfig(json).pipe(Effect.mapError((error) =>
      error.path === undefined || error.path === "" ? new ConfigError({ message: `${file}: ${error.message}` }) : error))
    return { home, file, fromFile: true, config }
  })

/** Provides `AppConfig` from the file (or the defaults). */
export const AppConfigFile = (options: { readonly file?: string | undefined; readonly home?: string | undefined } = {}) =>
  Layer.effect(AppConfig, loadConfig(options))
