/**
 * Size-based rotation of an append-only file, shared by the file channel and the daemon's log: `name` is
 * renamed to `name.1`, `name.1` to `name.2`, … and `name.<keep>` is deleted. Renames, never a copy and a
 * truncate, so a reader that follows the name (`tail -F`, `agenc daemon logs -f`) moves to the new file and
 * loses no line, and a writer holding the old descriptor keeps writing whole lines into `name.1`.
 */
import * as fs from "node:fs"
import { errnoCode } from "../domain/Errno.js"

/** `name.<n>`: the n-th newest rotated file (n ≥ 1). */
export const rotatedName = (file: string, n: number): string => `${file}.${n}`

/** Shifts `file` to `file.1` and every older one up by one, keeping `keep` rotated files. Synchronous. */
export const rotateSync = (file: string, keep: number): void => {
  fs.rmSync(rotatedName(file, keep), { force: true })
  for (let n = keep - 1; n >= 1; n--) {
    try {
      fs.renameSync(rotatedName(file, n), rotatedName(file, n + 1))
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw error
    }
  }
  try {
    fs.renameSync(file, rotatedName(file, 1))
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error
  }
}

/**
 * The last `budget` bytes of `file` and then, while budget remains, of `file.1`, `file.2`, …, newest line
 * first. Lines cut by the window's start are left out, so every line returned is whole.
 */
export const tailLines = (file: string, keep: number, budget: number): Array<string> => {
  const lines: Array<string> = []
  let left = budget
  for (let n = 0; n <= keep && left > 0; n++) {
    const name = n === 0 ? file : rotatedName(file, n)
    let fd: number
    try {
      fd = fs.openSync(name, "r")
    } catch (error) {
      if (errnoCode(error) === "ENOENT") continue
      throw error
    }
    try {
      const size = fs.fstatSync(fd).size
      const length = Math.min(size, left)
      const buffer = Buffer.alloc(length)
      fs.readSync(fd, buffer, 0, length, size - length)
      left -= length
      const text = buffer.toString("utf8").split("\n")
      // A window that starts mid-file starts mid-line: drop that piece.
      if (length < size) text.shift()
      lines.push(...text.filter((line) => line !== "").reverse())
    } finally {
      fs.closeSync(fd)
    }
  }
  return lines
}
