// Checked by `tsc` (npm run typecheck), never run: the PostgreSQL schema (db/schema.pg.ts) reads and
// writes exactly the rows the SQLite schema (db/schema.ts) does, table by table, so the models,
// typed by the SQLite schema, are right on both. A column added to one schema only, or given
// another type, nullability or default, fails to compile here and names its table.
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type * as pg from "../../db/schema.pg";
import type * as sqlite from "../../db/schema";

type Sqlite = typeof sqlite;
type Pg = typeof pg;

/** True only when A and B are the same type, not merely assignable one to the other. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when nothing is listed: the error names what is. */
type NoneOf<T extends never> = T;

type SqliteTableName = { [K in keyof Sqlite]: Sqlite[K] extends SQLiteTable ? K : never }[keyof Sqlite];

/** The tables whose rows, as read or as written, differ between the schemas. */
type Drifted<Row extends "$inferSelect" | "$inferInsert"> = {
  [K in SqliteTableName]: K extends keyof Pg ? (Equal<Sqlite[K][Row], Pg[K][Row]> extends true ? never : K) : K;
}[SqliteTableName];

export type EveryExportMirrored = NoneOf<Exclude<keyof Sqlite, keyof Pg>>;
export type SameRowsRead = NoneOf<Drifted<"$inferSelect">>;
export type SameRowsWritten = NoneOf<Drifted<"$inferInsert">>;
