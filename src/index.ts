/**
 * The agenc library API: what a custom heartbeat action imports. A custom action is a module whose
 * default export is an action, usually made with `Action.make` and composed with `Action.all`,
 * `Action.when`, `Action.map` and `Action.withConfig`.
 */

/** Defining and composing actions as Effect programs (`Action.make`, `Action.all`, `Action.when`, ...). */
export * as Action from "./heartbeat/Action.js"
/** Types of a defined action and of the context its `run` receives. */
export type { ActionContext, DefinedAction } from "./heartbeat/Action.js"
/** A composed action failed in one or more of its children. */
export { ComposedActionError } from "./heartbeat/Action.js"
/** The action contract and result helpers. */
export { notify, notifyContent, quiet } from "./services/HeartbeatAction.js"
/** Structured message content (title, fields, items, severity) and its plain-text form. */
export { ContentField, ContentItem, MessageContent, plainText, Severity } from "./domain/MessageContent.js"
/** The `links` templates an action's context carries, and filling in `links.explorer`. */
export { explorerLink, Links } from "./domain/ChannelsConfig.js"
/** The action contract: an action, the context of one run, its result, and the services it may use. */
export type { HeartbeatAction, HeartbeatContext, HeartbeatResult, HeartbeatServices } from "./services/HeartbeatAction.js"
/** The built-in actions, to compose or to run under other names. */
export { dailySummary, portfolioMonitor, taskScan } from "./heartbeat/actions/index.js"
/** An action's `config` did not decode; `field` names the key. */
export { ActionConfigError } from "./heartbeat/actions/ActionConfigError.js"
/** Formatting helpers the built-ins use for amounts, ids and times. */
export { formatReward, formatSol, formatSpan, formatUtc, LAMPORTS_PER_SOL, shortId } from "./heartbeat/actions/FormatSol.js"
/** Times in the action's zone (`2025-06-01 03:30 CEST`), exact spans (`5 h 59 min`), capability names, one-line text. */
export { capabilityNames, formatDeadline, formatDuration, formatTime, oneLine } from "./heartbeat/actions/FormatTime.js"
/** The delivery service (`yield* Gateway`) and its message types. */
export { Gateway } from "./services/Gateway.js"
/** Types of the delivery service. */
export type { DeliveryOutcome, GatewayService, OutboundMessage } from "./services/Gateway.js"
/** The marketplace service (`yield* AgentRuntime`) and its errors. */
export { AgentRuntime, DecodeError, LedgerError, NotFoundError, RpcError } from "./services/AgentRuntime.js"
/** Types of the marketplace service. */
export type { AgentRuntimeService, RuntimeError } from "./services/AgentRuntime.js"
/** The running action's persisted key-value session (`yield* Session`). */
export { Session } from "./services/Session.js"
/** Type of the session service. */
export type { SessionService } from "./services/Session.js"
/** The state store failed underneath a session. */
export { StateError } from "./services/StateStore.js"
/** Marketplace domain types and the claimable rule. */
export type {
  AgentSnapshot,
  Dispute,
  DisputeStatus,
  PortfolioEntry,
  Task,
  TaskFilter,
  TaskStatus,
  TaskType
} from "./domain/Marketplace.js"
/** Capability bit indices, task types and the claimable rule of the program. */
export { CAPABILITY_BITS, hasCapabilities, isClaimable, TASK_TYPES } from "./domain/Marketplace.js"
