import pg from "pg";
import { inject, onTestFinished, vi } from "vitest";
import { closeDatabase, db, engine, observeStatements, openDatabase, sqliteOf, useDatabase, type Db } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { startSession } from "~/lib/session.server";
import { TEMPLATE_DATABASE } from "../postgres/vitest-setup";

/**
 * A fresh database for one test, migrated as the app migrates one: in memory on SQLite; on
 * PostgreSQL a database of its own on the run's cluster, copied from the migrated template, the
 * previous test's closed and dropped.
 */
export async function freshDatabase(): Promise<Db> {
  if (engine === "sqlite") return useDatabase(await openDatabase(":memory:", { dataMigrations: DATA_MIGRATIONS }));
  const admin = await administrator();
  if (previous) {
    const { name, database } = previous;
    previous = undefined;
    await closeDatabase(database);
    await admin.query(`drop database if exists "${name}" with (force)`);
  }
  const name = `test_${process.pid}_${++made}`;
  await admin.query(`create database "${name}" template "${TEMPLATE_DATABASE}"`);
  const url = new URL(inject("postgresAdminUrl"));
  url.pathname = `/${name}`;
  previous = { name, url: url.toString(), database: useDatabase(await openDatabase(url.toString(), { dataMigrations: DATA_MIGRATIONS })) };
  return previous.database;
}

let made = 0;
let previous: { name: string; url: string; database: Db } | undefined;
let admin: pg.Client | undefined;

/** One connection per test process to the cluster's administrative database, for making and dropping. */
async function administrator(): Promise<pg.Client> {
  if (!admin) {
    admin = new pg.Client({ connectionString: inject("postgresAdminUrl") });
    await admin.connect();
  }
  return admin;
}

/** The environment that points another process (a command-line job) at this test's database. */
export function databaseEnvironment(sqliteFile: string): Record<string, string> {
  if (engine === "sqlite") return { DATABASE_PATH: sqliteFile };
  if (!previous) throw new Error("freshDatabase() first");
  return { DATABASE_URL: previous.url };
}

/** The error a call throws or its promise rejects with; fails the test when there is none. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

export type RecordedQuery = { sql: string; params: unknown[] };

/** Every statement run against the database while `fn` runs, with its parameters. */
export async function recordQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: RecordedQuery[] }> {
  const queries: RecordedQuery[] = [];
  const stop = observeStatements(db(), (sql, params) => queries.push({ sql, params }));
  try {
    return { result: await fn(), queries };
  } finally {
    stop();
  }
}

/**
 * SQLite's plan for a recorded statement, one line per step ("SEARCH whys USING INDEX …"). Plans
 * are checked on SQLite: PostgreSQL plans from statistics, and for a test's few rows a
 * sequential scan is its right choice, so its plans say nothing of a large table's.
 */
export function queryPlan(query: RecordedQuery): string[] {
  if (engine === "postgres") return [];
  return sqliteOf(db())
    .prepare(`explain query plan ${query.sql}`)
    .all(...query.params)
    .map((row) => (row as { detail: string }).detail);
}

const LARGE_TABLES = ["incidents", "whys", "actions"];
const NOT_ALIASES = new Set(["where", "on", "join", "left", "inner", "cross", "group", "order", "limit", "using", "set", "values", "natural", "indexed", "not"]);

/**
 * The steps of a statement's plan that read a whole large table (incidents, whys or actions,
 * under their own names or an alias): the ones a list must never take. Walking an index in
 * order ("SCAN incidents USING INDEX …") is allowed: with a LIMIT it stops early.
 */
export function fullScans(query: RecordedQuery): string[] {
  const names = new Set(LARGE_TABLES);
  for (const [, , alias] of query.sql.matchAll(/\b"?(incidents|whys|actions)"?\s+(?:as\s+)?"?([a-z_]\w*)"?/gi)) {
    if (!NOT_ALIASES.has(alias.toLowerCase())) names.add(alias);
  }
  return queryPlan(query).filter((line) => {
    const scan = /^SCAN (\w+)(?: AS \w+)?$/.exec(line) ?? /^SCAN \w+ AS (\w+)$/.exec(line);
    return scan !== null && names.has(scan[1]);
  });
}

/** A cookie for a fresh session of this user, as signing in would set it. */
export async function sessionCookie(userId: number): Promise<string> {
  const response = await startSession(new Request("http://localhost/signin"), userId, { method: "password", address: "127.0.0.1" }, "/");
  return response.headers.getSetCookie().find((c) => c.startsWith("hs_session="))!.split(";")[0];
}

/**
 * Stops the clock (Date only: timers still run) until the test ends. Rate limits count in fixed
 * windows (app/models/rate.server.ts): a test that counts up to a limit must not straddle two,
 * however slowly it runs.
 */
export function stopTheClock(at: Date = new Date()): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
  onTestFinished(() => void vi.useRealTimers());
}
