// Moving an installation up from SQLite to PostgreSQL: every row of a SQLite file copied into an
// empty PostgreSQL database in one transaction, then checked (row counts, a sample of rows field
// by field, the search index) before it is committed. `npm run db:copy` (db/copy.ts) runs it.
//
// This process runs the app on SQLite (no DATABASE_URL), so the source is opened as the app opens
// its file, migrations and data migrations included, and the target is written with node-postgres
// directly: the models never run on it here. What the port does to values on PostgreSQL (NUL
// characters, how types are read) is taken from it, not repeated.
import fs from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import { getTableName, is } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { getTableConfig, PgTable, type PgColumn } from "drizzle-orm/pg-core";
import pg from "pg";
import { isPostgresUrl, openDatabase, sqliteOf } from "~/lib/db.server";
import { MIGRATION_LOCK, migrationsFolder, storable, valueTypes } from "~/lib/db-postgres.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import * as pgSchema from "./schema.pg";

/** A refusal or failure of the copy, told in one line; nothing was committed. */
export class CopyFailed extends Error {
  name = "CopyFailed";
}

export type CopyOptions = {
  /** The SQLite file. */
  from: string;
  /** The PostgreSQL database, postgres://… */
  to: string;
  /** How many rows of each table are read back and compared field by field. */
  sample?: number;
  /** Rows per INSERT at most (fewer for wide tables); tests make it small to cross batch boundaries. */
  batchRows?: number;
  /** Told of each table once its rows are in. */
  onTable?: (table: string, rows: number) => void;
};

export type CopyResult = {
  /** Each table copied, in the order copied, with its row count (equal on both sides). */
  tables: { name: string; rows: number }[];
  /** Entries the search index has on both sides (rebuilt by PostgreSQL's triggers). */
  searchEntries: number;
  /** Rows read back from PostgreSQL and found equal to SQLite's. */
  sampled: number;
};

/** How a column's values are converted on the way in and compared on the way back. */
type Kind = "boolean" | "instant" | "number" | "text";

type TableSpec = {
  name: string;
  columns: { name: string; kind: Kind }[];
  /** The primary key's columns, to find a sampled row on PostgreSQL. */
  key: string[];
  /** Foreign keys from a column of the table to another of the same table (a why's parent). */
  selfReferences: { column: string; references: string }[];
  /** Tables its foreign keys point to. */
  parents: Set<string>;
};

/** The table the data migrations are recorded in, outside both schemas (app/lib/db.server.ts). */
const DATA_MIGRATIONS_TABLE = "__data_migrations";

/**
 * SQLite tables that are not copied: the full-text index and its FTS5 shadow tables (PostgreSQL's
 * triggers build its own index as rows go in), SQLite's own tables, and drizzle's record of the
 * SQL migrations, which differ per engine. The data migrations' record is copied, apart.
 */
const NOT_COPIED = /^(search_index(_.*)?|sqlite_.*|__drizzle_migrations|__data_migrations)$/;

/** The cause categories db/migrations-pg/0002_cause_categories.sql gives a new database; the source's replace them. */
const SEEDED_CATEGORIES = ["code", "testing", "config", "capacity", "dependency", "architecture", "observability", "process", "knowledge"];

/**
 * Tables a database can hold rows in without anyone having used it, and which the copy replaces:
 * the seeded cause categories, and the leases an instance started on it took for its schedules.
 */
const REPLACED: Record<string, string | undefined> = {
  cause_categories: `slug <> all(array[${SEEDED_CATEGORIES.map((slug) => `'${slug}'`).join(", ")}])`,
  leases: "false",
};

// PostgreSQL takes at most 65,535 parameters per statement; a batch stays well under, and small
// enough that a batch of long texts is no burden on memory.
const BATCH_PARAMETERS = 30_000;
const BATCH_ROWS = 1_000;
const SAMPLE_ROWS = 50;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function kindOf(column: PgColumn): Kind {
  const type = column.getSQLType();
  if (type === "boolean") return "boolean";
  if (type.startsWith("timestamp")) return "instant";
  if (type === "integer" || type === "bigint" || type === "double precision") return "number";
  return "text"; // text, date, json: the same text on both sides
}

