/** Minutes are enough for a person: `2026-12-01T02:00Z`. */
const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`

/**
 * The message `missedAlert` sends after a start that found missed slots, e.g.
 * `task-scan missed 12 slots between 2026-12-01T02:00Z and 03:00Z while the daemon was down; ran the latest`.
 */
export const missedAlertText = (action: string, missed: { readonly count: number; readonly first: number; readonly last: number }, ran: number): string => {
  const first = minute(missed.first)
  const last = minute(missed.last)
  const when = missed.count === 1
    ? `1 slot at ${first}`
    : `${missed.count} slots between ${first} and ${first.slice(0, 10) === last.slice(0, 10) ? last.slice(11) : last}`
  const what = ran === 0 ? "ran none of them" : ran === 1 ? "ran the latest" : `ran the latest ${ran}`
  return `${action} missed ${when} while the daemon was down; ${what}`
}
