// What a server stored, read beside it by the specs, on the engine the run uses: the SQLite file
// of the server's data folder, or, when the run has a PostgreSQL cluster (E2E_DATABASE_URL, set by
// tests/postgres/e2e.ts), a database of the server's own on it. Statements are written once, with
// `?` for values, in SQL both engines read.
import crypto from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createDatabase } from "../postgres/cluster";

/** The cluster's administrator's URL when the run is on PostgreSQL. */
const CLUSTER = process.env.E2E_DATABASE_URL;
export const E2E_ENGINE: "sqlite" | "postgres" = CLUSTER ? "postgres" : "sqlite";

/**
 * What a text the app was given is stored as on the run's engine: PostgreSQL's text cannot hold the
 * NUL character, so its data port writes U+FFFD in its place (`storable`, app/lib/db-postgres.server.ts).
 */
export const storedText = (text: string): string => (E2E_ENGINE === "postgres" ? text.replaceAll("\0", "\uFFFD") : text);

export type Stored = {
  all<T>(statement: string, ...values: unknown[]): Promise<T[]>;
  get<T>(statement: string, ...values: unknown[]): Promise<T | undefined>;
  /** The first column of the first row. */
  value<T>(statement: string, ...values: unknown[]): Promise<T>;
  run(statement: string, ...values: unknown[]): Promise<void>;
  /**
   * Something that differs once anything was written: a digest of every table's rows, the rate
   * limits' counts and the search index aside. Every attempt at a limited request is counted,
   * refused or not, by design (app/models/rate.server.ts); the search index follows the tables it
   * indexes.
   */
  fingerprint(): Promise<string>;
  /**
   * Every text and JSON column of the app's tables (the search index and the migrations' records
   * aside), for a spec to read all the text the app stored: `cast(column as text)` reads each on
   * both engines.
   */
  textColumns(): Promise<{ table: string; column: string }[]>;
  /** Whether the store is whole: SQLite's integrity check; on PostgreSQL, every table reads. */
  intact(): Promise<boolean>;
  /**
   * Holds back every write, as another process in the middle of a long write would, until the
   * returned function is called; reads go on. SQLite: the file's write lock. PostgreSQL: every
   * table locked against writers.
   */
  holdWrites(): Promise<() => Promise<void>>;
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
  // DATABASE_PATH still names the data folder: the outbox of a server without SMTP writes its emails there.
  const env = { DATABASE_URL: url, DATABASE_PATH: path.join(dataDir, "hindsight.db"), SESSION_SECRET: "e2e-test-session-secret-on-postgresql-0123456789" };
  return { env, open: async () => postgresStore(url) };
}

function sqliteStore(file: string): Stored {
  const sqlite = new Database(file);
  let last: { version: number; digest: string } | undefined;
  return {
    all: async <T>(statement: string, ...values: unknown[]) => sqlite.prepare(statement).all(...values) as T[],
    get: async <T>(statement: string, ...values: unknown[]) => sqlite.prepare(statement).get(...values) as T | undefined,
    value: async <T>(statement: string, ...values: unknown[]) => sqlite.prepare(statement).pluck().get(...values) as T,
    run: async (statement: string, ...values: unknown[]) => void sqlite.prepare(statement).run(...values),
    fingerprint: async () => {
      // SQLite's data version moves when another connection commits: while it stands still, the
      // digest last taken still holds.
      const version = sqlite.pragma("data_version", { simple: true }) as number;
      if (last?.version === version) return last.digest;
      const digest = crypto.createHash("sha256");
      const tables = sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and ${fingerprinted("name")} order by name`).pluck().all() as string[];
      for (const name of tables) {
        digest.update(`${name}\n`);
        for (const row of sqlite.prepare(`select * from "${name}"`).raw().iterate()) digest.update(`${JSON.stringify(row)}\n`);
      }
      last = { version, digest: digest.digest("hex") };
      return last.digest;
    },
    textColumns: async () =>
      sqlite
        .prepare(
          `select m.name as "table", c.name as "column" from sqlite_master m join pragma_table_info(m.name) c
           where m.type = 'table' and m.name not like 'sqlite_%' and ${appText("m.name")} and (c.type like '%text%' or c.type like '%json%' or c.type = '')
           order by m.name, c.cid`,
        )
        .all() as { table: string; column: string }[],
    intact: async () => sqlite.pragma("integrity_check", { simple: true }) === "ok",
    holdWrites: async () => {
      sqlite.prepare("begin immediate").run();
      return async () => void sqlite.prepare("commit").run();
    },
    close: async () => void sqlite.close(),
  };
}

/** The tables a fingerprint leaves out: a condition on the column of table names, in SQL both engines read. */
const fingerprinted = (name: string) => `${name} <> 'rate_counts' and ${name} not like 'search\\_index%' escape '\\'`;
/** The tables whose text is not the app's own (its search index, the migrations' records). */
const appText = (name: string) => `${name} not like 'search\\_index%' escape '\\' and ${name} not like '\\_\\_%' escape '\\'`;

/** `?` placeholders as PostgreSQL's numbered ones (the specs' statements hold no `?` in text). */
const numbered = (statement: string) => {
  let n = 0;
  return statement.replace(/\?/g, () => `$${++n}`);
};

async function postgresStore(url: string): Promise<Stored> {
  const client = new pg.Client({ connectionString: url });
  // A connection ended from the server's side fails the next read; unheard, it would throw here.
  client.on("error", () => {});
  await client.connect();
  /** The statement that digests every table (the tables are there once the server has started). */
  let digests: string | undefined;
  let last: { snapshot: string; digest: string } | undefined;
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
      // The current snapshot names the transactions committed so far, cluster-wide: while it stands
      // still, nothing was written and the digest last taken still holds.
      const snapshot = (await client.query<{ snapshot: string }>("select pg_current_snapshot()::text as snapshot")).rows[0].snapshot;
      if (last?.snapshot === snapshot) return last.digest;
      if (!digests) {
        const tables = (await client.query<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public' and ${fingerprinted("tablename")} order by tablename`)).rows;
        digests = tables.map(({ name }) => `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from "${name}" t`).join(" union all ");
      }
      const rows = (await client.query({ name: "fingerprint", text: digests, rowMode: "array" })).rows as unknown[][];
      last = { snapshot, digest: rows.map((row) => row[0]).join("") };
      return last.digest;
    },
    textColumns: async () =>
      (
        await client.query<{ table: string; column: string }>(
          `select c.table_name as "table", c.column_name as "column" from information_schema.columns c
           join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
           where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and ${appText("c.table_name")}
             and c.data_type in ('text', 'json', 'jsonb', 'character varying')
           order by c.table_name, c.ordinal_position`,
        )
      ).rows,
    intact: async () => {
      // PostgreSQL recovers from its write-ahead log after a crash; what is checked is that every
      // table is there and reads to its end.
      const tables = (await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")).rows;
      for (const { name } of tables) await client.query(`select count(*) from "${name}"`);
      return tables.length > 0;
    },
    holdWrites: async () => {
      const tables = (await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")).rows;
      await client.query("begin");
      await client.query(`lock table ${tables.map(({ name }) => `"${name}"`).join(", ")} in exclusive mode`);
      return async () => void (await client.query("commit"));
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
