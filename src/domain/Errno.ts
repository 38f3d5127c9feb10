/** The `code` of a Node system error (`ENOENT`, `EEXIST`, `EPERM`, ...), or undefined for anything else. */
export const errnoCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined
  return typeof error.code === "string" ? error.code : undefined
}
