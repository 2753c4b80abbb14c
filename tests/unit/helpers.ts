import { db, observeStatements, openDatabase, sqliteOf, useDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { startSession } from "~/lib/session.server";

/** A fresh in-memory database for one test, migrated as the app migrates one. */
export async function freshDatabase() {
  return useDatabase(await openDatabase(":memory:", { dataMigrations: DATA_MIGRATIONS }));
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

/** SQLite's plan for a recorded statement, one line per step ("SEARCH whys USING INDEX …"). */
export function queryPlan(query: RecordedQuery): string[] {
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
