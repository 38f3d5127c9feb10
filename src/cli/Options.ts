import { Options } from "@effect/cli"

/** `--config FILE`: read this file instead of `$AGENC_HOME/gateway.json`. */
export const configOption = Options.text("config").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("config file to use instead of $AGENC_HOME/gateway.json"),
  Options.optional
)

/** `--json`: machine-readable output. */
export const jsonOption = Options.boolean("json").pipe(Options.withDescription("print JSON instead of a table"))
