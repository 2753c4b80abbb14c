// What a server stored, read beside it by the specs, on the engine the run uses: the SQLite file
// of the server's data folder, or, when the run has a PostgreSQL cluster (E2E_DATABASE_URL, set by
// tests/postgres/e2e.ts), a database of the server's own on it. Statements are written once, with
// `?` for values, in SQL both engines read.
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createDatabase } from "../postgres/cluster";

/** The cluster's administrator's URL when the run is on PostgreSQL. */
const CLUSTER = process.env.E2E_DATABASE_URL;
export const E2E_ENGINE: "sqlite" | "postgres" = CLUSTER ? "postgres" : "sqlite";

export type Stored = {
  all<T>(statement: string, ...values: unknown[]): Promise<T[]>;
  get<T>(statement: string, ...values: unknown[]): Promise<T | undefined>;
  /** The first column of the first row. */
  value<T>(statement: string, ...values: unknown[]): Promise<T>;
  run(statement: string, ...values: unknown[]): Promise<void>;
  /**
   * Something that differs once anything was written: SQLite's data version (it moves when another
   * connection commits); on PostgreSQL a digest of every table's rows.
   */
  fingerprint(): Promise<string>;
  /** Whether the store is whole: SQLite's integrity check; on PostgreSQL, every table reads. */
  intact(): Promise<boolean>;
  close(): Promise<void>;
};

/** The database a server on `dataDir` uses: its environment, and how to open it to look. */
export type ServerDatabase = { env: Record<string, string>; open(): Promise<Stored> };

/** A database of the data folder's own, made now on PostgreSQL (named after the folder). */
export async function databaseFor(dataDir: string): Promise<ServerDatabase> {
  if (!CLUSTER) {
    const file = path.join(dataDir, "hindsight.db");
    return { env: { DATABASE_PATH: file }, open: async () => sqliteStore(file) };
  }
  const name = `e2e_${path.basename(dataDir).replace(/\W/g, "_").toLowerCase()}`;
  const url = await createDatabase(CLUSTER, name);
  return { env: { DATABASE_URL: url, SESSION_SECRET: "e2e-test-session-secret-on-postgresql-0123456789" }, open: async () => postgresStore(url) };
}

function sqliteStore(file: string): Stored {
  const sqlite = new Database(file);
  return {
    all: async <T>(statement: string, ...values: unknown[]) => sqlite.prepare(statement).all(...values) as T[],
    get: async <T>(statement: string, ...values: unknown[]) => sqlite.prepare(statement).get(...values) as T | undefined,
    value: async <T>(statement: string, ...values: unknown[]) => sqlite.prepare(statement).pluck().get(...values) as T,
    run: async (statement: string, ...values: unknown[]) => void sqlite.prepare(statement).run(...values),
    fingerprint: async () => String(sqlite.pragma("data_version", { simple: true })),
    intact: async () => sqlite.pragma("integrity_check", { simple: true }) === "ok",
    close: async () => void sqlite.close(),
  };
}

/** `?` placeholders as PostgreSQL's numbered ones (the specs' statements hold no `?` in text). */
const numbered = (statement: string) => {
  let n = 0;
  return statement.replace(/\?/g, () => `$${++n}`);
};

async function postgresStore(url: string): Promise<Stored> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Numbers as numbers and times as the ISO text the specs compare, as the app reads them.
  const types = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === 20 || oid === 1700 ? Number : oid === 1184 ? (v: string) => new Date(v).toISOString() : oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const query = (statement: string, values: unknown[], rowMode?: "array") =>
    client.query({ text: numbered(statement), values, rowMode, types } as pg.QueryConfig);
  return {
    all: async <T>(statement: string, ...values: unknown[]) => (await query(statement, values)).rows as T[],
    get: async <T>(statement: string, ...values: unknown[]) => (await query(statement, values)).rows[0] as T | undefined,
    value: async <T>(statement: string, ...values: unknown[]) => ((await query(statement, values, "array")).rows[0] as unknown[] | undefined)?.[0] as T,
    run: async (statement: string, ...values: unknown[]) => void (await query(statement, values)),
    fingerprint: async () => {
      const tables = (await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by tablename")).rows;
      const digests = tables.map(({ name }) => `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from "${name}" t`);
      return (await client.query({ text: digests.join(" union all "), rowMode: "array" })).rows.map((row: unknown[]) => row[0]).join("");
    },
    intact: async () => {
      // PostgreSQL recovers from its write-ahead log after a crash; what is checked is that every
      // table is there and reads to its end.
      const tables = (await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")).rows;
      for (const { name } of tables) await client.query(`select count(*) from "${name}"`);
      return tables.length > 0;
    },
    close: () => client.end(),
  };
}

/** The database name of the suite's own server on PostgreSQL (tests/e2e/start-server.js makes it). */
export const MAIN_DATABASE = "e2e_main";

/** What the suite's own server stored (its data folder is tests/e2e/.data). */
export async function openMainStore(testDir: string): Promise<Stored> {
  if (!CLUSTER) return sqliteStore(path.join(testDir, ".data", "hindsight.db"));
  const url = new URL(CLUSTER);
  url.pathname = `/${MAIN_DATABASE}`;
  return await postgresStore(url.toString());
}
