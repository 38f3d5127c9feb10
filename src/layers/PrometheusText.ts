import { Effect, Metric, MetricState } from "effect"
import type * as MetricPair from "effect/MetricPair"

/** The content type of the Prometheus text exposition format. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
const metricName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^([0-9])/, "_$1")
const labelName = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^([0-9])/, "_$1")

const number = (value: number | bigint): string =>
  typeof value === "bigint"
    ? value.toString()
    : Number.isNaN(value)
    ? "NaN"
    : value === Infinity
    ? "+Inf"
    : value === -Infinity
    ? "-Inf"
    : String(value)

const labels = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.length === 0 ? "" : `{${pairs.map(([key, value]) => `${labelName(key)}="${escapeLabel(value)}"`).join(",")}}`

interface Family {
  type: "counter" | "gauge" | "histogram" | "summary"
  help: string | undefined
  lines: Array<string>
}

const linesOf = (name: string, tags: ReadonlyArray<readonly [string, string]>, state: MetricState.MetricState.Untyped): {
  readonly type: Family["type"]
  readonly lines: ReadonlyArray<string>
} => {
  if (MetricState.isCounterState(state)) return { type: "counter", lines: [`${name}${labels(tags)} ${number(state.count)}`] }
  if (MetricState.isGaugeState(state)) return { type: "gauge", lines: [`${name}${labels(tags)} ${number(state.value)}`] }
  if (MetricState.isHistogramState(state)) {
    const buckets = state.buckets.map(([le, count]) => `${name}_bucket${labels([...tags, ["le", number(le)]])} ${count}`)
    // effect's boundaries end at +Inf; say it when a histogram was made without.
    if (state.buckets.at(-1)?.[0] !== Infinity) buckets.push(`${name}_bucket${labels([...tags, ["le", "+Inf"]])} ${state.count}`)
    return { type: "histogram", lines: [...buckets, `${name}_sum${labels(tags)} ${number(state.sum)}`, `${name}_count${labels(tags)} ${state.count}`] }
  }
  if (MetricState.isSummaryState(state)) {
    const quantiles = state.quantiles.flatMap(([q, value]) =>
      value._tag === "Some" ? [`${name}${labels([...tags, ["quantile", number(q)]])} ${number(value.value)}`] : []
    )
    return { type: "summary", lines: [...quantiles, `${name}_sum${labels(tags)} ${number(state.sum)}`, `${name}_count${labels(tags)} ${state.count}`] }
  }
  if (MetricState.isFrequencyState(state)) {
    return { type: "counter", lines: [...state.occurrences].map(([word, count]) => `${name}${labels([...tags, ["key", word]])} ${count}`) }
  }
  return { type: "gauge", lines: [] }
}

/** Renders metric pairs in the Prometheus text format: one `# HELP`/`# TYPE` per family, series sorted. */
export const render = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  for (const { metricKey: key, metricState: state } of pairs) {
    const name = metricName(key.name)
    const tags = key.tags.map((tag) => [tag.key, tag.value] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const { lines, type } = linesOf(name, tags, state)
    const family = families.get(name) ?? { type, help: key.description._tag === "Some" ? key.description.value : undefined, lines: [] }
    family.lines.push(...lines)
    families.set(name, family)
  }
  const out: Array<string> = []
  for (const name of [...families.keys()].sort()) {
    const family = families.get(name)!
    if (family.help !== undefined) out.push(`# HELP ${name} ${escapeHelp(family.help)}`)
    out.push(`# TYPE ${name} ${family.type}`)
    out.push(...family.lines)
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}

/** Everything in effect's metric registry, in the Prometheus text format. */
export const prometheusText: Effect.Effect<string> = Effect.map(Metric.snapshot, render)
