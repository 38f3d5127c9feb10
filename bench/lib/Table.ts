import type { Spread } from "./Stats.js"

/** A number with sensible precision for a table cell. */
export const num = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(Math.abs(value) >= 100 ? 0 : digits) : "n/a"

/** "median (min–max)", or just the value when there was one run. */
export const cell = (figure: Spread | undefined, digits = 1): string => {
  if (figure === undefined) return "–"
  if (figure.runs.length <= 1) return num(figure.median, digits)
  return `${num(figure.median, digits)} (${num(figure.min, digits)}–${num(figure.max, digits)})`
}

/** `a / b` as "1.23×", or "n/a" when the baseline is too close to zero to divide by. */
export const ratio = (a: number, b: number): string => (Math.abs(b) < 1e-9 || b <= 0 || a < 0 ? "n/a" : `${(a / b).toFixed(2)}×`)

/** A plain-text table with a header row; columns padded to their widest cell. */
export const render = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (row: ReadonlyArray<string>) => row.map((value, column) => value.padEnd(widths[column]!)).join("  ").trimEnd()
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n")
}
