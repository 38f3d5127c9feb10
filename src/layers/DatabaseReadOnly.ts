import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import Sqlite from "better-sqlite3"
import { Duration, Effect, Layer, Option, Schema } from "effect"
import { errorMessage } from "../domain/DescribeError.js"
import { errnoCode } from "../domain/Errno.js"
import * as fs from "node:fs"
import { databaseFile, migrations } from "./Database.js"
import { HomeError, HomeExit } from "./HomeAccess.js"

/** Exit code of a database whose schema is older than this agenc's (README, "Exit codes"). */
const olderSchemaExit = 1

/** An empty database with the current schema, in memory: what a home without `agenc.db` reads as. */
const emptyDatabase = SqliteMigrator.layer({ loader: migrations }).pipe(
  Layer.provide(NodeContext.layer),
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:", prepareCacheTTL: Duration.infinity }))
)

const latestMigration = Effect.map(Effect.orDie(migrations), (list) => Math.max(...list.map(([id]) => id)))

// Built once: the migrations table's newest id (NULL when it is empty); a row of another shape reads as none.
const decodeMigrationRow = Schema.decodeUnknownOption(Schema.Struct({ id: Schema.NullOr(Schema.Number) }))

/** The newest migration applied to `db` (0 when it has none), closing it; throws what SQLite throws on opening. */
const schemaOf = (db: Sqlite.Database): number => {
  try {
    const [table] = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'effect_sql_migrations'").all()
    if (table === undefined) return 0
    const row = decodeMigrationRow(db.prepare("SELECT MAX(migration_id) AS id FROM effect_sql_migrations").get())
    return Option.match(row, { onNone: () => 0, onSome: ({ id }) => id ?? 0 })
  } finally {
    db.close()
  }
}

/** The write-ahead log holds nothing: missing, or empty (its last writer checkpointed it). */
const walEmpty = (file: string) => !fs.existsSync(`${file}-wal`) || fs.statSync(`${file}-wal`).size === 0

const ownerNote = (file: string) => {
  const owner = fs.statSync(file).uid
  return owner === process.getuid?.() ? "" : ` (owned by uid ${owner}, this is uid ${process.getuid?.()})`
}

/**
 * Opens `file` read-only to check it: its schema version, and what to open it as. A WAL database needs its
 * `-shm` file, which a read-only folder cannot create; when the `-wal` is missing or empty (the last writer
 * checkpointed it), the main file holds everything, and a copy of it in memory reads the same.
 */
const probe = (file: string) =>
  Effect.suspend((): Effect.Effect<{ readonly schema: number; readonly source: string | Buffer }, HomeError> => {
    try {
      fs.accessSync(file, fs.constants.R_OK)
    } catch {
      return Effect.fail(new HomeError({ file, code: HomeExit.noPerm, message: `cannot read ${file}: permission denied${ownerNote(file)}` }))
    }
    try {
      return Effect.succeed({ schema: schemaOf(new Sqlite(file, { readonly: true, fileMustExist: true })), source: file })
    } catch (cause) {
      const code = errnoCode(cause)
      // CANTOPEN in a read-only folder; READONLY in a folder we may not write.
      if ((code?.startsWith("SQLITE_CANTOPEN") || code?.startsWith("SQLITE_READONLY")) && walEmpty(file)) {
        const copy = fs.readFileSync(file)
        // Header bytes 18-19 say "WAL" (2); an in-memory database cannot have a WAL, so mark the copy legacy (1).
        copy[18] = 1
        copy[19] = 1
        return Effect.succeed({ schema: schemaOf(new Sqlite(copy, { readonly: true })), source: copy })
      }
      return Effect.fail(new HomeError({ file, code: HomeExit.cantCreate, message: `cannot read ${file}: ${errorMessage(cause)}` }))
    }
  })

/**
 * `SqlClient` for the commands that only read (`daemon status`, `heartbeat list|next|runs`, `heartbeat run --dry-run`): never creates
 * `$AGENC_HOME` or `agenc.db`, never migrates, never writes, and works on a read-only home. A missing
 * database reads as empty; one from an older agenc (not yet migrated) fails with a one-line error.
 */
export const DatabaseReadOnly = (home: string) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const file = databaseFile(home)
    if (!fs.existsSync(file)) return emptyDatabase
    const { schema, source } = yield* probe(file)
    const latest = yield* latestMigration
    if (schema < latest) {
      return yield* Effect.fail(new HomeError({
        file,
        code: olderSchemaExit,
        message: `${file} has the schema of an older agenc (migration ${schema}, this one needs ${latest}); a command that writes (agenc daemon start, heartbeat run) upgrades it`
      }))
    }
    return SqliteClient.layer({
      // A Buffer opens an in-memory copy (better-sqlite3 takes one where a file name goes; the type says string).
      filename: source as string, // cast: better-sqlite3 takes a Buffer where a file name goes (see above)
      readonly: true,
      // Setting the journal mode is a write; the file keeps the mode its writer gave it.
      disableWAL: true,
      prepareCacheTTL: Duration.infinity
    })
  }))
