import { Clock, Effect, Option, Schema } from "effect"
import * as fs from "node:fs/promises"
import { constants as fsConstants } from "node:fs"
import * as path from "node:path"
import { type ChannelPlugin, DeliveryError } from "../services/Gateway.js"
import { rotateSync, tailLines } from "./FileRotation.js"
import { encodeRecord, toOutboxRecord } from "./OutboxRecord.js"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"

/**
 * How far back a replayed attempt looks for its id: the tail of the file (and of the rotated ones, when the
 * file is younger than that). A replay is of a message whose record was written just before a crash, so
 * only what was in flight then can follow it; 1 MB is thousands of records.
 */
export const DEDUPE_WINDOW = 1024 * 1024

const fail = (what: string) => (cause: unknown) =>
  new DeliveryError({ message: `${what}: ${errorMessage(cause)}`, retryable: true })

/**
 * Appends one JSON record per line to `file`, fsynced before it counts as delivered. A record cut short
 * by a crash is closed with a newline first, so every record is a line of its own. A record that would take
 * the file past `maxSize` first rotates it (`file.1` … `file.<keep>`). On a replayed attempt (the process
 * may have died after the fsync but before the outbox noted it) the last `DEDUPE_WINDOW` bytes, across a
 * rotation, are searched for the id first, so no id is written twice.
 */
export const FileChannel = (options: {
  readonly name: string
  readonly file: string
  readonly maxSize?: number | undefined
  readonly keep?: number | undefined
}): ChannelPlugin => {
  // One send at a time per file: the replay check, the size check, a rotation and the append belong
  // together. (Concurrent sends each saw the file full and each rotated it, pushing records off the end.)
  const lock = Effect.unsafeMakeSemaphore(1)
  const keep = options.keep ?? 5
  return {
    name: options.name,
    type: "file",
    send: ({ attempt, message }) =>
      Effect.gen(function*() {
        if (attempt > 1 && (yield* containsId(options.file, keep, message.id))) return
        const deliveredAt = yield* Clock.currentTimeMillis
        const line = `${encodeRecord(toOutboxRecord(message, deliveredAt))}\n`
        // Once started, an append finishes under the lock: a timed-out attempt must not leave a write (and
        // maybe a rotation) running beside the next one. Its record is then found by the retry's check.
        yield* Effect.uninterruptible(Effect.tryPromise({
          try: () => append(options.file, line, options.maxSize ?? Number.POSITIVE_INFINITY, keep),
          catch: fail(`cannot append to ${options.file}`)
        }))
      }).pipe(lock.withPermits(1)),
    health: Effect.promise(() =>
      fs.access(path.dirname(options.file), fs.constants.W_OK).then(
        () => ({ healthy: true, target: options.file }),
        (error: Error) => ({ healthy: false, target: options.file, detail: error.message })
      )
    )
  }
}

const append = async (file: string, line: string, maxSize: number, keep: number): Promise<void> => {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const current = await fs.stat(file).then((stat) => stat.size, (error: unknown) => errnoCode(error) === "ENOENT" ? 0 : Promise.reject(error))
  if (current > 0 && current + Buffer.byteLength(line) > maxSize) rotateSync(file, keep)
  // Never through a planted symlink (O_NOFOLLOW), created 0600.
  const handle = await fs.open(file, fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, 0o600)
  try {
    const { size } = await handle.stat()
    let prefix = ""
    if (size > 0) {
      const last = Buffer.alloc(1)
      await handle.read(last, 0, 1, size - 1)
      if (last[0] !== 0x0a) prefix = "\n"
    }
    await handle.appendFile(prefix + line, "utf8")
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Only a line's `id` matters to the dedupe scan; a torn or foreign line is not a match. Built once. */
const decodeRecordId = Schema.decodeUnknownOption(Schema.parseJson(Schema.Struct({ id: Schema.String })))

const containsId = (file: string, keep: number, id: string): Effect.Effect<boolean, DeliveryError> =>
  Effect.try({ try: () => tailLines(file, keep, DEDUPE_WINDOW), catch: fail(`cannot read ${file}`) }).pipe(Effect.map((lines) => {
    const needle = JSON.stringify(id)
    return lines.some((line) => {
      if (!line.includes(needle)) return false
      return Option.exists(decodeRecordId(line), (record) => record.id === id)
    })
  }))
