import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as ControlClient from "../../src/daemon/ControlClient.js"

/** The built CLI the process-level tests run (`npm run build` first). */
export const cliJs = path.resolve(import.meta.dirname, "../../dist/cli.js")

/** What a finished CLI run printed and how it ended. */
export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A temporary `$AGENC_HOME` (removed with the scope), with `gateway.json` written from `config`. */
export const tempHome = (config: unknown, name = "agenc home") =>
  Effect.acquireRelease(
    Effect.sync(() => {
      // Under test/ so that custom action modules written into it resolve "effect".
      const base = path.join(import.meta.dirname, "../../node_modules/.cache/agenc-test")
      fs.mkdirSync(base, { recursive: true })
      const home = fs.mkdtempSync(path.join(base, `${name.replace(/\W/g, "-")}-`))
      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config, null, 2))
      return home
    }),
    (home) => Effect.sync(() => fs.rmSync(home, { recursive: true, force: true }))
  )

/** A plain temp directory (removed with the scope). */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "agenc-test-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Spawns the CLI with `AGENC_HOME=home`; the process is SIGKILLed when the scope closes if still alive. */
export const spawnCli = (home: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [cliJs, ...args], {
        env: { ...process.env, AGENC_HOME: home, NOTIFY_SOCKET: "", WATCHDOG_USEC: "", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      const output = { stdout: "", stderr: "" }
      child.stdout!.on("data", (chunk) => (output.stdout += chunk))
      child.stderr!.on("data", (chunk) => (output.stderr += chunk))
      const exited = new Promise<CliResult>((resolve) =>
        child.on("close", (code, signal) => resolve({ code, signal, ...output }))
      )
      return { child, output, exited }
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

/** Waits for a spawned process to end. */
export const exited = (proc: { readonly exited: Promise<CliResult> }) => Effect.promise(() => proc.exited)

/**
 * Runs `command args` to completion with `AGENC_HOME=home` (no service manager's variables), killed after
 * 30 s: for the CLI run through a wrapper (`unshare`, `setpriv`) or as another user (`options.uid`/`gid`).
 */
export const runWrapped = (
  home: string,
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly uid?: number; readonly gid?: number } = {}
) =>
  Effect.async<CliResult>((resume) => {
    const child = spawn(command, args, {
      ...options,
      env: { ...process.env, AGENC_HOME: home, NOTIFY_SOCKET: "", WATCHDOG_USEC: "" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, signal, stdout, stderr }))
    })
  })

/** Runs the CLI to completion. */
export const runCli = (home: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.scoped(Effect.flatMap(spawnCli(home, args, env), exited))

/** Waits (up to `timeoutMs`) until the daemon of `home` answers on its control socket; answers its PID. */
export const waitReady = (home: string, timeoutMs = 20_000, socket = path.join(home, "gateway.sock")) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const answer = yield* ControlClient.request(socket, { op: "ping" }, { timeoutMs: 1_000 }).pipe(Effect.option)
      if (answer._tag === "Some" && answer.value.ok) return (answer.value.result as { pid: number }).pid
      if (Date.now() > deadline) return yield* Effect.die(new Error(`daemon in ${home} not ready after ${timeoutMs} ms`))
      yield* Effect.sleep(100)
    }
  })

/** Polls `check` every 50 ms until it is true or `timeoutMs` passes; answers whether it became true. */
export const eventually = (check: () => boolean, timeoutMs: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (check()) return true
      yield* Effect.sleep(50)
    }
    return check()
  })

/** Writes a custom action module into `home`: `body` is the source of its `execute` (an Effect expression). */
export const writeAction = (home: string, file: string, name: string, body: string) =>
  fs.writeFileSync(
    path.join(home, file),
    `import { Effect } from "effect"\nexport default { name: ${JSON.stringify(name)}, description: "test action", execute: () => ${body} }\n`
  )