/** The tables of the PostgreSQL schema (db/schema.pg.ts), as the copy needs them. */
function mirrorTables(): TableSpec[] {
  const tables: TableSpec[] = [];
  for (const value of Object.values(pgSchema)) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    const key = config.primaryKeys.length > 0 ? config.primaryKeys[0].columns.map((c) => c.name) : config.columns.filter((c) => c.primary).map((c) => c.name);
    const selfReferences: TableSpec["selfReferences"] = [];
    const parents = new Set<string>();
    for (const fk of config.foreignKeys) {
      const { columns, foreignTable, foreignColumns } = fk.reference();
      const parent = getTableName(foreignTable);
      if (parent !== config.name) parents.add(parent);
      else if (columns.length === 1) selfReferences.push({ column: columns[0].name, references: foreignColumns[0].name });
      else throw new CopyFailed(`${config.name} refers to itself through several columns at once, which the copy cannot order.`);
    }
    tables.push({ name: config.name, columns: config.columns.map((c) => ({ name: c.name, kind: kindOf(c) })), key, selfReferences, parents });
  }
  return tables;
}

/** The tables in an order where every table comes after those its foreign keys point to. */
function foreignKeyOrder(tables: TableSpec[]): TableSpec[] {
  const ordered: TableSpec[] = [];
  const placed = new Set<string>();
  let left = tables;
  while (left.length > 0) {
    const ready = left.filter((t) => [...t.parents].every((p) => placed.has(p)));
    if (ready.length === 0) throw new CopyFailed(`The foreign keys of ${left.map((t) => t.name).join(", ")} form a cycle: no order of tables satisfies them.`);
    for (const t of ready) placed.add(t.name);
    ordered.push(...ready);
    left = left.filter((t) => !placed.has(t.name));
  }
  return ordered;
}

/** Refuses a SQLite file whose tables or columns differ from the PostgreSQL schema: their rows would be lost. */
function checkSameTables(sqlite: Database.Database, tables: TableSpec[]) {
  const mirrored = new Map(tables.map((t) => [t.name, t]));
  const names = (sqlite.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all() as string[]).filter((name) => !NOT_COPIED.test(name));
  const unknown = names.filter((name) => !mirrored.has(name));
  if (unknown.length > 0) throw new CopyFailed(`The SQLite file has tables the PostgreSQL schema lacks (${unknown.join(", ")}): their rows would be lost.`);
  for (const table of tables) {
    if (!names.includes(table.name)) throw new CopyFailed(`The SQLite file has no table ${table.name}, which the PostgreSQL schema has.`);
    const columns = (sqlite.prepare(`select name from pragma_table_info(?)`).pluck().all(table.name) as string[]).sort();
    const expected = table.columns.map((c) => c.name).sort();
    if (columns.join() !== expected.join()) {
      throw new CopyFailed(`The columns of ${table.name} differ: SQLite has ${columns.join(", ")}; PostgreSQL has ${expected.join(", ")}.`);
    }
  }
}

/**
 * The SELECT that reads a table's rows in an order PostgreSQL can insert them in. A table whose
 * rows refer to others of the same table (a why's parent) is read parents first: each row's depth
 * is worked out level by level in a temporary table (SQLite's own is per connection and leaves
 * the file alone), as an index on the parent column may not exist.
 */
