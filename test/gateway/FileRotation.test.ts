import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { parseByteSize } from "../../src/domain/ByteSize.js"
import { decodeConfig } from "../../src/layers/AppConfigFile.js"
import { FileChannelConfig } from "../../src/domain/ChannelsConfig.js"
import { DEDUPE_WINDOW, FileChannel } from "../../src/gateway/FileChannel.js"
import { rotateSync, tailLines } from "../../src/gateway/FileRotation.js"
import { message, startGateway, tempHome } from "./GatewayTestKit.js"

const noSave = () => Effect.void
const ids = (file: string): Array<string> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l).id) : []
const slot = (n: number) => message({ id: `notifier@2025-03-01T09:${String(n).padStart(2, "0")}:00.000Z`, action: "notifier", metadata: {} })

describe("sizes", () => {
  it("reads bytes and powers of 1024; anything else is a one-line reason", () => {
    assert.deepStrictEqual(parseByteSize("512KB"), Either.right(512 * 1024))
    assert.deepStrictEqual(parseByteSize("10MB"), Either.right(10 * 1024 ** 2))
    assert.deepStrictEqual(parseByteSize("1gb"), Either.right(1024 ** 3))
    assert.deepStrictEqual(parseByteSize("1.5 KB"), Either.right(1536))
    assert.deepStrictEqual(parseByteSize(4096), Either.right(4096))
    assert.deepStrictEqual(parseByteSize("10 parsecs"), Either.left("\"10 parsecs\" is not a size (use bytes, or e.g. 512KB, 10MB, 1GB)"))
    assert.isTrue(Either.isLeft(parseByteSize(0)))
    assert.isTrue(Either.isLeft(parseByteSize("0KB")))
  })

  it("a file channel's maxSize and keep decode, with defaults 10MB and 5", () => {
    const decode = Schema.decodeUnknownEither(FileChannelConfig)
    const given = Either.getOrThrow(decode({ type: "file", maxSize: "64KB", keep: 2 }))
    assert.strictEqual(given.maxSize, 65_536)
    assert.strictEqual(given.keep, 2)
    const defaults = Either.getOrThrow(decode({ type: "file" }))
    assert.strictEqual(defaults.maxSize, 10 * 1024 ** 2)
    assert.strictEqual(defaults.keep, 5)
    assert.isTrue(Either.isLeft(decode({ type: "file", keep: 0 })))
    assert.isTrue(Either.isLeft(decode({ type: "file", maxSize: "big" })))
  })
})

describe("rotation config in gateway.json", () => {
  const errorLine = (input: unknown) => decodeConfig(input).pipe(Effect.flip, Effect.map((error) => error.line))
  it.effect("daemon.logFile is a path or { path, maxSize, keep }; bad values name their JSON path", () =>
    Effect.gen(function*() {
      const defaults = yield* decodeConfig({})
      assert.deepStrictEqual({ ...defaults.daemon.logFile }, { path: "logs/gateway.log", maxSize: 10 * 1024 ** 2, keep: 5 })
      const path_ = yield* decodeConfig({ daemon: { logFile: "var/agenc.log" } })
      assert.deepStrictEqual({ ...path_.daemon.logFile }, { path: "var/agenc.log", maxSize: 10 * 1024 ** 2, keep: 5 })
      const given = yield* decodeConfig({ daemon: { logFile: { maxSize: "512KB", keep: 2 } } })
      assert.deepStrictEqual({ ...given.daemon.logFile }, { path: "logs/gateway.log", maxSize: 512 * 1024, keep: 2 })
      assert.strictEqual(yield* errorLine({ daemon: { logFile: { maxSize: "ten" } } }), "daemon.logFile.maxSize: \"ten\" is not a size (use bytes, or e.g. 512KB, 10MB, 1GB)")
      assert.strictEqual(yield* errorLine({ daemon: { logFile: { keep: 0 } } }), "daemon.logFile.keep: must be from 1 to 100")
      assert.strictEqual(yield* errorLine({ channels: [{ type: "file", maxSize: "1TB" }] }), "channels[0].maxSize: \"1TB\" is not a size (use bytes, or e.g. 512KB, 10MB, 1GB)")
      assert.strictEqual(yield* errorLine({ daemon: { retention: { interval: "10ms" } } }), "daemon.retention.interval: must be at least 1s")
    }))
})

