import * as crypto from "node:crypto"
import * as fs from "node:fs"

/**
 * How agenc creates and trusts files: everything it creates is 0600 (folders 0700), opened with
 * `O_NOFOLLOW` so a planted symlink is never followed, temporary files with `O_EXCL` as well; and it
 * reads its home, config and modules only when they are as private as OpenSSH's StrictModes demand.
 */

/** Mode of every file agenc creates. */
export const FILE_MODE = 0o600
/** Mode of every folder agenc creates. */
export const DIR_MODE = 0o700

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY, O_APPEND } = fs.constants

/** Creates `file` exclusively (it must not exist, not even as a symlink) with mode 0600 and writes `content`. */
export const writeExclusiveSync = (file: string, content: string): void => {
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FILE_MODE)
  try {
    fs.writeFileSync(fd, content)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** A temporary name beside `file`, unpredictable so nobody can plant something there in advance. */
export const tempNameFor = (file: string): string => `${file}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`

/** Replaces `file` atomically with `content` (mode 0600) through an exclusive temporary file. */
export const writeAtomicSync = (file: string, content: string): void => {
  const temp = tempNameFor(file)
  writeExclusiveSync(temp, content)
  try {
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
}

/** Opens `file` for appending, creating it 0600; a symlink at `file` is refused (ELOOP). */
export const openAppendSync = (file: string): number => fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, FILE_MODE)

/** Creates `file` 0600 if it does not exist, never through a symlink; leaves an existing file as it is. */
export const ensureFileSync = (file: string): void => fs.closeSync(openAppendSync(file))

/** The uid agenc runs as (undefined where the platform has none). */
const myUid = (): number | undefined => process.getuid?.()

/**
 * Why `file` may not be trusted, or undefined when it may: it must be owned by the user running agenc or
 * by root (so root trusts only root's files) and not writable by group or others. A missing file is not checked.
 */
export const untrustedReason = (file: string): string | undefined => {
  const uid = myUid()
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  if (stat === undefined || uid === undefined) return undefined
  // As OpenSSH's StrictModes: root's files are trusted by everyone (root could change anything anyway).
  if (stat.uid !== uid && stat.uid !== 0) return `${file} is owned by uid ${stat.uid}, not by the user running agenc (uid ${uid}) or root; refusing to use it`
  if ((stat.mode & 0o022) !== 0) {
    return `${file} is writable by ${(stat.mode & 0o002) !== 0 ? "others" : "its group"} (mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}); refusing to use it (chmod go-w ${file})`
  }
  return undefined
}

/** Whether `file` can be read by its group or others. */
export const isReadableByOthers = (file: string): boolean => {
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  return stat !== undefined && (stat.mode & 0o044) !== 0
}
