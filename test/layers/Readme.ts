import { assert } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const repo = path.resolve(import.meta.dirname, "../..")

/** The README's block marked `<!-- marker -->`, verbatim. */
export const readmeBlock = (marker: string): string => {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8")
  const start = readme.indexOf(`<!-- ${marker}`)
  assert.isAtLeast(start, 0, `README has a block marked ${marker}`)
  const fence = readme.indexOf("```sh\n", start) + "```sh\n".length
  return readme.slice(fence, readme.indexOf("```\n", fence))
}
