import { Schema } from "effect"

/** The embedded local ledger in `$AGENC_HOME` (the default: no network needed). */
export class LocalRuntimeConfig extends Schema.Class<LocalRuntimeConfig>("LocalRuntimeConfig")({
  source: Schema.Literal("local")
}) {}

/** The `runtime` section: where the AgenC marketplace data comes from. */
export const RuntimeConfig = Schema.Union(LocalRuntimeConfig)
export type RuntimeConfig = typeof RuntimeConfig.Type
