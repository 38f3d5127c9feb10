import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as ControlClient from "../../src/daemon/ControlClient.js"
import type { LiveStatus } from "../../src/daemon/ControlProtocol.js"
import { eventually, exited, spawnCli, tempHome, waitReady, writeAction } from "../layers/CliProcess.js"
import { notifyListener } from "./NotifyListener.js"

const config = (actions: ReadonlyArray<{ name: string; schedule: string }>) => ({
  heartbeat: { actions: actions.map((action) => ({ ...action, module: "./quiet.mjs" })) },
  channels: []
})

const liveActions = (home: string) =>
  ControlClient.request(path.join(home, "gateway.sock"), { op: "status" }).pipe(
    Effect.map((response) => (response.ok ? (response.result as LiveStatus).actions.map((a) => `${a.name} ${a.schedule}`) : []))
  )

describe("daemon reload and sd_notify (real CLI processes)", () => {
  it.live("SIGHUP: a valid config reschedules, an invalid one is rejected; READY, WATCHDOG, RELOADING+MONOTONIC_USEC, STOPPING on an abstract socket; trigger over the control socket", () =>
    Effect.gen(function*() {
      const home = yield* tempHome(config([{ name: "a", schedule: "0 9 * * *" }]), "reload")
      writeAction(home, "quiet.mjs", "quiet", `Effect.succeed({ shouldNotify: true, message: "hello from quiet" })`)
      const address = `@agenc-test-${process.pid}-${Date.now()}`
      const listener = yield* notifyListener(address)
      const daemon = yield* spawnCli(home, ["daemon", "start", "--foreground"], { NOTIFY_SOCKET: address, WATCHDOG_USEC: "400000" })
      yield* waitReady(home)
      const has = (prefix: string) => listener.messages.some((m) => m.message.startsWith(prefix))
      assert.isTrue(yield* eventually(() => has("READY=1"), 5_000))
      assert.deepStrictEqual(yield* liveActions(home), ["a 0 9 * * *"])

      // Watchdog at half of WATCHDOG_USEC: about every 200 ms.
      yield* Effect.sleep(1_200)
      const pings = listener.messages.filter((m) => m.message === "WATCHDOG=1")
      assert.isAtLeast(pings.length, 3)
      const gaps = pings.slice(1).map((m, i) => m.at - pings[i]!.at)
      assert.isTrue(gaps.every((gap) => gap > 0.1 && gap < 0.4), `watchdog gaps ${gaps}`)

      // Trigger over the control socket runs the action now and reports it.
      const triggered = yield* ControlClient.request(path.join(home, "gateway.sock"), { op: "trigger", action: "a" })
      assert.isTrue(triggered.ok)
      assert.strictEqual((triggered as { result: { outcome: string } }).result.outcome, "notified")
      const unknown = yield* ControlClient.request(path.join(home, "gateway.sock"), { op: "trigger", action: "nope" })
      assert.isFalse(unknown.ok)

      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify(config([{ name: "a", schedule: "0 9 * * *" }, { name: "b", schedule: "0 10 * * *" }])))
      // A burst of SIGHUP coalesces.
      for (let i = 0; i < 5; i++) daemon.child.kill("SIGHUP")
      assert.isTrue(yield* eventually(() => daemon.output.stderr.includes("reloaded: 1 added, 0 changed, 0 removed"), 10_000), daemon.output.stderr)
      assert.deepStrictEqual(yield* liveActions(home), ["a 0 9 * * *", "b 0 10 * * *"])
      const reloading = listener.messages.find((m) => m.message.startsWith("RELOADING=1"))
      assert.isDefined(reloading)
      assert.match(reloading!.message, /MONOTONIC_USEC=\d+/)
      const readyAgain = listener.messages.filter((m) => m.message.startsWith("READY=1"))
      assert.isAtLeast(readyAgain.length, 2)
      assert.isAbove(readyAgain.at(-1)!.at, reloading!.at)
      yield* Effect.sleep(1_000)
      assert.isBelow(daemon.output.stderr.split("reloaded:").length - 1, 5)

      fs.writeFileSync(path.join(home, "gateway.json"), JSON.stringify({ heartbeat: { actions: [{ name: "a", schedule: "not a schedule" }] } }))
      daemon.child.kill("SIGHUP")
      assert.isTrue(yield* eventually(() => daemon.output.stderr.includes("reload rejected"), 10_000))
      assert.include(daemon.output.stderr, "heartbeat.actions[0].schedule")
      assert.deepStrictEqual(yield* liveActions(home), ["a 0 9 * * *", "b 0 10 * * *"])

      daemon.child.kill("SIGTERM")
      assert.strictEqual((yield* exited(daemon)).code, 0)
      assert.isTrue(yield* eventually(() => has("STOPPING=1"), 1_000))
    }).pipe(Effect.scoped), 60_000)
})
