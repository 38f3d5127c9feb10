/** `JSON.stringify` for values that may hold `bigint`s (lamports, u64 masks): they become decimal strings instead of throwing. */
export const toJson = (value: unknown, indent?: number): string =>
  JSON.stringify(value, (_, v: unknown) => typeof v === "bigint" ? v.toString() : v, indent)
