/** Lamports per SOL. */
export const LAMPORTS_PER_SOL = 1_000_000_000n

/** Formats lamports as SOL with lamport precision and no trailing zeros: `1.5 SOL`, `0.000000001 SOL`, `-2 SOL`. */
export const formatSol = (lamports: bigint): string => {
  const negative = lamports < 0n
  const abs = negative ? -lamports : lamports
  const whole = abs / LAMPORTS_PER_SOL
  const fraction = (abs % LAMPORTS_PER_SOL).toString().padStart(9, "0").replace(/0+$/, "")
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`} SOL`
}

/**
 * A reward as the owner reads it: SOL for lamports, else the raw base units of the SPL mint (its
 * decimals are not on the task, so no guessing): `1000000 units of EPjFWdd5…`.
 */
export const formatReward = (amount: bigint, mint: string | null): string =>
  mint === null ? formatSol(amount) : `${amount} units of ${mint.slice(0, 8)}…`

/** The short form of a task id used in messages: its first 8 characters. */
export const shortId = (id: string): string => id.slice(0, 8)

/** Unix seconds as `2025-01-02 03:04 UTC`. */
export const formatUtc = (unixSeconds: number): string =>
  `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`

/** A span of seconds, coarsely: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export const formatSpan = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) {
    const minutes = Math.floor((s % 3600) / 60)
    return `${Math.floor(s / 3600)}h${minutes === 0 ? "" : ` ${minutes}m`}`
  }
  const hours = Math.floor((s % 86_400) / 3600)
  return `${Math.floor(s / 86_400)}d${hours === 0 ? "" : ` ${hours}h`}`
}

/** `1 task` / `3 tasks`. */
export const plural = (count: number | bigint, noun: string): string => `${count} ${noun}${count === 1 || count === 1n ? "" : "s"}`
