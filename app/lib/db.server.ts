import path from "node:path";
import { sql, type SQL } from "drizzle-orm";
import * as sqliteSchema from "../../db/schema";
import * as postgresSchema from "../../db/schema.pg";
import { DatabaseBusy, LOCK_WAIT_MS, type Db, type Engine, type Tx } from "./db-port.server";
import { openPostgres, poolOf, postgresEngine } from "./db-postgres.server";
import { openSqlite, sqliteEngine, sqliteOf } from "./db-sqlite.server";
import { env } from "./env.server";

/**
 * The data port: the models' one way to the database, on either engine. The embedded SQLite file
 * is the default; DATABASE_URL=postgres://… selects PostgreSQL, for several instances on one
 * database. The engine is chosen once, as the process starts: the models take their tables
 * from `schema` as they load. docs/decisions/0033-two-engines-one-set-of-models.md
 */
export { DatabaseBusy, LOCK_WAIT_MS, poolOf, sqliteOf, type Db, type Tx };

/** Whether a database address names PostgreSQL rather than a SQLite file. */
export function isPostgresUrl(address: string): boolean {
  return /^postgres(ql)?:\/\//i.test(address);
}

const port: Engine = process.env.DATABASE_URL ? postgresEngine : sqliteEngine;

/** The engine this process runs on. */
export const engine = port.name;

/**
 * The tables, as the models use them: the PostgreSQL mirror (db/schema.pg.ts) holds the same
 * names and row types as db/schema.ts, which gives them their types.
 */
const schema = (engine === "postgres" ? postgresSchema : sqliteSchema) as typeof sqliteSchema;

/**
 * Runs `announce` once the current transaction has committed, or at once outside one: what a
 * change tells others (the live event bus) must never tell of a change that is rolled back.
 */
export function afterCommit(announce: () => void): void {
  port.afterCommit(announce);
}

/**
 * A value that differs once any change to the database has been committed, by any process: what
 * was read from the database under one value is still true while the value stays the same.
 */
export function changeVersion(handle: Tx = db()): Promise<string> {
  return port.changeVersion(handle);
}

/**
 * Rows of a hand-written statement, as objects named by its columns. drizzle's own `all(sql)`
 * gives arrays on its asynchronous driver; queries written in SQL (the named query modules) use
 * these instead.
 */
export function rowsOf<T>(handle: Tx, query: SQL): Promise<T[]> {
  return port.rowsOf<T>(handle, query);
}

/** The first row of a hand-written statement, or undefined. */
export function rowOf<T>(handle: Tx, query: SQL): Promise<T | undefined> {
  return port.rowOf<T>(handle, query);
}

/** Runs a hand-written statement that returns no rows; how many rows it changed. */
export function execute(handle: Tx, query: SQL): Promise<number> {
  return port.execute(handle, query);
}

/** Watches every statement the database runs until the returned function is called (tests). */
export function observeStatements(handle: Tx, observer: (sql: string, params: unknown[]) => void): () => void {
  return port.observe(handle, observer);
}

/** Closes a database's connections. */
export function closeDatabase(handle: Db): Promise<void> {
  return port.close(handle);
}

/**
 * A step of a data migration: stored data computed with the app's own code (a model), which SQL
 * migrations cannot call. Each step runs once per database, after the SQL migrations, in a
 * transaction that records it; it must leave correct data whatever earlier code did (a database
 * made by an older version may hold the data already). The steps are in
 * app/models/data-migrations.server.ts; docs/decisions/0013-data-migrations-run-by-the-app.md.
 */
export type DataMigration = { name: string; run: (tx: Tx) => Promise<void> };

/** The steps that have run, by name; kept beside drizzle's own __drizzle_migrations. */
const DATA_MIGRATIONS_TABLE = "__data_migrations";

