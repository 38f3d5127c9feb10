import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

/**
 * "Typed boundaries" (ARCHITECTURE.md, Boundaries): data from outside the process is decoded by a Schema,
 * never cast. Every `x as T` and `<T>x` in src/ counts, except `as const` and a cast whose line (or the
 * line above) carries a `// cast:` comment saying why it is sound (a koffi signature, a library's
 * untyped internals, a literal's element type). A tagged template given a type argument (`sql<Row>\`…\``)
 * counts too: it promises the rows' type without checking it (rows go through `rowDecoder`). The count
 * must be zero.
 */
const src = path.resolve(__dirname, "../../src")

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(file) : file.endsWith(".ts") ? [file] : []
  })

const isConstAssertion = (type: ts.TypeNode): boolean =>
  ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === "const" && type.typeArguments === undefined

/** The unjustified casts of one file, as `file:line: text`. */
export const castsIn = (file: string, text: string): ReadonlyArray<string> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const lines = text.split("\n")
  const justified = (line: number) => /\/\/ cast: \S/.test(lines[line] ?? "") || /^\s*\/\/ cast: \S/.test(lines[line - 1] ?? "")
  const found: Array<string> = []
  const visit = (node: ts.Node) => {
    const cast = ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !isConstAssertion(node.type)) ||
      (ts.isTaggedTemplateExpression(node) && node.typeArguments !== undefined)
    if (cast) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      if (![line, end].some(justified)) found.push(`${path.relative(src, file)}:${end + 1}: ${node.getText(source).replace(/\s+/g, " ").slice(0, 120)}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe("casts in src/", () => {
  it("the detector counts `as T`, `<T>x` and `sql<T>`…``, skips `as const`, `import * as` and justified casts", () => {
    const sample = [
      "import * as fs from \"node:fs\"",
      "const a = JSON.parse(text) as { id?: unknown }",
      "const b = [1, 2] as const",
      "const c = <number>value",
      "const d = libc.func(\"int close(int)\") as Close // cast: koffi returns an untyped function",
      "// cast: koffi returns an untyped function",
      "const e = libc.func(\"int dup2(int, int)\") as Dup2",
      "export * as Action from \"./Action.js\"",
      "const f = sql<{ n: number }>`SELECT 1 AS n`",
      "const g = sql`SELECT 1 AS n`"
    ].join("\n")
    assert.deepStrictEqual(castsIn(path.join(src, "Sample.ts"), sample).map((hit) => hit.split(": ")[0]), ["Sample.ts:2", "Sample.ts:4", "Sample.ts:9"])
  })

  it("src/ has no unjustified cast", () => {
    const found = sourceFiles(src).flatMap((file) => castsIn(file, fs.readFileSync(file, "utf8")))
    assert.deepStrictEqual(found, [], `${found.length} cast(s) without a \`// cast:\` justification:\n${found.join("\n")}`)
  })
})
