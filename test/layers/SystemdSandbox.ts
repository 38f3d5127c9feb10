import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

/** The repository root: the install script and dist/cli.js are used from here, inside the sandbox too. */
export const ROOT = path.resolve(import.meta.dirname, "../..")

let mirrored: string | undefined

/**
 * The repository as a unit sees it. The unit's PrivateTmp=yes hides /tmp and /var/tmp, so a checkout there
 * (a CI clone, say) is mirrored once per test process with hard links under /var/lib, removed at exit.
 */
export const unitRoot = (): string => {
  if (!/^\/(var\/)?tmp(\/|$)/.test(ROOT)) return ROOT
  if (mirrored !== undefined) return mirrored
  // A worker that was killed never ran its exit hook: mirrors older than an hour are leftovers.
  for (const name of fs.readdirSync("/var/lib").filter((entry) => entry.startsWith("agenc-test-root-"))) {
    const old = path.join("/var/lib", name)
    if (Date.now() - fs.statSync(old).mtimeMs > 3_600_000) fs.rmSync(old, { recursive: true, force: true })
  }
  const target = fs.mkdtempSync("/var/lib/agenc-test-root-")
  // The system unit runs as `agenc`: it must reach dist/ as the checkout's own mode would let it.
  fs.chmodSync(target, 0o755)
  process.on("exit", () => fs.rmSync(target, { recursive: true, force: true }))
  for (const entry of ["package.json", "dist", "scripts", "node_modules"]) {
    // Hard links where the file system allows, else a copy; test homes under node_modules/.cache may vanish meanwhile.
    const linked = spawnSync("cp", ["-al", path.join(ROOT, entry), target])
    if (linked.status !== 0) spawnSync("cp", ["-a", path.join(ROOT, entry), target])
  }
  fs.rmSync(path.join(target, "node_modules", ".cache"), { recursive: true, force: true })
  mirrored = target
  return target
}

/**
 * The shared tool that boots a real systemd in its own namespaces (see its header): in `shared/` beside the
 * repository (where CI puts its copy), else the workplace's.
 */
export const SANDBOX = [path.resolve(ROOT, "../shared/tools/systemd-sandbox"), "/work/shared/tools/systemd-sandbox"]
  .find((file) => fs.existsSync(file)) ?? path.resolve(ROOT, "../shared/tools/systemd-sandbox")

/** Why the sandbox cannot run here, or undefined: it needs root. */
export const sandboxUnavailable = (): string | undefined =>
  process.getuid?.() !== 0 ? "the systemd sandbox needs root (tests and CI run as root)" : undefined

/**
 * The sandbox shares this machine's /dev: PrivateDevices=yes (the agenc unit's) clones /dev/null from it, and
 * systemd fails every such unit with 226/NAMESPACE when /dev/null is not the null device. Says so, if so.
 */
export const brokenDevNull = (): string | undefined =>
  fs.statSync("/dev/null").isCharacterDevice()
    ? undefined
    : "this machine's /dev/null is not a character device (something replaced it with a file): no unit with PrivateDevices=yes can start; restore it with `mknod -m 666 /dev/null c 1 3`"

/** What one command inside the sandbox printed. */
export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A booted sandbox: `exec` runs a command inside it (absolute paths; it starts in /). */
export interface Sandbox {
  readonly pid: number
  readonly exec: (...command: ReadonlyArray<string>) => Run
  /** `systemctl show UNIT -p …` as a record. */
  readonly show: (unit: string, ...properties: ReadonlyArray<string>) => Record<string, string>
}

const run = (args: ReadonlyArray<string>, timeoutMs = 60_000): Run => {
  const result = spawnSync("bash", [SANDBOX, ...args], { encoding: "utf8", timeout: timeoutMs })
  return { code: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" }
}

/** Boots a sandbox for the scope; it is powered off (every process inside ends) when the scope closes. */
export const sandbox = Effect.acquireRelease(
  Effect.suspend(() => {
    const broken = brokenDevNull()
    if (broken !== undefined) return Effect.die(new Error(broken))
    const started = run(["start"])
    return started.code === 0
      ? Effect.succeed(Number(started.stdout.trim()))
      : Effect.die(new Error(`systemd-sandbox start exited ${started.code}: ${started.stderr.trim()}`))
  }),
  (pid) => Effect.sync(() => run(["stop", String(pid)]))
).pipe(Effect.map((pid): Sandbox => {
  const exec = (...command: ReadonlyArray<string>) => run(["exec", String(pid), ...command])
  return {
    pid,
    exec,
    show: (unit, ...properties) => {
      const shown = exec("systemctl", "show", unit, ...properties.flatMap((p) => ["-p", p]))
      return Object.fromEntries(shown.stdout.trim().split("\n").filter((line) => line.includes("=")).map((line) => {
        const at = line.indexOf("=")
        return [line.slice(0, at), line.slice(at + 1)]
      }))
    }
  }
}))

/** Polls `check` every 50 ms until it answers a value or `timeoutMs` passes (then undefined). */
export const poll = <A>(check: () => A | undefined, timeoutMs: number) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value !== undefined) return value
      if (Date.now() > deadline) return undefined
      yield* Effect.sleep(50)
    }
  })

/**
 * kill -9 of the unit's main PID, then waits until it is active again under a new PID. Answers the new PID
 * and how long it took from the kill to the new process (ExecMainStartTimestampMonotonic) and to READY=1 (systemd's ActiveEnterTimestampMonotonic: CLOCK_MONOTONIC,
 * the clock of `process.hrtime`, read just before the kill), or undefined if not back within `timeoutMs`.
 */
export const killAndWaitReady = (box: Sandbox, unit: string, timeoutMs: number) =>
  Effect.gen(function*() {
    const before = box.show(unit, "MainPID")["MainPID"]!
    const killedAtUs = Number(process.hrtime.bigint() / 1_000n)
    const killed = box.exec("kill", "-9", before)
    if (killed.code !== 0) return yield* Effect.die(new Error(`kill -9 ${before}: ${killed.stderr}`))
    return yield* poll(() => {
      const shown = box.show(unit, "ActiveState", "MainPID", "ActiveEnterTimestampMonotonic", "ExecMainStartTimestampMonotonic")
      if (shown["ActiveState"] !== "active" || shown["MainPID"] === before || shown["MainPID"] === "0") return undefined
      const readyMs = (Number(shown["ActiveEnterTimestampMonotonic"]) - killedAtUs) / 1_000
      const respawnMs = (Number(shown["ExecMainStartTimestampMonotonic"]) - killedAtUs) / 1_000
      return { pid: Number(shown["MainPID"]), crashedPid: Number(before), readyMs, respawnMs }
    }, timeoutMs)
  })
