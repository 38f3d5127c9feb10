import { Cause, Option } from "effect"
import { oneLine } from "./OneLine.js"

const messageOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "message" in error ? String(error.message) : undefined

/** A thrown value's own message (an `Error`'s `message`), else the value as a string: for `cannot read x: …`. */
export const errorMessage = (error: unknown): string => messageOf(error) ?? String(error)

/** The messages down an error's `cause` chain (at most 5), without repeats: `fetch failed: connect ECONNREFUSED …`. */
const causeChain = (error: unknown): ReadonlyArray<string> => {
  const messages: Array<string> = []
  for (let at: unknown = error, depth = 0; at !== undefined && at !== null && depth < 5; depth++) {
    const message = messageOf(at) ?? String(at)
    if (message !== "" && !messages.some((seen) => seen.includes(message))) messages.push(message)
    at = typeof at === "object" && "cause" in at ? at.cause : undefined
  }
  return messages
}

/** What an error wraps, when it is an error or a message (an Effect `Cause` or a plain object says nothing useful). */
const wrapped = (error: unknown): unknown => {
  const cause = typeof error === "object" && error !== null && "cause" in error ? error.cause : undefined
  return typeof cause === "string" || messageOf(cause) !== undefined ? cause : undefined
}

/**
 * One line for an action's error, as the ledger, the log, alerts and `heartbeat run` show it:
 * `Tag: message: what it wraps`. An `UnknownException` (a promise rejected without a typed `catch`) is
 * described by what it wraps, so the ledger says `ECONNREFUSED`, not "An unknown error occurred"; any other
 * error with a `cause` (a typed error wrapping the rejection, `fetch`'s `TypeError: fetch failed`, a defect)
 * is followed by the messages down its cause chain.
 */
export const describeError = (error: unknown): string => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? error._tag : undefined
  const cause = wrapped(error)
  if (tag === "UnknownException" && cause !== undefined) return oneLine(causeChain(cause).join(": "))
  const message = messageOf(error)
  if (message === undefined) return oneLine(String(error))
  const below = cause === undefined ? [] : causeChain(cause).filter((line) => !message.includes(line))
  const text = message === "" ? (below.length > 0 ? "" : "(no message)") : message
  const head = typeof tag === "string" && !text.startsWith(tag) ? (text === "" ? tag : `${tag}: ${text}`) : text
  return oneLine([head, ...below].filter((part) => part !== "").join(": "))
}

/** The first line of a failure, for the ledger and the log: its typed error, else the defect it died of. */
export const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  return describeError(Option.isSome(failure) ? failure.value : Cause.squash(cause))
}

/** fetch wraps the socket error (`ECONNREFUSED 127.0.0.1:8080`) in `TypeError: fetch failed`; show both: `fetch failed: connect ECONNREFUSED …`. */
export const describeCause = (cause: unknown): string => oneLine(causeChain(cause).join(": "))
