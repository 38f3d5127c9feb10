// The soak's custom action: `config.mode` picks what a run does.
//   notify  — a short message (to the soak's file channel and loopback webhook), and a session write;
//   quiet   — reads and writes its session, sends nothing;
//   fail    — fails every run (a recorded `failed` run);
//   hang    — never ends (the action's `timeout` interrupts it: a recorded `timed-out` run).
// Imports the built package (bench/soak runs after `npm run build`).
import { Data, Effect, Schema } from "effect"
import { Action, Session, notify, quiet } from "../../dist/index.js"

class SoakFailure extends Data.TaggedError("SoakFailure") {}

export default Action.make({
  name: "soak",
  description: "one of the soak harness's workloads",
  config: Schema.Struct({ mode: Schema.Literal("notify", "quiet", "fail", "hang") }),
  run: ({ config, scheduledAt }) =>
    Effect.gen(function*() {
      const session = yield* Session
      switch (config.mode) {
        case "fail":
          return yield* Effect.fail(new SoakFailure({ message: "the soak's failing action fails on purpose" }))
        case "hang":
          return yield* Effect.never
        case "notify":
          yield* session.set("last", String(scheduledAt))
          return notify(`soak slot ${new Date(scheduledAt).toISOString()}`)
        default: {
          const count = yield* session.getAs("count", Schema.Number)
          yield* session.set("count", (count._tag === "Some" ? count.value : 0) + 1)
          return quiet()
        }
      }
    })
})
