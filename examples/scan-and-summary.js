// A custom heartbeat action composed from built-ins: one message with the new claimable tasks and,
// during the configured hours, the 24 h summary. Each child keeps its own session state.
//
// gateway.json:
//   { "name": "digest", "schedule": "0 * * * *",
//     "module": "./examples/scan-and-summary.js",
//     "config": { "scan": { "minReward": "100000000", "capabilities": 3 }, "summaryHours": [9, 18] } }
//
// Imports the built package from this repository (run `npm run build` first).
import { Action, dailySummary, taskScan } from "../dist/index.js"

const summaryHours = (config) => Array.isArray(config.summaryHours) ? config.summaryHours : [9]

export default Action.all(
  [
    // The scan gets `config.scan` as its own config, decoded (and checked) by task-scan's schema.
    Action.withConfig(taskScan, (config) => config.scan ?? {}),
    // The summary only in the configured UTC hours of the slot.
    Action.when(
      Action.withConfig(dailySummary, {}),
      (context) => summaryHours(context.config).includes(new Date(context.scheduledAt).getUTCHours())
    )
  ],
  { name: "scan-and-summary", description: "new tasks every run, plus the daily summary at the configured hours" }
)
