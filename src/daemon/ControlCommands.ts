import { Effect } from "effect"
import { Gateway } from "../services/Gateway.js"
import * as Metrics from "../services/Metrics.js"
import { Scheduler } from "../services/Scheduler.js"
import type { ControlRequest, ControlResponse, LiveStatus } from "./ControlProtocol.js"

/**
 * `debug.memory`: process.memoryUsage() after a full GC when the daemon runs under `node --expose-gc`
 * (what the soak harness samples from outside); without the flag the figures include garbage (`gc: false`).
 */
const memoryAfterGc = () => {
  // Only under --expose-gc (the soak harness); otherwise the figures are taken as they are.
  const gc = "gc" in globalThis && typeof globalThis.gc === "function" ? globalThis.gc : undefined
  // Two passes: the first can leave weak and finalizable objects for the second.
  gc?.()
  gc?.()
  return { gc: gc !== undefined, ...process.memoryUsage() }
}

/** What the daemon answers on its control socket. */
export const ControlCommands = (options: { readonly startedAt: number }) => (request: ControlRequest): Effect.Effect<ControlResponse, never, Scheduler | Gateway> =>
  Effect.gen(function*() {
    const scheduler = yield* Scheduler
    switch (request.op) {
      case "ping":
        return { ok: true, result: { pid: process.pid } } as const
      case "status": {
        const actions = yield* scheduler.list
        const dispatcher = yield* scheduler.health
        const channels = yield* (yield* Gateway).status
        const status: LiveStatus = {
          pid: process.pid,
          startedAt: options.startedAt,
          actions: actions.map((action) => ({
            name: action.name,
            schedule: action.schedule,
            timezone: action.timezone,
            nextRunAt: action.nextRunAt ?? null,
            running: action.running
          })),
          loops: {
            scheduler: { alive: dispatcher.alive, lastTickAt: dispatcher.lastTickAt ?? null, restarts: dispatcher.restarts },
            channels: Object.fromEntries(channels.map((channel) => [channel.channel, { alive: channel.alive, restarts: channel.restarts }]))
          },
          deadLetters: Object.fromEntries(channels.map((channel) => [channel.channel, channel.deadLetters])),
          metrics: yield* Metrics.summary
        }
        return { ok: true, result: status } as const
      }
      case "trigger":
        return yield* scheduler.runNow(request.action).pipe(
          Effect.map((report): ControlResponse => ({ ok: true, result: report })),
          Effect.catchTag("UnknownActionError", (error) => Effect.succeed<ControlResponse>({ ok: false, error: error.message, code: "unknown-action" })),
          Effect.catchTag("ActionBusyError", (error) => Effect.succeed<ControlResponse>({ ok: false, error: error.message, code: "busy" }))
        )
      case "debug.memory":
        return { ok: true, result: memoryAfterGc() } as const
    }
  }).pipe(Effect.annotateLogs({ control: request.op }))
