import type { Effect } from "effect"
import type { Links } from "../domain/ChannelsConfig.js"
import { type MessageContent, plainText } from "../domain/MessageContent.js"
import type { AgentRuntime, AgentRuntimeService } from "./AgentRuntime.js"
import type { Gateway, GatewayService } from "./Gateway.js"
import type { Session, SessionService } from "./Session.js"

/** What one run of an action produced. Quiet heartbeat: nothing is sent unless `shouldNotify` and a message. */
export interface HeartbeatResult {
  readonly shouldNotify: boolean
  /** Plain text: the fallback every channel can show, and what the file channel and webhooks carry. */
  readonly message?: string | undefined
  /** The same message structured (title, fields, items, severity), rendered natively by chat channels. */
  readonly content?: MessageContent | undefined
  readonly metadata?: Record<string, unknown> | undefined
}

/** What a run sees. The same services are also in the Effect's context (`yield* Gateway`). */
export interface HeartbeatContext {
  /** The configured name of the action. */
  readonly action: string
  /** Epoch ms of the slot this run belongs to. */
  readonly scheduledAt: number
  /** The action's IANA time zone (its `timezone`, else `heartbeat.timezone`): every time in a message is shown in it. */
  readonly timezone: string
  /** The `links` templates of `gateway.json` (`links.explorer`), for links in messages. */
  readonly links: Links
  /** The action's `config` object from `gateway.json`. */
  readonly config: Record<string, unknown>
  readonly gateway: GatewayService
  readonly runtime: AgentRuntimeService
  readonly session: SessionService
}

/** The services an action's Effect may use. */
export type HeartbeatServices = Gateway | AgentRuntime | Session

/** A heartbeat action: the seed's shape, with an Effect in place of a Promise. */
export interface HeartbeatAction<E = unknown> {
  readonly name: string
  readonly description: string
  readonly execute: (context: HeartbeatContext) => Effect.Effect<HeartbeatResult, E, HeartbeatServices>
}

/** A result that sends nothing. */
export const quiet = (metadata?: Record<string, unknown>): HeartbeatResult => ({ shouldNotify: false, metadata })

/** A result that sends `message`. */
export const notify = (message: string, metadata?: Record<string, unknown>): HeartbeatResult => ({
  shouldNotify: true,
  message,
  metadata
})

/** A result that sends `content`, with its plain-text form as `message`. */
export const notifyContent = (content: MessageContent, metadata?: Record<string, unknown>): HeartbeatResult => ({
  shouldNotify: true,
  message: plainText(content),
  content,
  metadata
})
