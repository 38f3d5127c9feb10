import { Clock, Console, Effect, type Option } from "effect"
import * as CronSchedule from "../domain/CronSchedule.js"
import { loadChecked } from "../daemon/ConfigChecks.js"
import { zonedAndUtc } from "./TextTime.js"

/**
 * What `daemon start --foreground` prints on stderr before it starts: each action and when it runs next,
 * so a first start in a terminal does not look idle for minutes.
 */
export const printScheduleSummary = (config: Option.Option<string>) =>
  Effect.gen(function*() {
    const { loaded, registrations } = yield* loadChecked(config)
    const now = yield* Clock.currentTimeMillis
    const lines = registrations
      .map((registration) => ({ registration, at: CronSchedule.next(registration.schedule, now) }))
      .sort((a, b) => a.at - b.at)
      .map(({ at, registration }) => `  ${registration.name.padEnd(20)} ${zonedAndUtc(at, CronSchedule.timezoneOf(registration.schedule))}`)
    yield* Console.error(
      lines.length === 0
        ? `agenc: no actions scheduled (${loaded.file}); the daemon runs and waits`
        : `agenc: ${lines.length} action${lines.length === 1 ? "" : "s"} scheduled (${loaded.file}); next runs:\n${lines.join("\n")}\nCtrl-C stops the daemon.`
    )
  })