function readOrder(sqlite: Database.Database, table: TableSpec): { select: string; cleanUp(): void } {
  const columns = table.columns.map((c) => `t.${quote(c.name)}`).join(", ");
  if (table.selfReferences.length === 0) return { select: `select ${columns} from ${quote(table.name)} t`, cleanUp() {} };
  const references = new Set(table.selfReferences.map((r) => r.references));
  if (references.size > 1) throw new CopyFailed(`${table.name} refers to itself through different columns, which the copy cannot order.`);
  const key = quote([...references][0]);
  const order = quote(`copy_order_${table.name}`);
  sqlite.exec(`drop table if exists temp.${order}; create temp table ${order} (key primary key, depth integer not null)`);
  // A root has no parent in the table: none given, itself, or one that is missing (PostgreSQL's
  // foreign key then refuses the row, by name).
  const isRoot = table.selfReferences
    .map(({ column }) => `(t.${quote(column)} is null or t.${quote(column)} = t.${key} or not exists (select 1 from ${quote(table.name)} p where p.${key} = t.${quote(column)}))`)
    .join(" and ");
  sqlite.prepare(`insert into temp.${order} select t.${key}, 0 from ${quote(table.name)} t where ${isRoot}`).run();
  const below = sqlite.prepare(`
    insert into temp.${order} (key, depth)
    select t.${key}, ? + 1 from ${quote(table.name)} t
    where ${table.selfReferences.map(({ column }) => `t.${quote(column)} in (select key from temp.${order} where depth = ?)`).join(" or ")}
    on conflict (key) do update set depth = excluded.depth`);
  const total = sqlite.prepare(`select count(*) from ${quote(table.name)}`).pluck().get() as number;
  // A row under several parents (possible with several such columns) moves below the deepest; a
  // cycle would move rows forever, so the walk stops at the number of rows.
  for (let depth = 0; depth <= total; depth++) {
    if (below.run(depth, ...table.selfReferences.map(() => depth)).changes === 0) break;
  }
  sqlite.exec(`create index temp.${quote(`copy_order_${table.name}_depth`)} on ${order} (depth, key)`);
  const placed = sqlite.prepare(`select count(*) from temp.${order}`).pluck().get() as number;
  if (placed < total) throw new CopyFailed(`${total - placed} rows of ${table.name} refer to each other in a cycle: no order inserts them.`);
  return {
    select: `select ${columns} from temp.${order} o join ${quote(table.name)} t on t.${key} = o.key order by o.depth, o.key`,
    cleanUp: () => sqlite.exec(`drop table if exists temp.${order}`),
  };
}

/** A value as PostgreSQL is given it. */
function toPostgres(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === "boolean") return Boolean(value);
  return storable(value);
}

/**
 * A value as both sides are compared: a boolean as a boolean, a timestamp as the instant in ISO
 * form (SQLite text without a zone is UTC, as SQLite's own date functions write it), text with
 * what PostgreSQL cannot store replaced as the port replaces it.
 */
function comparable(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === "boolean") return Boolean(value);
  if (kind === "number") return Number(value);
  if (kind === "instant" && typeof value === "string") {
    const zoned = /(z|[+-]\d\d(:?\d\d)?)$/i.test(value) ? value : `${value.replace(" ", "T")}Z`;
    const instant = new Date(zoned);
    return Number.isNaN(instant.getTime()) ? value : instant.toISOString();
  }
  return storable(value);
}

/** The failure of a statement as one line, with PostgreSQL's detail when it gives one. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = (error as { detail?: string }).detail;
  return detail ? `${error.message} (${detail})` : error.message;
}

async function copyTable(sqlite: Database.Database, target: pg.ClientBase, table: TableSpec, maxRows: number): Promise<number> {
  const columns = table.columns.map((c) => quote(c.name)).join(", ");
  const width = table.columns.length;
  const batchRows = Math.max(1, Math.min(maxRows, Math.floor(BATCH_PARAMETERS / width)));
  const statement = (rows: number) => {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${table.columns.map((_, c) => `$${r * width + c + 1}`).join(", ")})`);
    return `insert into ${quote(table.name)} (${columns}) values ${tuples.join(", ")}`;
  };
  const full = statement(batchRows);
  const order = readOrder(sqlite, table);
  let params: unknown[] = [];
  let copied = 0;
  const flush = async () => {
    const rows = params.length / width;
    if (rows === 0) return;
    await target.query(rows === batchRows ? full : statement(rows), params);
    copied += rows;
    params = [];
  };
  try {
    // Rows stream from SQLite a batch at a time; a table is never held in memory whole.
    for (const row of sqlite.prepare(order.select).raw(true).iterate() as IterableIterator<unknown[]>) {
      for (let c = 0; c < width; c++) params.push(toPostgres(table.columns[c].kind, row[c]));
      if (params.length === batchRows * width) await flush();
    }
    await flush();
  } catch (error) {
    if (error instanceof CopyFailed) throw error;
    throw new CopyFailed(`Copying ${table.name} failed after ${copied} rows: ${reason(error)}`);
  } finally {
    order.cleanUp();
  }
  return copied;
}

/** The first table of the target that holds rows, or undefined when the target is empty. */
async function firstWithRows(target: pg.ClientBase, tables: TableSpec[]): Promise<string | undefined> {
  for (const table of tables) {
    const where = REPLACED[table.name] ?? "true";
    const { rows } = await target.query(`select exists (select 1 from ${quote(table.name)} where ${where}) as found`);
    if (rows[0].found) return table.name;
  }
  return undefined;
}

