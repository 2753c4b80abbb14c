import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "../../db/schema";
import { learningContentJson } from "../models/learning.server";
import { parsePeriod, periodProblem } from "./period";
import { env } from "./env.server";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A transaction handle or the database itself: models accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

// Resolved from the project root, not from this file: the server code is bundled into build/.
const migrationsFolder = path.resolve(process.cwd(), "db/migrations");

export function openDatabase(file: string): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // For migrations that derive stored data with the app's own code (0009_learnings.sql).
  sqlite.function("learning_content", { deterministic: true }, (snapshot) => learningContentJson(String(snapshot)));
  // For 0012_digest_sequence.sql: when a weekly digest's week ("2026-W48") ended in the time zone.
  sqlite.function("iso_week_end", { deterministic: true }, (key, timeZone) => {
    try {
      return periodProblem(String(key)) ? null : parsePeriod(String(key), String(timeZone)).end;
    } catch {
      return null;
    }
  });
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

let current: Db | undefined;

/** The application's database, opened and migrated on first use; closed when the process exits. */
export function db(): Db {
  if (!current) {
    const opened = openDatabase(env().DATABASE_PATH);
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
