/**
 * The bytes of a base64 string, or null when it is not well-formed base64.
 *
 * Node's own decoder rather than kit's `getBase64Encoder`: kit's Node build is this same
 * `Buffer.from(value, "base64")`, but runs it twice per string (once to size it) and validates with a
 * `RegExp` built on every call, about 7 µs per 466-byte account against well under 1 µs here, on a scan
 * that can return tens of thousands of accounts. `Buffer.from` skips characters outside the alphabet
 * and stops at the first `=`, so a decoded length short of what the string's length promises is how a
 * malformed string shows. The result is copied out of Buffer's shared 8 KiB pool so an account's
 * `data.buffer` holds that account alone.
 */
export const base64Bytes = (text: string): Uint8Array | null => {
  if (text.length % 4 !== 0) return null
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0
  const decoded = Buffer.from(text, "base64")
  return decoded.length === (text.length / 4) * 3 - padding ? new Uint8Array(decoded) : null
}
