import { Clock, Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type ChannelPlugin, DeliveryError } from "../services/Gateway.js"
import { encodeRecord, toOutboxRecord } from "./OutboxRecord.js"

const fail = (what: string) => (cause: unknown) =>
  new DeliveryError({ message: `${what}: ${(cause as Error).message ?? String(cause)}`, retryable: true })

/**
 * Appends one JSON record per line to `file`, fsynced before it counts as delivered. A record cut short
 * by a crash is closed with a newline first, so every record is a line of its own. On a replayed attempt
 * (the process may have died after the fsync but before the outbox noted it) the file is searched for the
 * id first, so no id is written twice.
 */
export const FileChannel = (options: { readonly name: string; readonly file: string }): ChannelPlugin => ({
  name: options.name,
  type: "file",
  send: ({ attempt, message }) =>
    Effect.gen(function*() {
      if (attempt > 1 && (yield* containsId(options.file, message.id))) return
      const deliveredAt = yield* Clock.currentTimeMillis
      const line = `${encodeRecord(toOutboxRecord(message, deliveredAt))}\n`
      yield* Effect.tryPromise({ try: () => append(options.file, line), catch: fail(`cannot append to ${options.file}`) })
    }),
  health: Effect.promise(() =>
    fs.access(path.dirname(options.file), fs.constants.W_OK).then(
      () => ({ healthy: true, target: options.file }),
      (error: Error) => ({ healthy: false, target: options.file, detail: error.message })
    )
  )
})

const append = async (file: string, line: string): Promise<void> => {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const handle = await fs.open(file, "a+", 0o600)
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

const containsId = (file: string, id: string): Effect.Effect<boolean, DeliveryError> =>
  Effect.tryPromise({
    try: () => fs.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => error.code === "ENOENT" ? "" : Promise.reject(error)),
    catch: fail(`cannot read ${file}`)
  }).pipe(Effect.map((text) => {
    const needle = JSON.stringify(id)
    return text.split("\n").some((line) => {
      if (!line.includes(needle)) return false
      try {
        return (JSON.parse(line) as { id?: unknown }).id === id
      } catch {
        return false
      }
    })
  }))
