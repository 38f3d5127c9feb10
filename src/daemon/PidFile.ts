import { Clock, Data, Effect, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { tempNameFor, writeAtomicSync, writeExclusiveSync } from "../domain/FileSafety.js"
import { isValidPid, type ProcessIdentity, self, verifyDaemon } from "../domain/ProcessIdentity.js"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"

/** Where a running daemon says its files are, so commands find it even when `gateway.json` is broken. */
export interface DaemonLocation {
  readonly pidFile: string
  readonly socket: string
  readonly logFile: string
  /** The config file it loaded. */
  readonly config: string
}

/** What the PID file holds. */
export interface PidRecord extends ProcessIdentity, Partial<DaemonLocation> {
  /** Epoch ms the daemon started. */
  readonly startedAt: number
}

/** `$AGENC_HOME/daemon.json`: a copy of the running daemon's PID record, with its paths, at a fixed place. */
export const locatorFile = (home: string): string => path.join(home, "daemon.json")

/** The PID file names a live daemon. */
export class AlreadyRunningError extends Data.TaggedError("AlreadyRunningError")<{ readonly pid: number; readonly file: string }> {
  override get message(): string {
    return `already running (PID ${this.pid}, PID file ${this.file})`
  }
}

/** The PID file could not be read or written. */
export class PidFileError extends Data.TaggedError("PidFileError")<{ readonly message: string; readonly cause?: unknown }> {}

/** A PID file left behind by a daemon that did not end cleanly, or one that proves nothing. */
export interface StalePid {
  readonly record: PidRecord | undefined
  readonly reason: string
  /** The record names a live process but carries no identity to prove it is the daemon (a bare PID). */
  readonly unverified?: boolean | undefined
}

/** What the PID file says about the daemon. */
export type PidState =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Running"; readonly record: PidRecord }
  | { readonly _tag: "Stale"; readonly stale: StalePid }

/** A text field of the record: one of another type (a hand edit, an older tool) reads as absent, not as a bad file. */
const LenientText = Schema.optional(Schema.transform(Schema.Unknown, Schema.UndefinedOr(Schema.String), {
  strict: true,
  decode: (value) => typeof value === "string" && value !== "" ? value : undefined,
  encode: (value) => value
}))

/** The PID file's JSON: only the PID is required; the rest is identity and paths for the commands that find it. */
const PidJson = Schema.parseJson(Schema.Struct({
  pid: Schema.Unknown.pipe(Schema.filter(isValidPid, { message: () => "not a PID (an integer above 1)" })),
  startTime: LenientText,
  bootId: LenientText,
  startedAt: Schema.optional(Schema.Unknown),
  pidFile: LenientText,
  socket: LenientText,
  logFile: LenientText,
  config: LenientText
}))
// Built once: `daemon status` and every start read the PID file.
const decodePidJson = Schema.decodeUnknownOption(PidJson)

const parse = (text: string): PidRecord | undefined => {
  const trimmed = text.trim()
  // A bare PID (written by hand or by an older tool) carries no identity: it proves nothing on its own.
  if (/^\d+$/.test(trimmed)) {
    const pid = Number(trimmed)
    return isValidPid(pid) ? { pid, startTime: undefined, bootId: undefined, startedAt: 0 } : undefined
  }
  return Option.getOrUndefined(Option.map(decodePidJson(trimmed), (value): PidRecord => ({
    pid: value.pid,
    startTime: value.startTime,
    bootId: value.bootId,
    startedAt: typeof value.startedAt === "number" && Number.isFinite(value.startedAt) ? value.startedAt : 0,
    pidFile: value.pidFile,
    socket: value.socket,
    logFile: value.logFile,
    config: value.config
  })))
}

const readSync = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined
    throw error
  }
}

const inspectText = (text: string | undefined): PidState => {
  if (text === undefined) return { _tag: "Absent" }
  const record = parse(text)
  if (record === undefined) return { _tag: "Stale", stale: { record, reason: "the PID file holds no valid PID (an integer above 1)" } }
  const check = verifyDaemon(record)
  return check.running ? { _tag: "Running", record } : { _tag: "Stale", stale: { record, reason: check.reason!, unverified: check.unverified } }
}

/** Reads the PID file and tells whether it names a live daemon, a dead one, or none. */
export const inspect = (file: string): Effect.Effect<PidState, PidFileError> =>
  Effect.try({
    try: () => inspectText(readSync(file)),
    catch: (cause) => new PidFileError({ message: `cannot read ${file}: ${errorMessage(cause)}`, cause })
  })

/** Reads `$AGENC_HOME/daemon.json` like a PID file. */
export const inspectLocator = (home: string): Effect.Effect<PidState, PidFileError> => inspect(locatorFile(home))

