import { Schema } from "effect"
import { DurationMs } from "./DurationMs.js"

const common = {
  name: Schema.optional(Schema.NonEmptyString).annotations({ description: "name used by an action's `channels`; defaults to the type" }),
  timeout: Schema.optionalWith(DurationMs, { default: () => 10_000 })
}

/** Human-readable lines on stdout. */
export class ConsoleChannelConfig extends Schema.Class<ConsoleChannelConfig>("ConsoleChannelConfig")({
  type: Schema.Literal("console"),
  ...common
}) {}

/** One JSON object per line, fsynced, appended to `path` (default `$AGENC_HOME/outbox.jsonl`). */
export class FileChannelConfig extends Schema.Class<FileChannelConfig>("FileChannelConfig")({
  type: Schema.Literal("file"),
  ...common,
  path: Schema.optionalWith(Schema.NonEmptyString, { default: () => "outbox.jsonl" })
}) {}

/** A configured channel. */
export const ChannelConfig = Schema.Union(ConsoleChannelConfig, FileChannelConfig)
export type ChannelConfig = typeof ChannelConfig.Type

/** The `channels` list; names must be unique. */
export const ChannelsConfig = Schema.Array(ChannelConfig).pipe(Schema.filter((channels) => {
  const seen = new Set<string>()
  for (const [index, channel] of channels.entries()) {
    const name = channel.name ?? channel.type
    if (seen.has(name)) return { path: [index, "name"], message: `duplicate channel name "${name}"` }
    seen.add(name)
  }
  return true
}))

/** The channels used when `gateway.json` names none. */
export const defaultChannels = (): ReadonlyArray<typeof ChannelConfig.Encoded> => [{ type: "console" }, { type: "file" }]

/** The name an action's `channels` list uses for this channel. */
export const channelName = (channel: ChannelConfig): string => channel.name ?? channel.type
