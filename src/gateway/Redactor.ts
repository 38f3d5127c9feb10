import { Redacted } from "effect"

/** Replaces every known secret in a string with `<redacted>`; built once from the resolved secrets. */
export type Redact = (text: string) => string

/**
 * A redactor for these secrets. A secret URL also hides its path and query on their own, since an
 * error may quote only those (`POST /services/T000/B000/XXXX`).
 */
export const makeRedactor = (secrets: ReadonlyArray<Redacted.Redacted<string>>): Redact => {
  const needles = new Set<string>()
  for (const secret of secrets) {
    const value = Redacted.value(secret)
    needles.add(value)
    needles.add(encodeURIComponent(value))
    const url = parseUrl(value)
    if (url !== undefined && url.pathname.length > 1) needles.add(url.pathname + url.search)
  }
  // Longest first, so a URL is replaced whole before its path is.
  const ordered = [...needles].filter((needle) => needle.length >= 4).sort((a, b) => b.length - a.length)
  return (text) => ordered.reduce((out, needle) => out.split(needle).join("<redacted>"), text)
}

/** Scheme and host of a URL, for logs and `status`: `https://hooks.slack.com/…`. */
export const describeUrl = (url: string): string => {
  const parsed = parseUrl(url)
  return parsed === undefined ? "<invalid url>" : `${parsed.protocol}//${parsed.host}/…`
}

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}
