/** An instant for text outputs: in the action's zone, with UTC next to it (`2026-12-01 10:00 Europe/Berlin (09:00 UTC)`). */
export const zonedAndUtc = (ms: number, timezone: string): string => {
  const format = (timeZone: string) =>
    new Intl.DateTimeFormat("sv-SE", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(ms)
  const utc = format("UTC")
  if (timezone === "UTC") return `${utc} UTC`
  const local = format(timezone)
  // The UTC part drops the date when it is the same day.
  const utcShown = utc.slice(0, 10) === local.slice(0, 10) ? utc.slice(11) : utc
  return `${local} ${timezone} (${utcShown} UTC)`
}
