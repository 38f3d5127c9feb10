/**
 * `agenc daemon logs [-f] [-n N]`: the daemon's log. A daemon that runs as a systemd service logs to the
 * journal, so that is `journalctl -u <its unit>`; otherwise it is the rotated log file (`daemon.logFile`),
 * read across `gateway.log.1` … when the live file is shorter than N lines. Which one is shown goes to
 * stderr first, so stdout stays the log itself. `-f` follows the file by name, through rotations.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { daemonPaths } from "../daemon/DaemonPaths.js"
import * as PidFile from "../daemon/PidFile.js"
import { rotatedName } from "../gateway/FileRotation.js"
import { loadConfig } from "../layers/AppConfigFile.js"
import { CliError, ExitCode } from "./CliError.js"
import { configOption } from "./Options.js"

/** How often `-f` looks for new lines and for a rotation. */
const FOLLOW_POLL_MS = 250

/** Whether the process's stderr is the journal: its `JOURNAL_STREAM` names the very socket on its fd 2. */
const logsToJournal = (pid: number): boolean => {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")
    const stream = environ.find((entry) => entry.startsWith("JOURNAL_STREAM="))?.slice("JOURNAL_STREAM=".length)
    if (stream === undefined) return false
    const stderr = fs.statSync(`/proc/${pid}/fd/2`)
    return stream === `${stderr.dev}:${stderr.ino}`
  } catch {
    return false
  }
}

/**
 * The systemd service a process runs in and logs to the journal from, from its cgroup (`…/agenc.service`),
 * and whether a user manager (`user@UID.service`) runs it; undefined when its log is not the journal.
 */
export const systemdUnitOf = (pid: number): { readonly unit: string; readonly user: boolean } | undefined => {
  if (!logsToJournal(pid)) return undefined
  let cgroup: string
  try {
    cgroup = fs.readFileSync(`/proc/${pid}/cgroup`, "utf8")
  } catch {
    return undefined
  }
  for (const line of cgroup.split("\n")) {
    const segments = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1).split("/").filter((segment) => segment !== "")
    const manager = segments.findIndex((segment) => /^user@\d+\.service$/.test(segment))
    const unit = segments.slice(manager + 1).reverse().find((segment) => segment.endsWith(".service"))
    if (unit !== undefined) return { unit, user: manager >= 0 }
  }
  return undefined
}

/** The last `count` lines of `file` and, when it has fewer, of its rotated files, oldest first. */
export const lastLines = (fd: number, upTo: number, file: string, keep: number, count: number): Array<string> => {
  const lines: Array<string> = []
  const take = (readAt: (position: number, length: number) => Buffer, size: number) => {
    // Read backwards in growing windows until enough lines or the whole file.
    for (let window = 64 * 1024; ; window *= 4) {
      const length = Math.min(size, window)
      const text = readAt(size - length, length).toString("utf8").split("\n")
      if (text.at(-1) === "") text.pop()
      if (length < size) text.shift()
      if (text.length >= count - lines.length || length === size) {
        lines.unshift(...text.slice(Math.max(0, text.length - (count - lines.length))))
        return
      }
    }
  }
  const reader = (descriptor: number) => (position: number, length: number) => {
    const buffer = Buffer.alloc(length)
    fs.readSync(descriptor, buffer, 0, length, position)
    return buffer
  }
  take(reader(fd), upTo)
  for (let n = 1; n <= keep && lines.length < count; n++) {
    let older: number
    try {
      older = fs.openSync(rotatedName(file, n), "r")
    } catch {
      break
    }
    try {
      take(reader(older), fs.fstatSync(older).size)
    } finally {
      fs.closeSync(older)
    }
  }
  return lines
}

/** Which log is shown, on stderr before it. */
const sayWhich = (line: string) => Console.error(line)

const failure = (message: string) => new CliError({ message, code: ExitCode.failure })

