import * as os from "node:os"
import * as path from "node:path"

/** `$AGENC_HOME`, default `~/.agenc`. */
export const agencHome = (env: NodeJS.ProcessEnv = process.env): string =>
  path.resolve(expandHome(env.AGENC_HOME !== undefined && env.AGENC_HOME !== "" ? env.AGENC_HOME : "~/.agenc"))

/** Expands a leading `~`. */
export const expandHome = (p: string): string =>
  p === "~" ? os.homedir() : p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : p

/** Resolves a path from the config: `~` expanded, relative paths taken from `base`. */
export const resolvePath = (base: string, p: string): string => path.resolve(base, expandHome(p))

/** Formats a JSON path the way a person writes it: `heartbeat.actions[1].schedule`. */
export const formatPath = (segments: ReadonlyArray<PropertyKey>): string =>
  segments.reduce<string>((out, segment) =>
    typeof segment === "number"
      ? `${out}[${segment}]`
      // A key that is not a plain name (empty, spaces, dots) is quoted, so the path stays readable.
      : !/^[A-Za-z_$][\w$-]*$/.test(String(segment))
      ? `${out}[${JSON.stringify(String(segment))}]`
      : out === "" ? String(segment) : `${out}.${String(segment)}`, "")