/** Sets every identity and serial sequence past the largest value copied, so the next insert does not collide. */
async function restartSequences(target: pg.ClientBase) {
  const { rows } = await target.query<{ table: string; column: string; sequence: string }>(`
    select c.table_name as "table", c.column_name as "column", pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) as sequence
    from information_schema.columns c
    where c.table_schema = current_schema() and pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) is not null`);
  for (const { table, column, sequence } of rows) {
    await target.query(`select setval($1, coalesce((select max(${quote(column)}) from ${quote(table)}), 0) + 1, false)`, [sequence]);
  }
}

/** Rowids of up to `count` rows spread evenly over the table, first and last included. */
function sampleRowids(sqlite: Database.Database, table: string, count: number): number[] {
  const { low, high } = sqlite.prepare(`select min(rowid) as low, max(rowid) as high from ${quote(table)}`).get() as { low: number | null; high: number | null };
  if (low === null || high === null) return [];
  const next = sqlite.prepare(`select rowid from ${quote(table)} where rowid >= ? order by rowid limit 1`).pluck();
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) {
    const at = count === 1 ? low : low + Math.floor(((high - low) * i) / (count - 1));
    const rowid = next.get(at) as number | undefined;
    if (rowid !== undefined) picked.add(rowid);
  }
  return [...picked];
}

/** Reads sampled rows back from PostgreSQL and compares them with SQLite's field by field; how many were compared. */
async function compareSample(sqlite: Database.Database, target: pg.ClientBase, table: TableSpec, count: number): Promise<number> {
  const rowids = sampleRowids(sqlite, table.name, count);
  if (rowids.length === 0) return 0;
  const columns = table.columns.map((c) => quote(c.name)).join(", ");
  const read = sqlite.prepare(`select ${columns} from ${quote(table.name)} where rowid = ?`);
  const source = rowids.map((rowid) => read.get(rowid) as Record<string, unknown>);
  const keyOf = (row: Record<string, unknown>) => JSON.stringify(table.key.map((k) => comparable(table.columns.find((c) => c.name === k)!.kind, row[k])));
  const params: unknown[] = [];
  const tuples = source.map((row) => `(${table.key.map((k) => (params.push(toPostgres(table.columns.find((c) => c.name === k)!.kind, row[k])), `$${params.length}`)).join(", ")})`);
  const { rows } = await target.query({
    text: `select ${columns} from ${quote(table.name)} where (${table.key.map(quote).join(", ")}) in (${tuples.join(", ")})`,
    values: params,
    types: valueTypes,
  } as pg.QueryConfig);
  const copied = new Map(rows.map((row: Record<string, unknown>) => [keyOf(row), row]));
  for (const row of source) {
    const key = keyOf(row);
    const other = copied.get(key);
    if (!other) throw new CopyFailed(`Verification failed: the row of ${table.name} with key ${key} is missing on PostgreSQL.`);
    for (const { name, kind } of table.columns) {
      const expected = comparable(kind, row[name]);
      const found = comparable(kind, other[name]);
      if (expected !== found) {
        throw new CopyFailed(`Verification failed: ${table.name} ${key}, column ${name}: SQLite has ${JSON.stringify(expected)}, PostgreSQL ${JSON.stringify(found)}.`);
      }
    }
  }
  return source.length;
}

/** Where a PostgreSQL database is, for messages: host and database, never the password. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL ${parsed.host}${parsed.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

/** A message with the URL's password, if any, masked: a driver's message can quote the address. */
function masked(message: string, url: string): string {
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    // Not a URL: no password to find in it.
  }
  if (!password) return message;
  let text = message;
  const forms = new Set([password]);
  try {
    forms.add(decodeURIComponent(password));
  } catch {
    // Not percent-encoded after all: masked as written.
  }
  for (const form of forms) text = text.replaceAll(form, "***");
  return text;
}

/**
 * Copies the SQLite file `from` into the empty PostgreSQL database `to` (migrated first), in one
 * transaction, verified before it commits. Throws CopyFailed, the target left as it was, when
 * the source is missing, the target holds rows, a row is refused or the check finds a difference.
 */
