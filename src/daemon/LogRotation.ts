/**
 * The detached daemon's log, rotated by size (`daemon.logFile: { "maxSize": "10MB", "keep": 5 }`).
 *
 * Two writers share the one rotation (`FileRotation.rotateSync`, renames only, so `tail -F` and
 * `agenc daemon logs -f` follow it):
 * - `rotateOwnStdio`: a daemon whose stdout/stderr *are* the log file (a detached `daemon start` opens it
 *   and hands it over as both) checks the file's size every few seconds and, past `maxSize`, rotates it and
 *   points fds 1 and 2 at a fresh file with dup2(2), so everything the process writes (logs, the console
 *   channel, Node's own fatal messages) lands in the new file.
 * - `followRotatedStdio`: a process that shares those fds but does not rotate (the supervisor, whose child
 *   is the daemon) re-points its fds 1 and 2 at the file under the name once the daemon has rotated it, so
 *   its own lines, and the next daemon it starts, write to the live file. It looks every 250 ms (and before
 *   it starts a daemon): a supervisor line written in that window ends `name.1`, where a `tail -F` that has
 *   moved on does not show it (the daemon's own lines never do: it rotates and dup2()s synchronously).
 * - `RotatingLogWriter`: for a process that receives another's output on a pipe (a supervisor) and appends
 *   it to the log itself.
 */
import { Duration, Effect, Schedule } from "effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { rotateSync } from "../gateway/FileRotation.js"

/** How often the daemon looks at its log's size. */
export const CHECK_EVERY = Duration.seconds(5)

/** How often a process sharing the daemon's log (the supervisor) looks for a rotation to follow. */
export const FOLLOW_EVERY = Duration.millis(250)

/** The log's size limit and how many rotated files are kept. */
export interface LogRotationPolicy {
  readonly maxSize: number
  readonly keep: number
}

const sameFile = (a: fs.Stats, b: fs.Stats) => a.dev === b.dev && a.ino === b.ino

/** Whether fds 1 and 2 of this process are the file at `logFile` (the detached daemon's case). */
export const stdioIsLogFile = (logFile: string): boolean => {
  try {
    const file = fs.statSync(logFile)
    return file.isFile() && sameFile(fs.fstatSync(1), file) && sameFile(fs.fstatSync(2), file)
  } catch {
    return false
  }
}

let dup2: ((from: number, to: number) => number) | undefined
const loadDup2 = () => {
  if (dup2 === undefined) {
    // cast: koffi is loaded lazily (Linux only) and has no types we import here
    const koffi = createRequire(import.meta.url)("koffi") as {
      load: (name: string) => { func: (signature: string) => (...args: Array<unknown>) => number }
    }
    dup2 = koffi.load("libc.so.6").func("int dup2(int, int)") as (from: number, to: number) => number // cast: koffi returns untyped functions; the C signature string is the type
  }
  return dup2
}

const reopenStdio = (logFile: string) => {
  const fd = fs.openSync(logFile, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600)
  try {
    const redirect = loadDup2()
    if (redirect(fd, 1) < 0 || redirect(fd, 2) < 0) throw new Error(`dup2 onto stdout/stderr failed`)
  } finally {
    fs.closeSync(fd)
  }
}

/** Rotates `logFile` if fd 2 has grown past `maxSize`, and reopens fds 1 and 2 on the new file. */
export const rotateStdioIfDue = (logFile: string, policy: LogRotationPolicy): boolean => {
  if (fs.fstatSync(2).size < policy.maxSize) return false
  rotateSync(logFile, policy.keep)
  reopenStdio(logFile)
  return true
}

/** Points fds 1 and 2 at `logFile` again if they hold a file that is no longer the one under that name. */
export const followStdioIfRotated = (logFile: string): boolean => {
  let current: fs.Stats
  try {
    current = fs.statSync(logFile)
  } catch {
    // Between the rename and the new file: next time.
    return false
  }
  const held = fs.fstatSync(2)
  if (!held.isFile() || sameFile(held, current)) return false
  reopenStdio(logFile)
  return true
}

/**
 * While the scope lives, follows the log's rotations (by another process) when this process's stdout and
 * stderr are that file at the start; does nothing otherwise.
 */
export const followRotatedStdio = (logFile: string) =>
  Effect.suspend(() => {
    if (!stdioIsLogFile(logFile)) return Effect.void
    return Effect.try(() => followStdioIfRotated(logFile)).pipe(
      Effect.catchAll((error) => Effect.logWarning(`following the rotation of ${logFile} failed: ${error.message}`)),
      Effect.repeat(Schedule.spaced(FOLLOW_EVERY)),
      Effect.forkScoped,
      Effect.asVoid
    )
  })

/**
 * While the scope lives, rotates the daemon's own log when its stdout and stderr are that file; does
 * nothing otherwise (foreground on a terminal, under journald, or a supervisor writing the file).
 */
export const rotateOwnStdio = (logFile: string, policy: LogRotationPolicy) =>
  Effect.suspend(() => {
    if (!stdioIsLogFile(logFile)) return Effect.void
    return Effect.try(() => rotateStdioIfDue(logFile, policy)).pipe(
      Effect.tap((rotated) => rotated ? Effect.logInfo(`log rotated: ${logFile}.1 (keeping ${policy.keep})`) : Effect.void),
      Effect.catchAll((error) => Effect.logWarning(`log rotation of ${logFile} failed: ${error.message}`)),
      Effect.repeat(Schedule.spaced(CHECK_EVERY)),
      Effect.forkScoped,
      Effect.asVoid
    )
  })

/** Appends to a log file, rotating it when a write would take it past `maxSize`. Synchronous. */
export class RotatingLogWriter {
  private fd: number
  private size: number
  constructor(readonly file: string, readonly policy: LogRotationPolicy) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    this.fd = this.open()
    this.size = fs.fstatSync(this.fd).size
  }
  private open(): number {
    return fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600)
  }
  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk
    if (this.size > 0 && this.size + bytes.length > this.policy.maxSize) {
      fs.closeSync(this.fd)
      rotateSync(this.file, this.policy.keep)
      this.fd = this.open()
      this.size = 0
    }
    fs.writeSync(this.fd, bytes)
    this.size += bytes.length
  }
  close(): void {
    fs.closeSync(this.fd)
  }
}
