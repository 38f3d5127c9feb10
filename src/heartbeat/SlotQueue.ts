/**
 * A binary min-heap of (due time, key), so the scheduler needs one timer however many actions are
 * registered. Entries are invalidated by version rather than removed: `push` of a key supersedes its
 * earlier entries, `remove` forgets the key, and stale entries are dropped when they reach the top.
 */
export class SlotQueue {
  private readonly heap: Array<{ readonly at: number; readonly key: string; readonly version: number }> = []
  private readonly versions = new Map<string, number>()
  private counter = 0

  /** Schedules `key` at `at` (epoch ms), replacing any earlier entry for it. */
  push(key: string, at: number): void {
    const version = ++this.counter
    this.versions.set(key, version)
    this.heap.push({ at, key, version })
    this.up(this.heap.length - 1)
    // Reschedules leave stale entries behind; rebuild when they outnumber the live ones.
    if (this.heap.length > 64 && this.heap.length > 2 * this.versions.size) this.compact()
  }

  /** Forgets `key`. */
  remove(key: string): void {
    this.versions.delete(key)
  }

  /** The earliest live entry, if any. */
  peek(): { readonly at: number; readonly key: string } | undefined {
    this.dropStale()
    return this.heap[0]
  }

  /** Removes and returns the earliest live entry due at or before `now`. */
  popDue(now: number): { readonly at: number; readonly key: string } | undefined {
    this.dropStale()
    const top = this.heap[0]
    if (top === undefined || top.at > now) return undefined
    this.versions.delete(top.key)
    this.popTop()
    return top
  }

  /** The number of live keys. */
  get size(): number {
    return this.versions.size
  }

  private dropStale(): void {
    while (this.heap.length > 0 && this.versions.get(this.heap[0]!.key) !== this.heap[0]!.version) this.popTop()
  }

  private compact(): void {
    const live = this.heap.filter((entry) => this.versions.get(entry.key) === entry.version)
    this.heap.length = 0
    for (const entry of live) {
      this.heap.push(entry)
      this.up(this.heap.length - 1)
    }
  }

  private popTop(): void {
    const last = this.heap.pop()!
    if (this.heap.length === 0) return
    this.heap[0] = last
    this.down(0)
  }

  private up(index: number): void {
    const heap = this.heap
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (heap[parent]!.at <= heap[index]!.at) return
      ;[heap[parent], heap[index]] = [heap[index]!, heap[parent]!]
      index = parent
    }
  }

  private down(index: number): void {
    const heap = this.heap
    for (;;) {
      const left = 2 * index + 1
      const right = left + 1
      let smallest = index
      if (left < heap.length && heap[left]!.at < heap[smallest]!.at) smallest = left
      if (right < heap.length && heap[right]!.at < heap[smallest]!.at) smallest = right
      if (smallest === index) return
      ;[heap[smallest], heap[index]] = [heap[index]!, heap[smallest]!]
      index = smallest
    }
  }
}
