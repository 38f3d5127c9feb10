import { Option, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

/** The `effect` versions a custom action may use: the same major as agenc, at least this minor. */
export const requiredEffect = { major: 3, minor: 22, range: "^3.22" } as const

// Built once: a package.json that is not JSON or has no string version tells nothing.
const decodePackageVersion = Schema.decodeUnknownOption(Schema.parseJson(Schema.Struct({ version: Schema.String })))

/** The version of the `effect` package that `import "effect"` in a module in `dir` resolves to. */
export const effectVersionFrom = (dir: string): Option.Option<{ readonly version: string; readonly file: string }> => {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const file = path.join(at, "node_modules", "effect", "package.json")
    if (fs.existsSync(file)) {
      return Option.map(decodePackageVersion(fs.readFileSync(file, "utf8")), ({ version }) => ({ version, file }))
    }
    if (path.dirname(at) === at) return Option.none()
  }
}

/**
 * Why a module in `dir` cannot share agenc's Effect, or undefined when it can: an action built on another
 * major (npm's `latest` may be Effect 4) fails in ways that name neither version.
 */
export const effectMismatch = (dir: string): string | undefined => {
  const found = effectVersionFrom(dir)
  if (Option.isNone(found)) return undefined
  const [major, minor] = found.value.version.split(".").map(Number)
  if (major === requiredEffect.major && (minor ?? 0) >= requiredEffect.minor) return undefined
  return `resolves effect ${found.value.version} (${path.dirname(found.value.file)}), but agenc needs effect ${requiredEffect.range}: run \`npm install effect@${requiredEffect.range}\` in ${dir}`
}
