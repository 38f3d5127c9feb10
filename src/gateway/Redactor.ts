import { parseUrl } from "../domain/RedactUrl.js"
import { Redacted } from "effect"

/** Replaces every known secret in a string with `<redacted>`; built once from the resolved secrets. */
export type Redact = (text: string) => string

/** Shorter pieces would redact ordinary words. */
const MIN_NEEDLE = 6

/** Every form in which a piece of a secret can come back quoted: as is, URL-encoded, JSON-escaped. */
const forms = (piece: string): ReadonlyArray<string> => {
  const out = [piece, encodeURIComponent(piece), JSON.stringify(piece).slice(1, -1)]
  try {
    out.push(decodeURIComponent(piece))
  } catch {
    // Not percent-encoded.
  }
  return out
}

/**
 * The pieces of one secret a server may echo without their surroundings: the whole value; the credential
 * of an `Authorization`-style value (`Bearer <token>`); the part after the colon of a Telegram token; for a
 * URL, its path and query, every query value and every path segment long enough to be a token.
 */
const piecesOf = (value: string): ReadonlyArray<string> => {
  const pieces = [value]
  const words = value.trim().split(/\s+/)
  if (words.length > 1) pieces.push(words[words.length - 1]!)
  const colon = value.indexOf(":")
  if (colon > 0 && !value.includes("/")) pieces.push(value.slice(colon + 1))
  const url = parseUrl(value)
  if (url !== undefined) {
    if (url.pathname.length > 1) pieces.push(url.pathname + url.search)
    for (const [, query] of url.searchParams) pieces.push(query)
    for (const segment of url.pathname.split("/")) {
      // A token has digits and letters (or is long); `services`, `webhooks` and `sendMessage` are not tokens.
      if ((/\d/.test(segment) && /[A-Za-z]/.test(segment)) || segment.length >= 20) pieces.push(segment)
      // A Telegram path segment is `bot<token>`.
      if (segment.startsWith("bot")) pieces.push(segment.slice(3))
    }
    if (url.password !== "") pieces.push(url.password)
    if (url.username !== "") pieces.push(url.username)
  }
  return pieces
}

/**
 * Credentials recognised by their shape, whatever their value: `Bearer`/`Basic`/`Bot` credentials, the
 * value of a secret-looking query parameter or JSON field, and a Telegram bot path segment.
 */
const SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Bearer|Basic|Bot|Token)(\s+)[A-Za-z0-9._~+/=:-]{6,}/gi, "$1$2<redacted>"],
  [/([?&;](?:token|access_token|api[_-]?key|apikey|key|secret|sig|signature|password|auth)=)[^&\s"'<>]+/gi, "$1<redacted>"],
  [/("(?:token|access_token|api[_-]?key|apikey|secret|password|authorization|auth)"\s*:\s*")(?:[^"\\]|\\.)*"/gi, "$1<redacted>\""],
  [/\/bot\d+:[A-Za-z0-9_-]+/g, "/bot<redacted>"]
]

/**
 * A redactor for these secrets: every piece a server can echo (see `piecesOf`) in every form (see
 * `forms`), longest first, then credentials recognised by their shape alone.
 */
export const makeRedactor = (secrets: ReadonlyArray<Redacted.Redacted<string>>): Redact => {
  const needles = new Set<string>()
  for (const secret of secrets) {
    for (const piece of piecesOf(Redacted.value(secret))) {
      for (const form of forms(piece)) needles.add(form)
    }
  }
  // Longest first, so a URL is replaced whole before its path is.
  const ordered = [...needles].filter((needle) => needle.length >= MIN_NEEDLE).sort((a, b) => b.length - a.length)
  return (text) => {
    const known = ordered.reduce((out, needle) => out.split(needle).join("<redacted>"), text)
    return SHAPES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), known)
  }
}