const journal = (unit: { readonly unit: string; readonly user: boolean }, follow: boolean, lines: number) =>
  Effect.gen(function*() {
    yield* sayWhich(`journalctl ${unit.user ? "--user-unit" : "-u"} ${unit.unit} (the daemon runs under systemd and logs to the journal)`)
    const code = yield* Effect.async<number, CliError>((resume) => {
      const child = spawn("journalctl", [unit.user ? "--user-unit" : "-u", unit.unit, "-n", String(lines), "--no-pager", ...(follow ? ["-f"] : [])], {
        stdio: "inherit"
      })
      child.once("error", (error) => resume(Effect.fail(failure(`cannot run journalctl: ${error.message}`))))
      child.once("exit", (status, signal) => resume(Effect.succeed(status ?? (signal === null ? 1 : 0))))
      return Effect.sync(() => child.kill("SIGTERM"))
    })
    if (code !== 0) return yield* Effect.fail(new CliError({ message: `journalctl exited with code ${code}`, code: ExitCode.failure }))
  })

const openLog = (file: string): number | undefined => {
  try {
    return fs.openSync(file, "r")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

const logFile = (file: string, keep: number, maxSize: number, follow: boolean, lines: number) =>
  Effect.gen(function*() {
    const opened = yield* Effect.try({ try: () => openLog(file), catch: (cause) => failure(`cannot read ${file}: ${(cause as Error).message}`) })
    if (opened === undefined && !follow) {
      return yield* Effect.fail(failure(`no log at ${file} (a daemon started with --foreground logs to its stderr)`))
    }
    yield* sayWhich(`${file} (rotated at ${maxSize} bytes, ${keep} kept)`)
    const state = { fd: opened, position: opened === undefined ? 0 : fs.fstatSync(opened).size }
    if (state.fd !== undefined) {
      const text = lastLines(state.fd, state.position, file, keep, lines)
      if (text.length > 0) yield* Effect.sync(() => process.stdout.write(text.join("\n") + "\n"))
    }
    if (!follow) {
      if (state.fd !== undefined) fs.closeSync(state.fd)
      return
    }
    const drain = () => {
      if (state.fd === undefined) return
      const buffer = Buffer.alloc(64 * 1024)
      for (;;) {
        const read = fs.readSync(state.fd, buffer, 0, buffer.length, state.position)
        if (read === 0) return
        state.position += read
        process.stdout.write(buffer.subarray(0, read))
      }
    }
    const step = () => {
      drain()
      // A rotation renamed the file we hold: finish it, then move to the new one under the name.
      let current: fs.Stats | undefined
      try {
        current = fs.statSync(file)
      } catch {
        return
      }
      const held = state.fd === undefined ? undefined : fs.fstatSync(state.fd)
      if (held !== undefined && held.ino === current.ino && held.dev === current.dev) return
      if (held !== undefined && current.size === 0 && held.size > state.position) return
      const next = openLog(file)
      if (next === undefined) return
      if (state.fd !== undefined) fs.closeSync(state.fd)
      state.fd = next
      state.position = 0
      drain()
    }
    yield* Effect.try({ try: step, catch: (cause) => failure(`cannot follow ${file}: ${(cause as Error).message}`) }).pipe(
      Effect.zipRight(Effect.sleep(FOLLOW_POLL_MS)),
      Effect.forever
    )
  })

/** `agenc daemon logs`. */
export const logsCommand = Command.make("logs", {
  follow: Options.boolean("follow").pipe(Options.withAlias("f"), Options.withDescription("keep printing lines as they are written, through rotations")),
  lines: Options.integer("lines").pipe(
    Options.withAlias("n"),
    Options.withDescription("how many of the last lines to print first"),
    Options.withDefault(50)
  ),
  config: configOption
}, ({ config, follow, lines }) =>
  Effect.gen(function*() {
    if (lines < 0) return yield* Effect.fail(CliError.usage(`--lines: ${lines} is negative`))
    const loaded = yield* loadConfig({ file: Option.getOrUndefined(config) })
    const paths = daemonPaths(loaded)
    const state = yield* PidFile.inspect(paths.pidFile).pipe(Effect.mapError((error) => failure(error.message)))
    const unit = state._tag === "Running" ? systemdUnitOf(state.record.pid) : undefined
    if (unit !== undefined) return yield* journal(unit, follow, lines)
    return yield* logFile(paths.logFile, paths.logRotation.keep, paths.logRotation.maxSize, follow, lines)
  })).pipe(Command.withDescription("show the daemon's log: its rotated log file, or journalctl -u under systemd (says which on stderr)"))
