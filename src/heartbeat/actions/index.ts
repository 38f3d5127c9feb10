import type { HeartbeatAction } from "../HeartbeatAction.js"

/** The built-in actions by the name `gateway.json` uses for them. */
export const builtinActions: Record<string, HeartbeatAction> = {}
