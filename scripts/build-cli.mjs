// Bundles the CLI into dist/cli-bundle.cjs, run by the entry dist/cli.js (scripts/cli-entry.mjs) from
// V8's code cache. Importing effect's modules one by one costs ~0.5 s of every start (`agenc --help`
// took 1.2 s); a tree-shaken bundle starts several times faster, and its code cache saves most of the
// compile. The library (dist/index.js, what custom actions import) stays compiled file by file by tsc.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { chmod, copyFile, readFile, rm } from "node:fs/promises"

// The command tree is static: read it once here, from the commands themselves, and write it into both
// bundles (src/cli/BuiltCommandTree.ts), so help, completions and the command-line check load no command.
const { version } = JSON.parse(await readFile("package.json", "utf8"))
await build({
  stdin: {
    contents: `import { agencCommand } from "./src/cli/Commands.ts"
import { commandTree } from "./src/cli/CommandTree.ts"
process.stdout.write(JSON.stringify(commandTree(agencCommand(${JSON.stringify(version)}))))`,
    resolveDir: ".",
    loader: "ts"
  },
  outfile: "dist/command-tree.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["better-sqlite3", "koffi"],
  define: { "import.meta.url": "__agencCliUrl" },
  banner: { js: `var __agencCliUrl = require("node:url").pathToFileURL(__filename).href;` },
  logLevel: "warning"
})
const tree = JSON.parse(execFileSync(process.execPath, ["dist/command-tree.cjs"], { encoding: "utf8" }))
await rm("dist/command-tree.cjs")
const builtCommands = JSON.stringify({ version, tree })

await build({
  entryPoints: ["src/cli.ts"],
  outfile: "dist/cli-bundle.cjs",
  bundle: true,
  platform: "node",
  // CommonJS, so the entry can compile it with vm.Script and a code cache (Node 20 caches no ES module).
  format: "cjs",
  target: "node20",
  sourcemap: false,
  // Native addons load their .node binaries relative to their own package.
  external: ["better-sqlite3", "koffi"],
  // The entry passes its own URL: paths the code resolves from import.meta.url stay relative to dist/cli.js.
  define: { "import.meta.url": "__agencCliUrl", AGENC_BUILT_COMMANDS: builtCommands },
  logLevel: "warning"
})
// What dist/cli.js answers `--help`, `--version` and `--completions` with, before and without the bundle.
await build({
  entryPoints: ["src/cli/StaticHelp.ts"],
  outfile: "dist/cli-help.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  define: { AGENC_BUILT_COMMANDS: builtCommands },
  logLevel: "warning"
})
await copyFile("scripts/cli-entry.mjs", "dist/cli.js")
await chmod("dist/cli.js", 0o755)
// A first run writes the code cache (with what `--help` compiles); a stale one would be rejected anyway.
await rm("dist/cli-bundle.cjs.v8cache", { force: true })
execFileSync(process.execPath, ["dist/cli.js", "--help"], { stdio: "ignore" })
