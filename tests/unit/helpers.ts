import pg from "pg";
import { afterAll, inject, onTestFinished, vi } from "vitest";
import { closeDatabase, db, engine, observeStatements, openDatabase, sqliteOf, useDatabase, type Db } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { startSession } from "~/lib/session.server";
import { TEMPLATE_DATABASE } from "../postgres/vitest-setup";

/**
 * A fresh database for one test, migrated as the app migrates one: in memory on SQLite; on
 * PostgreSQL this test process's own database, copied once from the migrated template and put
 * back to the template's state before each test (the previous test's connections closed).
 * Copying a database costs 200–450 ms; putting one back, a few.
 */
export async function freshDatabase(): Promise<Db> {
  if (engine === "sqlite") return useDatabase(await openDatabase(":memory:", { dataMigrations: DATA_MIGRATIONS }));
  const own = await ownDatabase();
  if (current) await closeDatabase(current);
  await own.putBack();
  current = useDatabase(await openDatabase(own.url, { dataMigrations: DATA_MIGRATIONS }));
  return current;
}

let current: Db | undefined;
let own: Promise<OwnDatabase> | undefined;
let ownUrl: string | undefined;

type OwnDatabase = { url: string; putBack(): Promise<void>; drop(): Promise<void> };

// A test file runs in a process of its own: its database goes with it.
afterAll(async () => {
  if (current) await closeDatabase(current);
  current = undefined;
  await (await own)?.drop();
  own = undefined;
  ownUrl = undefined;
});

function ownDatabase(): Promise<OwnDatabase> {
  own ??= makeOwnDatabase();
  return own;
}

/**
 * This process's database, and how to put it back as the template left it: any other connection
 * to it ended (a job a test started), tables a test made dropped, every row deleted (no trigger
 * fires: the search index is a table like the others), the rows the migrations seed put back, and
 * every sequence restarted, so that ids begin at 1 again.
 */
async function makeOwnDatabase(): Promise<OwnDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `test_${process.pid}`;
  // One a process of the same number left behind (it never reached afterAll) goes first.
  await administer(adminUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  await administer(adminUrl, `create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(TEMPLATE_DATABASE)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  ownUrl = url.toString();
  const client = new pg.Client({ connectionString: url.toString() });
  client.on("error", (error) => console.error("The test database's own connection failed:", error));
  await client.connect();

  const tables = (await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")).rows.map((row) => row.name);
  const seeded: string[] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ rows: unknown }>(`select coalesce(json_agg(t), '[]'::json)::text as rows from ${pg.escapeIdentifier(table)} t`);
    if (rows[0].rows === "[]") continue;
    const target = pg.escapeIdentifier(table);
    // Generated columns are computed again, not written.
    const columns = (
      await client.query<{ name: string }>("select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum", [target])
    ).rows.map((row) => pg.escapeIdentifier(row.name));
    seeded.push(`insert into ${target} (${columns.join(", ")}) overriding system value select ${columns.join(", ")} from json_populate_recordset(null::${target}, ${pg.escapeLiteral(String(rows[0].rows))});`);
  }
  // As the template left them: pg_sequences' last_value is null for one never used.
  const sequences = (await client.query<{ name: string; start: string; last: string | null }>("select format('%I.%I', schemaname, sequencename) as name, start_value::text as start, last_value::text as last from pg_sequences where schemaname = 'public'")).rows;
  const statement = [
    "set session_replication_role = replica;",
    ...tables.map((table) => `delete from ${pg.escapeIdentifier(table)};`),
    ...seeded,
    ...sequences.map(({ name, start, last }) => `select setval(${pg.escapeLiteral(name)}, ${last ?? start}, ${last !== null});`),
    "set session_replication_role = default;",
  ].join("\n");
  return {
    url: url.toString(),
    async putBack() {
      // Any other connection to it ended first (a job a test started), and gone before a row is
      // deleted: a job still running must not write into the next test's database.
      await client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
      for (let waited = 0; ; waited += 20) {
        const { rows } = await client.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
        if (rows[0].n === 0) break;
        if (waited > 10_000) throw new Error("Another connection to the test database would not end.");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const made = (await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")).rows.map((row) => row.name).filter((table) => !tables.includes(table));
      if (made.length > 0) await client.query(`drop table ${made.map((table) => pg.escapeIdentifier(table)).join(", ")} cascade`);
      await client.query(statement);
    },
    async drop() {
      await client.end();
      await administer(adminUrl, `drop database ${pg.escapeIdentifier(name)} with (force)`);
    },
  };
}

/** Runs one statement on the cluster's administrative database (making or dropping a database). */
async function administer(adminUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** The environment that points another process (a command-line job) at this test's database. */
export function databaseEnvironment(sqliteFile: string): Record<string, string> {
  if (engine === "sqlite") return { DATABASE_PATH: sqliteFile };
  if (!ownUrl) throw new Error("freshDatabase() first");
  return { DATABASE_URL: ownUrl };
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
