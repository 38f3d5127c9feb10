/**
 * The child-to-runner protocol: a child prints lines `@@<event> <json>` on stdout; everything else on
 * stdout/stderr is passed through as noise. `result` is the child's answer; other events (e.g. `ready`)
 * let the runner stagger children.
 */
export const emit = (event: string, data: unknown = {}): void => {
  process.stdout.write(`@@${event} ${JSON.stringify(data)}\n`)
}

/** Heap and RSS after a full GC; bench children run with `--expose-gc`. */
export const memoryAfterGc = (): { readonly heapUsed: number; readonly rss: number } => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc")
  // Two passes: the first can leave weak/finalizable objects for the second.
  gc()
  gc()
  const usage = process.memoryUsage()
  return { heapUsed: usage.heapUsed, rss: usage.rss }
}

/** Integer argument `--name=value` from argv, or `fallback`. */
export const argInt = (name: string, fallback: number): number => {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`))
  return found === undefined ? fallback : Number(found.slice(name.length + 3))
}