/** Removes a stale PID file, but only if it still holds `text` (what was judged stale) and is a regular file. */
export const removeStale = (file: string, judged: PidState): Effect.Effect<boolean, PidFileError> =>
  Effect.try({
    try: () => {
      if (judged._tag !== "Stale") return false
      const stat = fs.lstatSync(file, { throwIfNoEntry: false })
      if (stat === undefined || !stat.isFile()) return false
      const now = inspectText(readSync(file))
      if (now._tag !== "Stale" || now.stale.record?.pid !== judged.stale.record?.pid) return false
      fs.unlinkSync(file)
      return true
    },
    catch: (cause) => new PidFileError({ message: `cannot remove ${file}: ${errorMessage(cause)}`, cause })
  })

const isOurs = (file: string, me: ProcessIdentity): boolean => {
  const record = parse(readSync(file) ?? "")
  return record !== undefined && record.pid === me.pid && record.startTime === me.startTime
}

/** Removes the PID file if it still names this process (synchronous: also used on a forced exit). */
export const removeIfOursSync = (file: string): void => {
  try {
    if (isOurs(file, self())) fs.unlinkSync(file)
  } catch {
    // Best effort on the way out: a leftover file is detected as stale by the next start.
  }
}

/** Runs `body` while holding `lock` (a directory: mkdir is atomic), so two starts never replace a stale file at once. */
const withLock = <A>(lock: string, body: () => A): A | undefined => {
  try {
    fs.mkdirSync(lock, { mode: 0o700 })
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error
    // A lock older than 10 s belongs to a start that died inside the critical section.
    const age = Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs
    if (age > 10_000) fs.rmSync(lock, { recursive: true, force: true })
    return undefined
  }
  try {
    return body()
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

type Attempt = { readonly _tag: "Acquired"; readonly stale: StalePid | undefined } | { readonly _tag: "Running"; readonly pid: number } | { readonly _tag: "Retry" }

const attempt = (file: string, content: string): Attempt => {
  // O_EXCL|O_NOFOLLOW on an unpredictable name: a planted file or symlink is never written through.
  const temp = tempNameFor(file)
  writeExclusiveSync(temp, content)
  try {
    // link() fails if `file` exists: the PID file appears complete and exclusively, or not at all.
    try {
      fs.linkSync(temp, file)
      return { _tag: "Acquired", stale: undefined }
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error
    }
    const text = readSync(file)
    const state = inspectText(text)
    if (state._tag === "Running") return { _tag: "Running", pid: state.record.pid }
    if (state._tag === "Absent") return { _tag: "Retry" }
    const replaced = withLock(`${file}.lock`, () => {
      // Someone may have replaced it between our read and the lock: only replace what we judged stale.
      if (readSync(file) !== text) return false
      fs.renameSync(temp, file)
      return true
    })
    return replaced === true ? { _tag: "Acquired", stale: state.stale } : { _tag: "Retry" }
  } finally {
    fs.rmSync(temp, { force: true })
  }
}

/**
 * Creates the PID file (mode 0600) atomically and exclusively, replacing a stale one, and removes it when
 * the scope closes if it is still ours. With `location`, the record also says where the daemon's files are,
 * and a copy goes to `$AGENC_HOME/daemon.json` (see `locatorFile`). Answers the stale file it replaced, if any.
 */
export const acquire = (
  file: string,
  location?: DaemonLocation & { readonly home: string }
): Effect.Effect<Option.Option<StalePid>, AlreadyRunningError | PidFileError, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const { home: _home, ...paths } = location ?? { home: undefined }
      const content = JSON.stringify({ ...self(), startedAt, ...paths } satisfies PidRecord) + "\n"
      for (let tries = 0; tries < 50; tries++) {
        const result = yield* Effect.try({
          try: () => {
            fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
            return attempt(file, content)
          },
          catch: (cause) => new PidFileError({ message: `cannot write ${file}: ${errorMessage(cause)}`, cause })
        })
        if (result._tag === "Acquired") {
          if (location !== undefined) {
            const locator = locatorFile(location.home)
            yield* Effect.try({
              try: () => writeAtomicSync(locator, content),
              catch: (cause) => new PidFileError({ message: `cannot write ${locator}: ${errorMessage(cause)}`, cause })
            })
          }
          return Option.fromNullable(result.stale)
        }
        if (result._tag === "Running") return yield* Effect.fail(new AlreadyRunningError({ pid: result.pid, file }))
        yield* Effect.sleep(20)
      }
      return yield* Effect.fail(new PidFileError({ message: `cannot take ${file}: it keeps changing` }))
    }),
    () =>
      Effect.sync(() => {
        if (location !== undefined) removeIfOursSync(locatorFile(location.home))
        removeIfOursSync(file)
      })
  )