/** Runs the steps this database has not run yet, in order; returns the names of those it ran. */
export async function runDataMigrations(database: Db, steps: readonly DataMigration[]): Promise<string[]> {
  const table = sql.identifier(DATA_MIGRATIONS_TABLE);
  const isNew = engine === "postgres" && (await rowOf<{ found: string | null }>(database, sql`select to_regclass(${DATA_MIGRATIONS_TABLE}) as found`))?.found === null;
  await execute(database, sql`create table if not exists ${table} (name text primary key not null, ran_at text not null)`);
  if (isNew) {
    // A PostgreSQL database begins empty, under today's schema: no step has anything to compute,
    // so each is recorded as done. (An installation moved up from SQLite by db:copy brings its own
    // record.) Steps are therefore written for SQLite's older data only.
    const now = new Date().toISOString();
    for (const step of steps) await execute(database, sql`insert into ${table} (name, ran_at) values (${step.name}, ${now}) on conflict do nothing`);
    return [];
  }
  const ran: string[] = [];
  for (const step of steps) {
    // Immediate: another process opening the same file at the same moment waits, then finds it done.
    await database.transaction(async (tx) => {
      if (await rowOf(tx, sql`select 1 from ${table} where name = ${step.name}`)) return;
      await step.run(tx);
      await execute(tx, sql`insert into ${table} (name, ran_at) values (${step.name}, ${new Date().toISOString()})`);
      ran.push(step.name);
    });
  }
  return ran;
}

/**
 * Opens a database and brings it up to date: the SQL migrations of its engine (db/migrations,
 * db/migrations-pg), then the data migrations given. `address` is a SQLite file (or ":memory:")
 * or, on PostgreSQL, a postgres:// URL. The SQL migrations are plain SQL: they call no app code.
 */
export async function openDatabase(address: string, options: { dataMigrations?: readonly DataMigration[] } = {}): Promise<Db> {
  if (isPostgresUrl(address) !== (engine === "postgres")) {
    throw new Error(`This process runs on ${engine === "postgres" ? "PostgreSQL (DATABASE_URL)" : "SQLite"}: it cannot open ${engine === "postgres" ? "a SQLite file" : "a PostgreSQL database"}.`);
  }
  const database = engine === "postgres" ? await openPostgres(address, env().DATABASE_POOL_SIZE) : openSqlite(address);
  await runDataMigrations(database, options.dataMigrations ?? []);
  return database;
}

let current: Db | undefined;
let opening: Promise<Db> | undefined;

/**
 * Opens and migrates the application's database (DATABASE_URL, else the file at DATABASE_PATH),
 * with the data migrations given; every entry point (the server, the command-line jobs, the
 * seeds) awaits it before the first db(): this module, the lowest layer, cannot import the models
 * that compute them. A SQLite file is closed when the process exits.
 */
export function openAppDatabase(dataMigrations: readonly DataMigration[]): Promise<Db> {
  const { DATABASE_URL, DATABASE_PATH } = env();
  opening ??= openDatabase(DATABASE_URL ?? DATABASE_PATH, { dataMigrations }).then((opened) => {
    // A clean close checkpoints the write-ahead log into the file and removes it.
    if (engine === "sqlite") process.once("exit", () => sqliteOf(opened).open && sqliteOf(opened).close());
    return (current = opened);
  });
  return opening;
}

/** Where the application's data is, for messages: the SQLite file, or PostgreSQL's host and database (never its password). */
export function appDatabaseName(): string {
  const { DATABASE_URL, DATABASE_PATH } = env();
  if (!DATABASE_URL) return DATABASE_PATH === ":memory:" ? DATABASE_PATH : path.resolve(DATABASE_PATH);
  const url = new URL(DATABASE_URL);
  return `PostgreSQL ${url.host}${url.pathname}`;
}

/** The application's database; openAppDatabase (or useDatabase) comes first. */
export function db(): Db {
  if (!current) throw new Error("The database is not open yet: openAppDatabase() comes first.");
  return current;
}

/** Points the models at another database (tests use a fresh one per case). */
export function useDatabase(next: Db): Db {
  current = next;
  return next;
}

const statements = new WeakMap<Db, Map<object, unknown>>();

/**
 * A query built once per database, for the statements pages run on every view: building the
 * SQL costs more than running it. `build` returns drizzle's `.prepare()` of a query whose values
 * are `sql.placeholder(…)`s, given at each call.
 */
export function prepared<T>(build: (db: Db) => T): () => T {
  const key = {};
  return () => {
    const database = db();
    let cache = statements.get(database);
    if (!cache) statements.set(database, (cache = new Map()));
    if (!cache.has(key)) cache.set(key, build(database));
    return cache.get(key) as T;
  };
}

export { schema };
