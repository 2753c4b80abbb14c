import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "../../db/schema";
import { env } from "./env.server";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A transaction handle or the database itself: models accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

// Resolved from the project root, not from this file: the server code is bundled into build/.
const migrationsFolder = path.resolve(process.cwd(), "db/migrations");

/**
 * A step of a data migration: stored data computed with the app's own code (a model), which SQL
 * migrations cannot call. Each step runs once per database, after the SQL migrations, in a
 * transaction that records it; it must leave correct data whatever earlier code did (a database
 * made by an older version may hold the data already). The steps are in
 * app/models/data-migrations.server.ts; docs/decisions/0013-data-migrations-run-by-the-app.md.
 */
export type DataMigration = { name: string; run: (tx: Tx) => void };

/** The steps that have run, by name; kept beside drizzle's own __drizzle_migrations. */
const DATA_MIGRATIONS_TABLE = "__data_migrations";

/** Runs the steps this database has not run yet, in order; returns the names of those it ran. */
export function runDataMigrations(database: Db, steps: readonly DataMigration[]): string[] {
  database.$client.exec(`CREATE TABLE IF NOT EXISTS ${DATA_MIGRATIONS_TABLE} (name text PRIMARY KEY NOT NULL, ran_at text NOT NULL)`);
  const done = database.$client.prepare(`SELECT 1 FROM ${DATA_MIGRATIONS_TABLE} WHERE name = ?`);
  const record = database.$client.prepare(`INSERT INTO ${DATA_MIGRATIONS_TABLE} (name, ran_at) VALUES (?, ?)`);
  const ran: string[] = [];
  for (const step of steps) {
    // Immediate: another process opening the same file at the same moment waits, then finds it done.
    database.transaction(
      (tx) => {
        if (done.get(step.name)) return;
        step.run(tx);
        record.run(step.name, new Date().toISOString());
        ran.push(step.name);
      },
      { behavior: "immediate" },
    );
  }
  return ran;
}

/**
 * Opens a database file and brings it up to date: the SQL migrations (db/migrations), then the
 * data migrations given. The SQL migrations are plain SQL: they call no app code.
 */
export function openDatabase(file: string, options: { dataMigrations?: readonly DataMigration[] } = {}): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  runDataMigrations(db, options.dataMigrations ?? []);
  return db;
}

let appDataMigrations: readonly DataMigration[] | undefined;

/**
 * The data migrations db() runs when it opens the application's database. Every entry point
 * (the server, the command-line jobs, the seeds) gives them before the first db(): this module,
 * the lowest layer, cannot import the models that compute them.
 */
export function setDataMigrations(steps: readonly DataMigration[]) {
  appDataMigrations = steps;
}

let current: Db | undefined;

/** The application's database, opened and migrated on first use; closed when the process exits. */
export function db(): Db {
  if (!current) {
    if (!appDataMigrations) throw new Error("The data migrations were not given (setDataMigrations) before the database was opened.");
    const opened = openDatabase(env().DATABASE_PATH, { dataMigrations: appDataMigrations });
    // A clean close checkpoints the write-ahead log into the file and removes it.
    process.once("exit", () => opened.$client.open && opened.$client.close());
    current = opened;
  }
  return current;
}

/** Points the models at another database (tests use a fresh in-memory one per case). */
export function useDatabase(next: Db): Db {
  current = next;
  return next;
}

const statements = new WeakMap<Db, Map<object, unknown>>();

/**
 * A query built and compiled once per database, for the statements pages run on every view:
 * building the SQL and compiling it cost more than running it. `build` returns drizzle's
 * `.prepare()` of a query whose values are `sql.placeholder(…)`s, given at each call.
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