describe("rotation", () => {
  it("shifts name → name.1 → … → name.keep and deletes what falls off the end", () => {
    const file = path.join(tempHome(), "x.log")
    for (let n = 1; n <= 4; n++) {
      fs.writeFileSync(file, `generation ${n}\n`)
      rotateSync(file, 2)
    }
    assert.isFalse(fs.existsSync(file))
    assert.strictEqual(fs.readFileSync(`${file}.1`, "utf8"), "generation 4\n")
    assert.strictEqual(fs.readFileSync(`${file}.2`, "utf8"), "generation 3\n")
    assert.isFalse(fs.existsSync(`${file}.3`))
  })

  it("tailLines reads whole lines, newest first, across the live file and the rotated ones, within its budget", () => {
    const file = path.join(tempHome(), "t.jsonl")
    fs.writeFileSync(`${file}.1`, "aaaa\nbbbb\n")
    fs.writeFileSync(file, "cccc\ndddd\n")
    assert.deepStrictEqual(tailLines(file, 5, 1_000), ["dddd", "cccc", "bbbb", "aaaa"])
    // 10 bytes of the live file, then 7 of file.1: "bbbb\n" whole, the cut "a\n" left out.
    assert.deepStrictEqual(tailLines(file, 5, 17), ["dddd", "cccc", "bbbb"])
    assert.deepStrictEqual(tailLines(file, 5, 3), [])
  })
})

