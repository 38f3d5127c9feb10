import { assert, describe, it } from "@effect/vitest"
import { type Console, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ConsoleChannel } from "../../src/gateway/ConsoleChannel.js"
import { FileChannel } from "../../src/gateway/FileChannel.js"
import { message, startGateway, tempHome } from "./GatewayTestKit.js"

const readLines = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "")

const noSave = () => Effect.void

describe("file channel", () => {
  it.scopedLive("appends one record per line to $AGENC_HOME/outbox.jsonl, field by field", () =>
    Effect.gen(function*() {
      const home = tempHome()
      const gateway = yield* startGateway(home, [{ type: "file" }])
      const before = Date.now()
      const outcomes = yield* gateway.send(message())
      const after = Date.now()
      assert.deepStrictEqual(outcomes, [{ channel: "file", status: "delivered", attempts: 1 }])
      yield* gateway.send(message({ id: "daily-summary@2025-03-01T09:00:00.000Z", action: "daily-summary", message: "line one\nline two", metadata: {} }))

      const text = fs.readFileSync(path.join(home, "outbox.jsonl"), "utf8")
      assert.isTrue(text.endsWith("\n"))
      const lines = readLines(path.join(home, "outbox.jsonl"))
      assert.strictEqual(lines.length, 2)
      const record = JSON.parse(lines[0]!)
      assert.deepStrictEqual(Object.keys(record), ["id", "action", "slot", "severity", "message", "content", "metadata", "scheduledAt", "startedAt", "deliveredAt"])
      assert.strictEqual(record.id, "task-scan@2025-03-01T09:00:00.000Z")
      assert.strictEqual(record.action, "task-scan")
      assert.strictEqual(record.message, "3 new claimable tasks")
      assert.deepStrictEqual(record.metadata, { count: 3, tasks: ["a", "b", "c"] })
      assert.strictEqual(record.scheduledAt, "2025-03-01T09:00:00.000Z")
      assert.strictEqual(record.startedAt, "2025-03-01T09:00:00.250Z")
      assert.match(record.deliveredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.isAtLeast(Date.parse(record.deliveredAt), before)
      assert.isAtMost(Date.parse(record.deliveredAt), after)
      const second = JSON.parse(lines[1]!)
      assert.strictEqual(second.id, "daily-summary@2025-03-01T09:00:00.000Z")
      assert.strictEqual(second.message, "line one\nline two")
      assert.deepStrictEqual(second.metadata, {})
    }))

  it.scopedLive("never writes the same id twice", () =>
    Effect.gen(function*() {
      const home = tempHome()
      const gateway = yield* startGateway(home, [{ type: "file", path: "out/records.jsonl" }])
      yield* gateway.send(message())
      const [again] = yield* gateway.send(message())
      assert.strictEqual(again!.status, "duplicate")
      assert.strictEqual(readLines(path.join(home, "out/records.jsonl")).length, 1)
    }))

  it.effect("a replayed attempt finds the id already in the file and does not append it again", () =>
    Effect.gen(function*() {
      const file = path.join(tempHome(), "outbox.jsonl")
      const plugin = FileChannel({ name: "file", file })
      yield* plugin.send({ message: message(), attempt: 1, partsDone: 0, savePartsDone: noSave })
      // the process died after the fsync, before the outbox marked the row delivered; this is the retry
      yield* plugin.send({ message: message(), attempt: 2, partsDone: 0, savePartsDone: noSave })
      yield* plugin.send({ message: message({ id: "other" }), attempt: 2, partsDone: 0, savePartsDone: noSave })
      assert.deepStrictEqual(readLines(file).map((line) => JSON.parse(line).id), ["task-scan@2025-03-01T09:00:00.000Z", "other"])
    }))

  it.effect("a record cut short by a crash is closed before the next one, so each record stays a line", () =>
    Effect.gen(function*() {
      const file = path.join(tempHome(), "outbox.jsonl")
      fs.writeFileSync(file, "{\"id\":\"torn\",\"act")
      yield* FileChannel({ name: "file", file }).send({ message: message(), attempt: 1, partsDone: 0, savePartsDone: noSave })
      const lines = readLines(file)
      assert.strictEqual(lines.length, 2)
      assert.strictEqual(JSON.parse(lines[1]!).id, "task-scan@2025-03-01T09:00:00.000Z")
    }))
})

describe("console channel", () => {
  const capture = (color: boolean) =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const base = yield* Effect.console
      const console: Console.Console = { ...base, log: (...args) => Effect.sync(() => void lines.push(args.join(" "))) }
      yield* ConsoleChannel({ name: "console", color }).send({
        message: message({ message: "two\nlines" }),
        attempt: 1,
        partsDone: 0,
        savePartsDone: noSave
      }).pipe(Effect.withConsole(console))
      return lines
    })

  it.effect("writes one plain line per message when stdout is not a terminal", () =>
    Effect.gen(function*() {
      const lines = yield* capture(false)
      assert.deepStrictEqual(lines, ["1970-01-01T00:00:00.000Z task-scan: two\\nlines"])
      assert.notMatch(lines[0]!, /\x1b\[/)
    }))

  it.effect("colours the action name on a terminal", () =>
    Effect.gen(function*() {
      const [line] = yield* capture(true)
      assert.include(line!, "\x1b[1;36mtask-scan\x1b[0m")
    }))
})
