import type { MetricsSummary } from "../services/Metrics.js"

/** A request on the control socket: one JSON line. */
export type ControlRequest =
  | { readonly op: "ping" }
  | { readonly op: "status" }
  | { readonly op: "trigger"; readonly action: string }
  | { readonly op: "debug.memory" }

/** The daemon's answer: one JSON line, then the connection closes. */
export type ControlResponse =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: string; readonly code?: string | undefined }

/** What `status` asks the daemon for. */
export interface LiveStatus {
  readonly pid: number
  readonly startedAt: number
  readonly actions: ReadonlyArray<{
    readonly name: string
    readonly schedule: string
    readonly timezone: string
    readonly nextRunAt: number | null
    readonly running: boolean
  }>
  /** This process's metrics; absent from daemons older than this field. */
  readonly metrics?: MetricsSummary | undefined
}
