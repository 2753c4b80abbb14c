import { db, openDatabase, useDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { startSession } from "~/lib/session.server";

/** A fresh in-memory database for one test, migrated as the app migrates one. */
export function freshDatabase() {
  return useDatabase(openDatabase(":memory:", { dataMigrations: DATA_MIGRATIONS }));
}

/** The error a call throws; fails the test when it throws nothing. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

export type RecordedQuery = { sql: string; params: unknown[] };

/**
 * Every statement run against the database while `fn` runs, with its parameters: statements
 * prepared through drizzle, through `$client.prepare`, and ones prepared earlier and kept.
 */
export function recordQueries<T>(fn: () => T): { result: T; queries: RecordedQuery[] } {
  const recording = startRecording();
  try {
    return { result: fn(), queries: recording.queries };
  } finally {
    recording.stop();
  }
}

/** recordQueries for an async call, such as a route's loader. */
export async function recordQueriesOf<T>(fn: () => Promise<T>): Promise<{ result: T; queries: RecordedQuery[] }> {
  const recording = startRecording();
  try {
    return { result: await fn(), queries: recording.queries };
  } finally {
    recording.stop();
  }
}

function startRecording() {
  const queries: RecordedQuery[] = [];
  const statement = Object.getPrototypeOf(db().$client.prepare("select 1")) as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const method of ["all", "get", "run", "iterate"]) {
    const original = statement[method];
    originals.set(method, original);
    statement[method] = function (this: { source: string }, ...params: unknown[]) {
      queries.push({ sql: this.source, params });
      return original.apply(this, params);
    };
  }
  return {
    queries,
    stop: () => originals.forEach((original, method) => (statement[method] = original)),
  };
}

/** SQLite's plan for a recorded statement, one line per step ("SEARCH whys USING INDEX …"). */
export function queryPlan(query: RecordedQuery): string[] {
  return db()
    .$client.prepare(`explain query plan ${query.sql}`)
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
  const response = await startSession(new Request("http://localhost/signin"), userId, "/");
  return response.headers.getSetCookie().find((c) => c.startsWith("hs_session="))!.split(";")[0];
}
