/** Plain-text helpers shared by the actions that write messages and the channels that show them. */

/**
 * C0 controls but tab and newline, DEL, C1 controls (ESC `[2J` and CSI 0x9b among them), and the
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make text read backwards.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** `text` without control characters (newline and tab kept); `\r\n` becomes `\n`. */
export const stripControls = (text: string): string => text.replace(/\r\n?/g, "\n").replace(CONTROLS, "")

/** `text` cut to `max` characters with a trailing `…` (never inside a surrogate pair). */
export const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text
  let cut = Math.max(0, max - 1)
  if (cut > 0 && text.charCodeAt(cut - 1) >= 0xd800 && text.charCodeAt(cut - 1) <= 0xdbff) cut -= 1
  return `${text.slice(0, cut)}…`
}
