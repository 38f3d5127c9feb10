import { Effect, Queue } from "effect"
import * as os from "node:os"

/** What the daemon tells the signal handlers about its shutdown, read when it must end the process itself. */
export interface ShutdownState {
  /** The shutdown step under way, named in the log if it hangs. */
  step: string
}

/** Daemon signal handling beyond what `NodeRuntime.runMain` does (interrupting the main fiber on SIGTERM/SIGINT). */
export interface DaemonSignals {
  /** Takes one pending SIGHUP; a burst of them while a reload runs yields one more reload. */
  readonly reloads: Queue.Dequeue<void>
  readonly state: ShutdownState
}

/** Writes one log line synchronously: the process is about to end and the logger's fibers may be stuck. */
const lastWords = (message: string, json: boolean) =>
  process.stderr.write(
    json
      ? JSON.stringify({ message, logLevel: "FATAL", timestamp: new Date().toISOString() }) + "\n"
      : `${new Date().toISOString()} FATAL ${message}\n`
  )

/**
 * While the scope lives: SIGHUP is queued for reload (instead of killing the process); the first
 * SIGTERM/SIGINT arms a hard deadline of `limitMs`, after which the process exits 1 naming the step that
 * hung; a second SIGTERM/SIGINT exits at once. `cleanup` removes the PID file and socket on those forced
 * exits. These are the only places the daemon ends the process itself, with a timer rather than a fiber,
 * because they must work when the runtime is wedged.
 */
export const installSignals = (options: { readonly limitMs: number; readonly json: boolean; readonly cleanup: () => void }) =>
  Effect.gen(function*() {
    const reloads = yield* Queue.dropping<void>(1)
    const state: ShutdownState = { step: "waiting for signals" }
    let received = 0
    const onStop = (signal: NodeJS.Signals) => {
      received++
      if (received === 1) {
        setTimeout(() => {
          lastWords(`shutdown did not finish within ${options.limitMs} ms: step "${state.step}" hung; exiting`, options.json)
          options.cleanup()
          process.exit(1)
        }, options.limitMs).unref()
        return
      }
      lastWords(`second ${signal} during shutdown (step "${state.step}"): exiting now`, options.json)
      options.cleanup()
      process.exit(128 + (os.constants.signals[signal] ?? 15))
    }
    const onHup = () => Queue.unsafeOffer(reloads, undefined)
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        process.on("SIGTERM", onStop)
        process.on("SIGINT", onStop)
        process.on("SIGHUP", onHup)
      }),
      () =>
        Effect.sync(() => {
          process.off("SIGTERM", onStop)
          process.off("SIGINT", onStop)
          process.off("SIGHUP", onHup)
        })
    )
    return { reloads, state } satisfies DaemonSignals
  })
