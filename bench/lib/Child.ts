import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { build, type Plugin } from "esbuild"

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const SRC = path.join(ROOT, "src") + path.sep
const DIST = path.join(ROOT, "dist")
const OUT = path.join(ROOT, "bench", ".build")

/**
 * Bench files import `../src/...` so they typecheck on a fresh clone; at run time those imports are
 * pointed at `dist/`, so a child measures the library exactly as `npm run build` ships it. Only the
 * bench file itself (and test helpers it borrows) is bundled; packages stay external.
 */
const srcToDist: Plugin = {
  name: "src-to-dist",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path)
      if (!resolved.startsWith(SRC)) return undefined
      const target = path.join(DIST, resolved.slice(SRC.length))
      if (!fs.existsSync(target)) throw new Error(`${target} is missing: run npm run build`)
      return { path: pathToFileURL(target).href, external: true }
    })
  }
}

const bundled = new Map<string, Promise<string>>()

/** Bundles a bench child (path relative to the root) into bench/.build/ once; answers the .mjs path. */
export const bundle = (entry: string): Promise<string> => {
  const cached = bundled.get(entry)
  if (cached !== undefined) return cached
  const outfile = path.join(OUT, entry.replace(/[\\/]/g, "__").replace(/\.ts$/, ".mjs"))
  const done = build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    plugins: [srcToDist],
    logLevel: "error"
  }).then(() => outfile)
  bundled.set(entry, done)
  return done
}

/** What a child printed: its `@@result`, and every event in order. */
export interface ChildOutput {
  readonly result: unknown
  readonly events: ReadonlyArray<{ readonly event: string; readonly data: unknown }>
  readonly stderr: string
}

/** A running child with a hook per `@@event` line. */
export interface RunningChild {
  readonly process: ChildProcess
  readonly done: Promise<ChildOutput>
  /** Resolves at the first `@@<event>` line. */
  readonly when: (event: string) => Promise<unknown>
}

/** Spawns a bundled bench child with `node --expose-gc`. The promise rejects on a non-zero exit. */
export const runChild = async (entry: string, args: ReadonlyArray<string> = [], env: NodeJS.ProcessEnv = {}): Promise<RunningChild> => {
  const file = await bundle(entry)
  const child = spawn(process.execPath, ["--expose-gc", file, ...args], {
    cwd: ROOT,
    // Every library reads schedules in UTC, croner and node-cron through their default local-time path.
    env: { ...process.env, TZ: "UTC", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const events: Array<{ event: string; data: unknown }> = []
  const waiters = new Map<string, Array<(data: unknown) => void>>()
  let result: unknown
  let stderr = ""
  let buffer = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk
    for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      const match = /^@@(\w+) (.*)$/.exec(line)
      if (match === null) continue
      const data = JSON.parse(match[2]!) as unknown
      events.push({ event: match[1]!, data })
      if (match[1] === "result") result = data
      for (const waiter of waiters.get(match[1]!) ?? []) waiter(data)
      waiters.delete(match[1]!)
    }
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    // Keep the tail only: a chatty child must not grow the runner's heap.
    stderr = (stderr + chunk).slice(-4_000)
  })
  const done = new Promise<ChildOutput>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => {
      if (code === 0) resolve({ result, events, stderr })
      else reject(new Error(`${entry} ${args.join(" ")} exited ${code ?? signal}\n${stderr}`))
    })
  })
  const when = (event: string) => {
    const seen = events.find((e) => e.event === event)
    if (seen !== undefined) return Promise.resolve(seen.data)
    return Promise.race([
      new Promise<unknown>((resolve) => waiters.set(event, [...(waiters.get(event) ?? []), resolve])),
      done.then(() => Promise.reject(new Error(`${entry} exited before @@${event}`)))
    ])
  }
  return { process: child, done, when }
}

/** Spawns a child and answers its `@@result`. */
export const childResult = async <A>(entry: string, args: ReadonlyArray<string> = [], env: NodeJS.ProcessEnv = {}): Promise<A> => {
  const child = await runChild(entry, args, env)
  return (await child.done).result as A
}
