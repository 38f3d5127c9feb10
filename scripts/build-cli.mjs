// Bundles the CLI into dist/cli.js. Importing effect's modules one by one costs ~0.5 s of every start
// (`agenc --help` took 1.2 s); a tree-shaken bundle starts several times faster. The library (dist/index.js,
// what custom actions import) stays compiled file by file by tsc.
import { build } from "esbuild"
import { chmod } from "node:fs/promises"

await build({
  entryPoints: ["src/cli.ts"],
  outfile: "dist/cli.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: false,
  // Native addons load their .node binaries relative to their own package.
  external: ["better-sqlite3", "koffi"],
  // Some bundled CommonJS dependencies call require(); ESM has none.
  banner: { js: "import { createRequire as __agencRequire } from \"node:module\"; const require = __agencRequire(import.meta.url);" },
  logLevel: "warning"
})
await chmod("dist/cli.js", 0o755)
