#!/usr/bin/env node
// agenc's CLI entry (copied to dist/cli.js by scripts/build-cli.mjs). It runs the bundle,
// dist/cli-bundle.cjs, from V8's code cache when one fits: compiling the 3.9 MB bundle is about a quarter
// of every start, and Node 20 has no compile cache of its own for it (module.enableCompileCache is Node 22).
// The cache is written by the build and rewritten by the first run after V8 rejects it (another Node).
// Paths inside the bundle (package.json, the supervisor's `node dist/cli.js`) are relative to this file.
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

const dist = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
// `--help`, `--version` and `--completions` are answered from the command tree the build wrote into a
// small bundle (src/cli/StaticHelp.ts), without reading the CLI bundle at all.
const answer = require("./cli-help.cjs").staticAnswer(process.argv.slice(2))
if (answer !== undefined) process.stdout.write(`${answer}\n`)
else runBundle()

function runBundle() {
  const bundle = path.join(dist, "cli-bundle.cjs")
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
  // Node 20 drops the dynamic-import callback of cached code: custom action modules load through this
  // module's import() instead (src/heartbeat/ImportModule.ts).
  globalThis[Symbol.for("agenc/importModule")] = (url) => import(url)
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle), import.meta.url)
}
