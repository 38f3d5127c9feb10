import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { type CliResult, cliJs } from "../layers/CliProcess.js"

/** Runs the CLI in a process group of its own, so a signal to "the caller's group" could only reach the CLI itself. */
export const runCliDetached = (home: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.promise(() =>
    new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [cliJs, ...args], {
        env: { ...process.env, AGENC_HOME: home, NOTIFY_SOCKET: "", WATCHDOG_USEC: "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
      })
      let stdout = ""
      let stderr = ""
      child.stdout!.on("data", (chunk) => (stdout += chunk))
      child.stderr!.on("data", (chunk) => (stderr += chunk))
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    })
  )

/** A long-lived unrelated process (`sleep 120`), killed when the scope closes. */
export const unrelatedProcess = Effect.acquireRelease(
  Effect.sync(() => spawn("sleep", ["120"], { stdio: "ignore" })),
  (child) => Effect.sync(() => child.kill("SIGKILL"))
)

/** Field 22 of /proc/PID/stat. */
export const startTimeOf = (pid: number): string => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!
}

export const stateOf = (pid: number): string => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!
}

export const bootId = (): string => fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()

/** Every file under `dir`, recursively. */
export const allFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? allFiles(full) : entry.isFile() ? [full] : []
  })

/** No stack trace: no `    at ` frame lines and no "internal error". */
export const assertNoStack = (text: string): boolean => !/^\s+at\s/m.test(text) && !text.includes("internal error")
