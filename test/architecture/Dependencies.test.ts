import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

/**
 * The layering of ARCHITECTURE.md ("Dependencies point one way"): each folder of src/ and what it may
 * import besides itself. The feature folders share only domain and services.
 */
const allowed: Record<string, ReadonlyArray<string>> = {
  domain: [],
  services: ["domain"],
  heartbeat: ["domain", "services"],
  gateway: ["domain", "services"],
  runtime: ["domain", "services"],
  layers: ["domain", "services", "heartbeat", "gateway", "runtime"],
  daemon: ["domain", "services", "heartbeat", "gateway", "runtime", "layers"],
  cli: ["domain", "services", "heartbeat", "gateway", "runtime", "layers", "daemon"],
  // src/index.ts is the library API: what a custom action imports, never the daemon or the CLI.
  index: ["domain", "services", "heartbeat", "gateway", "runtime"],
  // src/cli.ts is the top.
  cli_entry: ["domain", "services", "heartbeat", "gateway", "runtime", "layers", "daemon", "cli"]
}

const src = path.resolve(__dirname, "../../src")

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(file) : file.endsWith(".ts") ? [file] : []
  })

const folderOf = (file: string): string => {
  const parts = path.relative(src, file).split(path.sep)
  return parts.length > 1 ? parts[0]! : parts[0] === "cli.ts" ? "cli_entry" : parts[0]!.replace(/\.ts$/, "")
}

/** Every relative import and `export … from` of `file`, resolved to the file it names. */
const importsOf = (file: string): ReadonlyArray<string> =>
  ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => path.resolve(path.dirname(file), name).replace(/\.js$/, ".ts"))

describe("dependencies point one way", () => {
  it("no file in src/ imports against the layering", () => {
    const files = sourceFiles(src)
    assert.isAbove(files.length, 50)
    const offending = files.flatMap((file) => {
      const from = folderOf(file)
      const may = allowed[from]
      if (may === undefined) return [`${path.relative(src, file)}: folder "${from}" has no place in the layering`]
      return importsOf(file)
        .filter((target) => {
          const to = folderOf(target)
          return to !== from && !may.includes(to)
        })
        .map((target) => `${path.relative(src, file)} -> ${path.relative(src, target)}`)
    })
    assert.deepStrictEqual(offending, [], `imports against the direction:\n${offending.join("\n")}`)
  })

  it("the check sees imports, re-exports and type-only imports", () => {
    const probe = path.join(src, "domain", "Json.ts")
    assert.isAbove(importsOf(path.join(src, "index.ts")).length, 5)
    assert.deepStrictEqual(importsOf(probe).filter((target) => !target.startsWith(path.join(src, "domain"))), [])
    const text = `import type { A } from "../services/A.js"\nexport { B } from "../layers/B.js"\nimport "./side.js"\n`
    const seen = ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName)
    assert.deepStrictEqual(seen, ["../services/A.js", "../layers/B.js", "./side.js"])
  })
})
