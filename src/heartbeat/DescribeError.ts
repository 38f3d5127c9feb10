/** One line for an action's error, as the ledger, the log and `heartbeat run` show it: `Tag: message`. */
export const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error) {
    const tag = (error as { _tag?: unknown })._tag
    const message = String((error as { message: unknown }).message)
    return typeof tag === "string" && !message.startsWith(tag) ? `${tag}: ${message}` : message
  }
  return String(error)
}
