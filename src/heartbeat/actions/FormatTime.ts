import { CAPABILITY_BITS } from "../../domain/Marketplace.js"
import { stripControls, truncate } from "../../domain/Text.js"

const formats = new Map<string, { readonly parts: Intl.DateTimeFormat; readonly names: ReadonlyArray<Intl.DateTimeFormat> }>()

const formatsFor = (zone: string) => {
  let known = formats.get(zone)
  if (known === undefined) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    })
    // en-US knows the American abbreviations (EST), en-GB the European ones (CET, BST); either may only know `GMT+1`.
    const names = ["en-US", "en-GB"].map((locale) => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" }))
    known = { parts, names }
    formats.set(zone, known)
  }
  return known
}

/** The zone's abbreviation at `date`: `CET`, `CEST`, `EST`, `UTC`, or `GMT+5:30` where there is none. */
export const zoneAbbreviation = (date: Date, zone: string): string => {
  const found = formatsFor(zone).names.map((format) =>
    format.formatToParts(date).find((part) => part.type === "timeZoneName")?.value ?? zone
  )
  const name = found.find((candidate) => !/^(GMT|UTC)[+-]/.test(candidate)) ?? found[0]!
  return name === "GMT" && (zone === "UTC" || zone === "Etc/UTC") ? "UTC" : name
}

/** Unix seconds as the time in `zone` with its abbreviation: `2025-06-01 03:30 CEST`. */
export const formatTime = (unixSeconds: number, zone: string): string => {
  const date = new Date(unixSeconds * 1000)
  const part = Object.fromEntries(formatsFor(zone).parts.formatToParts(date).map((p) => [p.type, p.value]))
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute} ${zoneAbbreviation(date, zone)}`
}

/**
 * A span of seconds, exact to the minute and cut (never rounded up, so "5 h 59 min" is not yet 6 h),
 * in its two largest units: `2 d 3 h`, `5 h 59 min`, `45 min`, `30 s`.
 */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds))
  const units: ReadonlyArray<readonly [string, number]> = [["d", 86_400], ["h", 3_600], ["min", 60], ["s", 1]]
  const index = units.findIndex(([, size]) => s >= size)
  if (index === -1) return "0 s"
  const [unit, size] = units[index]!
  const whole = `${Math.floor(s / size)} ${unit}`
  if (unit === "s" || unit === "min") return whole
  const [nextUnit, nextSize] = units[index + 1]!
  const rest = Math.floor((s % size) / nextSize)
  return rest === 0 ? whole : `${whole} ${rest} ${nextUnit}`
}

/** A deadline as the owner reads it: `2025-06-01 03:30 CEST (in 3 h)`, or `… (12 min ago)` once past. */
export const formatDeadline = (deadline: number, now: number, zone: string): string =>
  `${formatTime(deadline, zone)} (${deadline >= now ? `in ${formatDuration(deadline - now)}` : `${formatDuration(now - deadline)} ago`})`

/** A capability bitmask by name: `COMPUTE, NETWORK`; bits the program does not define as `bit 12`. */
export const capabilityNames = (mask: bigint): string => {
  const names: Array<string> = []
  const byBit = new Map(Object.entries(CAPABILITY_BITS).map(([name, bit]) => [bit, name]))
  for (let bit = 0; mask >> BigInt(bit) > 0n; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(byBit.get(bit as never) ?? `bit ${bit}`) // cast: a lookup in a Map keyed by the bit literals; a missing bit reads undefined
  }
  return names.length === 0 ? "none" : names.join(", ")
}

/** Untrusted text (a task description from chain) as one line of at most `max` characters. */
export const oneLine = (text: string, max = 120): string => truncate(stripControls(text).replace(/\s+/g, " ").trim(), max)