describe("file channel rotation", () => {
  it.effect("rotates before a record would take the file past maxSize, keeping `keep` files and every record once", () =>
    Effect.gen(function*() {
      const file = path.join(tempHome(), "outbox.jsonl")
      const plugin = FileChannel({ name: "file", file, maxSize: 600, keep: 3 })
      for (let n = 0; n < 20; n++) yield* plugin.send({ message: slot(n), attempt: 1, partsDone: 0, savePartsDone: noSave })
      const files = [file, `${file}.1`, `${file}.2`, `${file}.3`]
      for (const name of files) assert.isAtMost(fs.statSync(name).size, 600, name)
      assert.isFalse(fs.existsSync(`${file}.4`))
      const kept = [...files].reverse().flatMap(ids)
      // The oldest records fell off with the fourth rotated file; what is kept is in order, without a gap.
      const last = kept.map((id) => Number(/T09:(\d\d)/.exec(id)![1]))
      assert.deepStrictEqual(last, Array.from({ length: kept.length }, (_, i) => 20 - kept.length + i))
      assert.isAtLeast(kept.length, 4)
    }))

  it.effect("concurrent sends at a full file rotate it once, not once each: no record pushed off the end", () =>
    Effect.gen(function*() {
      const home = tempHome()
      const probe = path.join(home, "probe.jsonl")
      yield* FileChannel({ name: "probe", file: probe }).send({ message: slot(0), attempt: 1, partsDone: 0, savePartsDone: noSave })
      const record = fs.statSync(probe).size
      // Two records per file; 12 records need the live file and 5 rotated ones: keep 5 holds them all.
      const file = path.join(home, "outbox.jsonl")
      const plugin = FileChannel({ name: "file", file, maxSize: 2 * record + 10, keep: 5 })
      for (const n of [0, 1]) yield* plugin.send({ message: slot(n), attempt: 1, partsDone: 0, savePartsDone: noSave })
      // Ten at once, all finding the file full.
      yield* Effect.all(
        Array.from({ length: 10 }, (_, n) => plugin.send({ message: slot(n + 2), attempt: 1, partsDone: 0, savePartsDone: noSave })),
        { concurrency: "unbounded" }
      )
      const all = [file, ...[1, 2, 3, 4, 5].map((n) => `${file}.${n}`)].flatMap(ids)
      assert.deepStrictEqual([...all].sort(), Array.from({ length: 12 }, (_, n) => slot(n).id).sort())
    }))

  it.effect("an id delivered just before a rotation and retried after it is not written again", () =>
    Effect.gen(function*() {
      const home = tempHome()
      const probe = path.join(home, "probe.jsonl")
      yield* FileChannel({ name: "probe", file: probe }).send({ message: slot(1), attempt: 1, partsDone: 0, savePartsDone: noSave })
      const record = fs.statSync(probe).size
      // Room for two records, not three.
      const file = path.join(home, "outbox.jsonl")
      const plugin = FileChannel({ name: "file", file, maxSize: 2 * record + 10, keep: 2 })
      yield* plugin.send({ message: slot(1), attempt: 1, partsDone: 0, savePartsDone: noSave })
      yield* plugin.send({ message: slot(2), attempt: 1, partsDone: 0, savePartsDone: noSave })
      // slot 2 was written and fsynced; the process died before the outbox marked it. Meanwhile another
      // message rotated the file, so slot 2 is now in outbox.jsonl.1.
      yield* plugin.send({ message: slot(3), attempt: 1, partsDone: 0, savePartsDone: noSave })
      assert.deepStrictEqual(ids(`${file}.1`), [slot(1).id, slot(2).id])
      assert.deepStrictEqual(ids(file), [slot(3).id])
      yield* plugin.send({ message: slot(2), attempt: 2, partsDone: 0, savePartsDone: noSave })
      assert.deepStrictEqual(ids(file), [slot(3).id])
      assert.deepStrictEqual(ids(`${file}.1`), [slot(1).id, slot(2).id])
      // A retried id that was never written is written.
      yield* plugin.send({ message: slot(4), attempt: 2, partsDone: 0, savePartsDone: noSave })
      assert.deepStrictEqual(ids(file), [slot(3).id, slot(4).id])
    }))

  it.effect("the replay check reads a bounded tail, not the whole file", () =>
    Effect.gen(function*() {
      const file = path.join(tempHome(), "outbox.jsonl")
      const plugin = FileChannel({ name: "file", file, maxSize: 64 * 1024 ** 2, keep: 1 })
      yield* plugin.send({ message: slot(1), attempt: 1, partsDone: 0, savePartsDone: noSave })
      // More than the window of later records: an id this far back is outside what could be in flight.
      const filler = `${JSON.stringify({ id: "filler", message: "x".repeat(1000) })}\n`
      fs.appendFileSync(file, filler.repeat(Math.ceil(DEDUPE_WINDOW / filler.length) + 1))
      yield* plugin.send({ message: slot(1), attempt: 2, partsDone: 0, savePartsDone: noSave })
      assert.strictEqual(ids(file).filter((id) => id === slot(1).id).length, 2)
      // Within the window it is found.
      yield* plugin.send({ message: slot(1), attempt: 3, partsDone: 0, savePartsDone: noSave })
      assert.strictEqual(ids(file).filter((id) => id === slot(1).id).length, 2)
    }))

  it.scopedLive("through the gateway: a configured file channel rotates at its maxSize", () =>
    Effect.gen(function*() {
      const home = tempHome()
      const gateway = yield* startGateway(home, [{ type: "file", maxSize: "1KB", keep: 2 }])
      for (let n = 0; n < 12; n++) yield* gateway.send(slot(n))
      const file = path.join(home, "outbox.jsonl")
      assert.isTrue(fs.existsSync(`${file}.1`))
      for (const name of [file, `${file}.1`, `${file}.2`].filter(fs.existsSync)) assert.isAtMost(fs.statSync(name).size, 1024)
    }))
})
