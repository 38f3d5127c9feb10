#!/usr/bin/env node
// agenc's CLI entry (copied to dist/cli.js by scripts/build-cli.mjs). `--help`, `--version` and
// `--completions` are answered by a small bundle, dist/cli-help.cjs (src/cli/StaticHelp.ts), from the
// command tree the build wrote into it; everything else runs the CLI bundle, dist/cli-bundle.cjs.
// Both run from V8's code cache when one fits: compiling the 4 MB bundle is about a quarter of every
// start, and Node 20 has no compile cache of its own for it (module.enableCompileCache is Node 22).
// The caches are written by the build and rewritten by the first run after V8 rejects them (another Node).
// Paths inside the bundle (package.json, the supervisor's `node dist/cli.js`) are relative to this file.
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

const dist = path.dirname(fileURLToPath(import.meta.url))

/** Runs a CommonJS bundle from its code cache (`<bundle>.v8cache`) and answers its exports. */
const runCached = (bundle) => {
  const cacheFile = `${bundle}.v8cache`
  // The bundle keeps src/cli.ts's "#!" line, which is a syntax error inside a function: make it a comment.
  const source = fs.readFileSync(bundle, "utf8").replace(/^#!/, "//")
  let cachedData
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {
    // No cache yet: compile from source, and leave one for the next start.
  }
  // Same first line as the bundle's, so stack traces keep its line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __agencCliUrl) {${source}\n})`, {
    filename: bundle,
    cachedData
  })
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // At exit the cache also holds the functions this run compiled lazily.
    process.once("exit", () => {
      const temporary = `${cacheFile}.${process.pid}`
      try {
        fs.writeFileSync(temporary, script.createCachedData(), { flag: "wx", mode: 0o644 })
        fs.renameSync(temporary, cacheFile)
      } catch {
        // A read-only install: start without the cache.
        fs.rmSync(temporary, { force: true })
      }
    })
  }
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle), import.meta.url)
  return module.exports
}

const answer = runCached(path.join(dist, "cli-help.cjs")).staticAnswer(process.argv.slice(2))
if (answer !== undefined) {
  process.stdout.write(`${answer}\n`)
} else {
  // Node 20 drops the dynamic-import callback of cached code: custom action modules load through this
  // module's import() instead (src/heartbeat/ImportModule.ts).
  globalThis[Symbol.for("agenc/importModule")] = (url) => import(url)
  runCached(path.join(dist, "cli-bundle.cjs"))
}
