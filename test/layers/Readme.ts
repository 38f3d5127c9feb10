import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const repo = path.resolve(import.meta.dirname, "../..")

/** The README's block marked `<!-- marker -->`, verbatim. */
export const readmeBlock = (marker: string): string => {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8")
  const start = readme.indexOf(`<!-- ${marker}`)
  assert.isAtLeast(start, 0, `README has a block marked ${marker}`)
  const fence = readme.indexOf("```sh\n", start) + "```sh\n".length
  return readme.slice(fence, readme.indexOf("```\n", fence))
}

/** Runs a command without blocking the test worker (a blocked worker misses vitest's heartbeats). */
export const runCommand = (command: string, args: ReadonlyArray<string>, options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }) =>
  Effect.async<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (status) => resume(Effect.succeed({ status, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })
