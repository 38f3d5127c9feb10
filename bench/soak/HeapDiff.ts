/**
 * `vite-node bench/soak/HeapDiff.ts before.heapsnapshot after.heapsnapshot [--top N]`: what grew between two
 * V8 heap snapshots of one process (`node --heapsnapshot-signal=SIGUSR2`, then `kill -USR2 PID` twice, runs
 * apart; a snapshot is taken after a full GC, so it holds live objects only). Groups nodes by type and
 * constructor/name and prints the groups whose count or self size grew most.
 */
import * as fs from "node:fs"

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: Array<string>; readonly node_types: [Array<string>, ...Array<unknown>] } }
  readonly nodes: Array<number>
  readonly strings: Array<string>
}

const groups = (file: string): Map<string, { count: number; size: number }> => {
  const snapshot = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot
  const fields = snapshot.snapshot.meta.node_fields
  const width = fields.length
  const typeAt = fields.indexOf("type")
  const nameAt = fields.indexOf("name")
  const sizeAt = fields.indexOf("self_size")
  const types = snapshot.snapshot.meta.node_types[0]
  const result = new Map<string, { count: number; size: number }>()
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!
    const rawName = snapshot.strings[snapshot.nodes[i + nameAt]!]!
    // Strings and numbers are named by their value: group them by type alone.
    const name = type === "string" || type === "concatenated string" || type === "sliced string" || type === "number" ? "" : rawName.slice(0, 80)
    const key = `${type} ${name}`
    const group = result.get(key) ?? { count: 0, size: 0 }
    group.count++
    group.size += snapshot.nodes[i + sizeAt]!
    result.set(key, group)
  }
  return result
}

const [beforeFile, afterFile] = process.argv.slice(2).filter((arg) => !arg.startsWith("--"))
if (beforeFile === undefined || afterFile === undefined) {
  console.error("usage: HeapDiff.ts before.heapsnapshot after.heapsnapshot [--top N]")
  process.exit(2)
}
const topIndex = process.argv.indexOf("--top")
const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25
const before = groups(beforeFile)
const after = groups(afterFile)
const rows = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, size: 0 }
  return { key, count: a.count - b.count, size: a.size - b.size, total: a.size }
}).filter((row) => row.count !== 0 || row.size !== 0)
const total = (m: Map<string, { size: number }>) => [...m.values()].reduce((sum, g) => sum + g.size, 0)
console.log(`self size: ${total(before)} → ${total(after)} bytes (${total(after) - total(before)})`)
console.log("grew most (bytes, count):")
for (const row of rows.sort((x, y) => y.size - x.size).slice(0, top)) console.log(`${String(row.size).padStart(10)} ${String(row.count).padStart(8)}  ${row.key}`)
