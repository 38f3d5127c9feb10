/** Collapses line breaks (and the whitespace around them), so an error always prints as one line. */
export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim()
