import { Migrator } from "@effect/sql"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Duration, Effect, Layer } from "effect"
import * as path from "node:path"
import { ensureFileSync } from "../domain/FileSafety.js"
import { checkWritable, ensureDirectory } from "./HomeAccess.js"
import core from "./migrations/0001_core.js"
import outbox from "./migrations/0002_outbox.js"
import ledger from "./migrations/0003_ledger.js"
import daemon from "./migrations/0004_daemon.js"
import slotLedger from "./migrations/0005_slot_ledger.js"
import pauses from "./migrations/0006_pauses.js"
import failureStreaks from "./migrations/0007_failure_streaks.js"
import outboxDeadLetters from "./migrations/0010_outbox_dead_letters.js"

/** The one SQLite file under `$AGENC_HOME` that holds all durable state. */
export const databaseFile = (home: string): string => path.join(home, "agenc.db")

/** Every schema migration, in order; a new one gets the next number. */
export const migrations = Migrator.fromRecord({
  "0001_core": core,
  "0002_outbox": outbox,
  "0003_ledger": ledger,
  "0004_daemon": daemon,
  "0005_slot_ledger": slotLedger,
  "0006_pauses": pauses,
  "0007_failure_streaks": failureStreaks,
  "0010_outbox_dead_letters": outboxDeadLetters
})

/** `SqlClient` on `$AGENC_HOME/agenc.db` (WAL, 5 s busy timeout), migrated to the latest schema. */
export const Database = (home: string) =>
  SqliteMigrator.layer({ loader: migrations }).pipe(
    // The migrator can dump the schema with the sqlite3 CLI; it asks for the platform services to do so.
    Layer.provide(NodeContext.layer),
    Layer.provideMerge(Layer.unwrapEffect(
      ensureDirectory(home).pipe(
        Effect.zipRight(checkWritable(databaseFile(home))),
        Effect.zipRight(Effect.sync(() => {
          // Created 0600 and never through a symlink; SQLite gives its -wal and -shm the database's mode.
          try {
            ensureFileSync(databaseFile(home))
          } catch {
            // A foreign file: SQLite's own open reports it, naming the file.
          }
          // No time-to-live on prepared statements: effect's Cache drops an expired entry from its map but not
          // its key from the LRU list, and the next lookup adds a new key, so every statement leaked one key
          // (and a copy of its SQL) per TTL, 10 minutes by default: about 0.5 MB a day, whatever the run rate.
          // agenc's statements are a fixed set of parameterised strings; the capacity (200) still bounds them.
          return SqliteClient.layer({ filename: databaseFile(home), prepareCacheTTL: Duration.infinity })
        }))
      )
    ))
  )
