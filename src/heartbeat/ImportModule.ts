/** Where the CLI's entry (scripts/cli-entry.mjs) lends its `import()`. */
const lentImport = Symbol.for("agenc/importModule")

/**
 * Imports an ES module by URL. The CLI runs its bundle from a V8 code cache, and Node 20 forgets the
 * dynamic-import callback of cached code ("A dynamic import callback was not specified"), so inside the
 * bundle an `import()` goes through the one the entry lends; everywhere else it is the plain `import()`.
 */
export const importModule = (url: string): Promise<Record<string, unknown>> => {
  const lent = (globalThis as { [lentImport]?: (url: string) => Promise<Record<string, unknown>> })[lentImport] // cast: a test hook on globalThis; the module's default export is decoded by ActionExport
  return lent === undefined ? import(url) as Promise<Record<string, unknown>> : lent(url) // cast: a module namespace is an object of exports; the default export is decoded by ActionExport
}
