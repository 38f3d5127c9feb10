import { Schema } from "effect"

/** How urgent a message is: channels colour or mark it by this (Discord's embed colour, the console's). */
export const Severity = Schema.Literal("info", "warning", "alert")
export type Severity = typeof Severity.Type

/** A short labelled value: `Reward: 1.5 SOL`. */
export const ContentField = Schema.Struct({ label: Schema.String, value: Schema.String })
export type ContentField = typeof ContentField.Type

/** One entry of a list (a task, an alert): its text, an optional http(s) link, optional fields. */
export const ContentItem = Schema.Struct({
  text: Schema.String,
  link: Schema.optional(Schema.String),
  fields: Schema.optional(Schema.Array(ContentField))
})
export type ContentItem = typeof ContentItem.Type

/**
 * The structured form of a message, which each chat platform renders natively (Slack blocks, a Discord
 * embed, Telegram HTML). Every string in it is treated as untrusted text: channels escape it.
 */
export const MessageContent = Schema.Struct({
  title: Schema.String,
  severity: Schema.optional(Severity),
  fields: Schema.optional(Schema.Array(ContentField)),
  items: Schema.optional(Schema.Array(ContentItem)),
  /** A closing line in small print: `…and 40 more`, a time zone note. */
  note: Schema.optional(Schema.String)
})
export type MessageContent = typeof MessageContent.Type

const fieldsLine = (fields: ReadonlyArray<ContentField>): string =>
  fields.map((field) => `${field.label}: ${field.value}`).join(" · ")

/** The plain-text form of `content`: what the file channel, webhooks and the console carry as `message`. */
export const plainText = (content: MessageContent): string => {
  const lines = [content.title]
  if (content.fields !== undefined && content.fields.length > 0) lines.push(fieldsLine(content.fields))
  for (const item of content.items ?? []) {
    lines.push(`- ${item.text}`)
    if (item.fields !== undefined && item.fields.length > 0) lines.push(`  ${fieldsLine(item.fields)}`)
    if (item.link !== undefined) lines.push(`  ${item.link}`)
  }
  if (content.note !== undefined && content.note !== "") lines.push(content.note)
  return lines.join("\n")
}
