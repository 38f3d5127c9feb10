/** The module `agenc action new NAME` writes: a working custom action to start from. */
export const actionTemplate = (name: string): string => `// ${name}: a custom agenc heartbeat action (written by \`agenc action new ${name}\`).
//
// The default export is an action: \`run\` is an Effect program that gets its \`config\` (decoded with the
// Schema below, from this action's entry in gateway.json) and returns notify(message) to deliver the
// message to the channels, or quiet() to stay silent. State that must survive restarts goes in the
// action's Session. An action may also \`yield* AgentRuntime\` (the marketplace) and log with Effect.log.
//
//   agenc heartbeat run ${name} --dry-run   # what it would send, changing nothing
//   agenc heartbeat run ${name}             # run it now and deliver
//
// Node caches modules: after editing this file, restart the daemon (a reload does not re-import it).
// Docs: the README of the agenc package, "Custom actions".
import { Effect, Schema } from "effect"
import { Action, Session, notify, quiet } from "agenc"

export default Action.make({
  name: ${JSON.stringify(name)},
  description: "greets once, then stays quiet until its session is cleared",
  config: Schema.Struct({
    greeting: Schema.optionalWith(Schema.String, { default: () => "hello" })
  }),
  run: ({ config }) =>
    Effect.gen(function*() {
      const session = yield* Session
      const runs = yield* session.getAs("runs", Schema.Number)
      const count = runs._tag === "Some" ? runs.value + 1 : 1
      yield* session.set("runs", count)
      yield* Effect.log(\`run number \${count}\`)
      return count === 1 ? notify(\`\${config.greeting} from ${name}\`) : quiet()
    })
})
`
