import { Console, Effect } from "effect"
import { channelName } from "../domain/ChannelsConfig.js"
import type { LoadedConfig } from "../services/AppConfig.js"
import type { RunReport } from "../services/Scheduler.js"
import type { DryRunReport } from "./HeartbeatDryRun.js"
import { printJson, runJson } from "./JsonOutput.js"

/** Whether a console channel of this process has already shown the message (on stderr). */
const shownByConsole = (loaded: LoadedConfig, report: RunReport): boolean => {
  const consoles = new Set(loaded.config.channels.filter((channel) => channel.type === "console").map(channelName))
  return report.deliveries.some((delivery) => consoles.has(delivery.channel) && delivery.status === "delivered")
}

/** The result of `heartbeat run`: one JSON document, or the message (once) and where it went. */
export const printRunReport = (
  loaded: LoadedConfig,
  report: RunReport,
  options: { readonly json: boolean; readonly dryRun: DryRunReport | undefined }
) =>
  Effect.gen(function*() {
    if (options.json) {
      return yield* printJson({ ...runJson(report), dryRun: options.dryRun !== undefined, wouldSendTo: options.dryRun?.wouldSendTo ?? null })
    }
    const ending = `${report.outcome}${report.error === undefined ? "" : `: ${report.error}`}`
    if (options.dryRun !== undefined) {
      return yield* Console.log(
        report.outcome === "notified"
          ? `dry run: would send to ${options.dryRun.wouldSendTo.join(", ") || "no channel"}:\n${report.result!.message!}`
          : `dry run: ${ending}; nothing would be sent`
      )
    }
    yield* printRunLines(report, { showMessage: !shownByConsole(loaded, report) })
  })

/** A run in text, for `heartbeat run` and `trigger`: the message (unless a console channel showed it) or the outcome, then one line per delivery. */
export const printRunLines = (report: RunReport, options: { readonly showMessage: boolean }) =>
  Effect.gen(function*() {
    const ending = `${report.outcome}${report.error === undefined ? "" : `: ${report.error}`}`
    yield* Console.log(report.outcome === "notified" && options.showMessage ? report.result?.message ?? "notified" : ending)
    for (const delivery of report.deliveries) {
      yield* Console.log(`  -> ${delivery.channel}: ${delivery.status}${delivery.error === undefined ? "" : ` (${delivery.error})`}`)
    }
  })
