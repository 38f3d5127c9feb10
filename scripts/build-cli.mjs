// Bundles the CLI into dist/cli-bundle.cjs, run by the entry dist/cli.js (scripts/cli-entry.mjs) from
// V8's code cache. Importing effect's modules one by one costs ~0.5 s of every start (`agenc --help`
// took 1.2 s); a tree-shaken bundle starts several times faster, and its code cache saves most of the
// compile. The library (dist/index.js, what custom actions import) stays compiled file by file by tsc.
import { build } from "esbuild"
import { execFileSync, spawn } from "node:child_process"
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"

/** Marks agenc's own modules as free of side effects (they are, but no package.json says so for src/). */
const withoutSideEffects = {
  name: "agenc-without-side-effects",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === "resolving") return undefined
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "resolving" })
      return resolved.errors.length > 0 || resolved.path.includes("/node_modules/") ? undefined : { path: resolved.path, sideEffects: false }
    })
  }
}

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
  // Every start loads it: only what the answer uses (of src/, whose modules esbuild cannot know are free
  // of side effects, and of effect), minified.
  plugins: [withoutSideEffects],
  minify: true,
  logLevel: "warning"
})
await copyFile("scripts/cli-entry.mjs", "dist/cli.js")
await chmod("dist/cli.js", 0o755)
// A first run writes each bundle's code cache with what it compiled (a stale one would be rejected anyway):
// `--help` for the help bundle; for the CLI bundle, a daemon started on an empty home and stopped once it
// is ready, so the cache holds the functions every start up to READY=1 compiles.
await rm("dist/cli-help.cjs.v8cache", { force: true })
await rm("dist/cli-bundle.cjs.v8cache", { force: true })
execFileSync(process.execPath, ["dist/cli.js", "--help"], { stdio: "ignore" })
await warmDaemon()

async function warmDaemon() {
  const home = await mkdtemp(path.join(os.tmpdir(), "agenc-build-"))
  try {
    await writeFile(path.join(home, "gateway.json"), JSON.stringify({ channels: [] }))
    // Nothing of a service manager or a test the build may run under reaches this daemon.
    const env = { ...process.env, AGENC_HOME: home }
    for (const name of ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "AGENC_TEST_FAULTS"]) delete env[name]
    const daemon = spawn(process.execPath, ["dist/cli.js", "daemon", "start", "--foreground"], { env, stdio: ["ignore", "ignore", "pipe"] })
    const exited = new Promise((resolve) => daemon.once("exit", resolve))
    // It logs "daemon ready" right after READY=1; without that in 30 s the first run writes the cache instead.
    const ready = await new Promise((resolve) => {
      let log = ""
      const timer = setTimeout(() => resolve(false), 30_000)
      daemon.stderr.on("data", (chunk) => {
        log += chunk
        if (log.includes("daemon ready")) resolve(true)
      })
      exited.then(() => resolve(false))
      exited.then(() => clearTimeout(timer))
    })
    daemon.kill(ready ? "SIGTERM" : "SIGKILL")
    await exited
  } finally {
    await rm(home, { recursive: true, force: true })
  }
}
