import { Effect } from "effect"

/** Reserved: filled in by the issue that owns these tables. */
export default Effect.void