export async function copyToPostgres(options: CopyOptions): Promise<CopyResult> {
  const { from, to, sample = SAMPLE_ROWS } = options;
  if (!isPostgresUrl(to)) throw new CopyFailed("The target must be a postgres:// (or postgresql://) URL.");
  if (!fs.existsSync(from) || !fs.statSync(from).isFile()) throw new CopyFailed(`There is no SQLite file at ${path.resolve(from)}.`);
  try {
    return await copy(from, to, sample, options.batchRows ?? BATCH_ROWS, options.onTable);
  } catch (error) {
    if (error instanceof CopyFailed) throw new CopyFailed(masked(error.message, to));
    throw new CopyFailed(masked(reason(error), to));
  }
}

async function copy(from: string, to: string, sampleSize: number, batchRows: number, onTable: CopyOptions["onTable"]): Promise<CopyResult> {
  const tables = foreignKeyOrder(mirrorTables());
  // As the app opens it: a file from an older version is migrated first, data migrations included.
  const sqlite = sqliteOf(await openDatabase(from, { dataMigrations: DATA_MIGRATIONS }));
  const target = new pg.Client({ connectionString: to, options: "-c TimeZone=UTC", application_name: "hindsight db:copy" });
  // A connection lost mid-copy fails the statement running on it; unheard, its event would end the process.
  target.on("error", () => {});
  let begun = false;
  try {
    checkSameTables(sqlite, tables);
    await target.connect().catch((error: unknown) => {
      throw new CopyFailed(`Cannot connect to ${describeTarget(to)}: ${reason(error)}`);
    });
    // Held to the end: an instance starting meanwhile waits instead of opening a half-copied database.
    await target.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle(target), { migrationsFolder });

    // One read transaction on SQLite (a consistent snapshot, even if a server still writes to
    // the file) and one write transaction on PostgreSQL: all or nothing.
    sqlite.exec("begin");
    await target.query("begin");
    begun = true;
    const nonEmpty = await firstWithRows(target, tables);
    if (nonEmpty) throw new CopyFailed(`The PostgreSQL database is not empty: ${nonEmpty} has rows. db:copy only fills an empty database.`);
    for (const name of Object.keys(REPLACED)) await target.query(`delete from ${quote(name)}`);

    const copied: CopyResult["tables"] = [];
    for (const table of tables) {
      const rows = await copyTable(sqlite, target, table, batchRows);
      copied.push({ name: table.name, rows });
      onTable?.(table.name, rows);
    }
    // The data migrations' record, so that the app neither runs again nor skips a step on the copy.
    const dataMigrations: TableSpec = { name: DATA_MIGRATIONS_TABLE, columns: [{ name: "name", kind: "text" }, { name: "ran_at", kind: "text" }], key: ["name"], selfReferences: [], parents: new Set() };
    await target.query(`create table if not exists ${quote(DATA_MIGRATIONS_TABLE)} (name text primary key not null, ran_at text not null)`);
    await target.query(`delete from ${quote(DATA_MIGRATIONS_TABLE)}`);
    copied.push({ name: DATA_MIGRATIONS_TABLE, rows: await copyTable(sqlite, target, dataMigrations, batchRows) });
    await restartSequences(target);

    // Verified before the commit: any difference rolls everything back.
    let sampled = 0;
    for (const table of [...tables, dataMigrations]) {
      const expected = sqlite.prepare(`select count(*) from ${quote(table.name)}`).pluck().get() as number;
      const { rows } = await target.query({ text: `select count(*) as n from ${quote(table.name)}`, types: valueTypes } as pg.QueryConfig);
      if (rows[0].n !== expected) throw new CopyFailed(`Verification failed: ${table.name} has ${expected} rows on SQLite, ${rows[0].n} on PostgreSQL.`);
      sampled += await compareSample(sqlite, target, table, sampleSize);
    }
    const searchEntries = sqlite.prepare("select count(*) from search_index").pluck().get() as number;
    const { rows } = await target.query({ text: "select count(*) as n from search_index", types: valueTypes } as pg.QueryConfig);
    if (rows[0].n !== searchEntries) throw new CopyFailed(`Verification failed: the search index has ${searchEntries} entries on SQLite, ${rows[0].n} on PostgreSQL.`);

    await target.query("commit");
    // Statistics for the planner at once, rather than when autovacuum first gets to each table.
    await target.query("analyze");
    return { tables: copied, searchEntries, sampled };
  } catch (error) {
    if (begun) await target.query("rollback").catch(() => {});
    throw error;
  } finally {
    await target.end().catch(() => {});
    if (sqlite.inTransaction) sqlite.exec("rollback");
    sqlite.close();
  }
}
