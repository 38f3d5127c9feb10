import type { HeartbeatAction } from "../../services/HeartbeatAction.js"
import { dailySummary } from "./DailySummary.js"
import { portfolioMonitor } from "./PortfolioMonitor.js"
import { taskScan } from "./TaskScan.js"

export { dailySummary } from "./DailySummary.js"
export { portfolioMonitor } from "./PortfolioMonitor.js"
export { taskScan } from "./TaskScan.js"

/** The built-in actions by the name `gateway.json` uses for them. */
export const builtinActions: Record<string, HeartbeatAction> = {
  [taskScan.name]: taskScan,
  [dailySummary.name]: dailySummary,
  [portfolioMonitor.name]: portfolioMonitor
}
