/**
 * An RPC URL fit for an error message or a log: scheme, host and port stay (they say which provider is
 * down); user info, every path segment and every query value go, because providers put API keys in all
 * three (`https://user:key@`, `/v2/<key>`, `?api-key=<key>`).
 */
export const redactUrl = (url: string): string => {
  const parsed = parseUrl(url)
  if (parsed === undefined) return "<invalid URL>"
  const auth = parsed.username !== "" || parsed.password !== "" ? "***@" : ""
  const path = parsed.pathname === "/" || parsed.pathname === "" ? "" : parsed.pathname.split("/").map((s) => s === "" ? s : "***").join("/")
  const query = [...parsed.searchParams.keys()].map((key) => `${key}=***`).join("&")
  return `${parsed.protocol}//${auth}${parsed.host}${path}${query === "" ? "" : `?${query}`}`
}

/** Scheme and host of a URL, for logs and `status`: `https://hooks.slack.com/…`. */
export const describeUrl = (url: string): string => {
  const parsed = parseUrl(url)
  return parsed === undefined ? "<invalid url>" : `${parsed.protocol}//${parsed.host}/…`
}

/** A URL, or undefined when the text is not one. */
export const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}
