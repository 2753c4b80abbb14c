import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import pg from "pg";
import { type SQL } from "drizzle-orm";
import { drizzle as drizzleForMigrations } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { PgDeleteBase, PgDialect, PgInsertBase, PgSelectBase, PgUpdateBase } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/pg-proxy";
import { PreparedQuery } from "drizzle-orm/pg-proxy/session";
import { DatabaseBusy, LOCK_WAIT_MS, type Db, type Engine, type Tx } from "./db-port.server";

/**
 * The data port on PostgreSQL, for several instances on one database. The models are written
 * once, against the port's type (db-port.server.ts): here drizzle's PostgreSQL dialect runs
 * them through its proxy driver, whose one callback below sends each statement on a pooled
 * node-postgres connection, or on the open transaction's own connection. The port owns how each
 * type is read and which connection runs a statement, as the SQLite port does.
 * docs/decisions/0033-two-engines-one-set-of-models.md
 */

// The models call the asynchronous SQLite driver's ways of running a query: `.all()`, `.get()`
// (the first row or undefined) and `.run()`. drizzle's PostgreSQL builders have `execute()`;
// these three are given to them in its terms, and nothing else is changed. A unit test checks that
// every builder the models use has them (tests/unit/data-port.test.ts).
type Runnable = { execute(values?: Record<string, unknown>): Promise<unknown[]> };
function runLikeSqlite(prototype: object) {
  Object.assign(prototype, {
    all(this: Runnable, values?: Record<string, unknown>) {
      return this.execute(values);
    },
    async get(this: Runnable, values?: Record<string, unknown>) {
      return (await this.execute(values))[0];
    },
    async run(this: Runnable, values?: Record<string, unknown>) {
      await this.execute(values);
    },
  });
}
for (const builder of [PgSelectBase, PgInsertBase, PgUpdateBase, PgDeleteBase, PreparedQuery]) runLikeSqlite(builder.prototype);

/**
 * How values are read: as the models read them from SQLite. Counts and sums (int8, numeric) are
 * numbers, not strings; a timestamp is ISO 8601 text in UTC, "2026-10-06T14:02:00.000Z", which
 * the models compare and sort as text (docs/decisions/0018-text-timestamps.md); a date stays
 * "YYYY-MM-DD"; JSON stays the text the models parse.
 */
const readers: Record<number, (value: string) => unknown> = {
  20: Number, // int8
  1700: Number, // numeric
  1184: (value) => new Date(value).toISOString(), // timestamptz
  1082: (value) => value, // date
  114: (value) => value, // json
  3802: (value) => value, // jsonb
};
export const valueTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => readers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** SQLSTATEs of a transaction that lost to another and may simply run again. */
const TRY_AGAIN = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected
/** SQLSTATEs of a wait that ran out: lock_not_available (lock_timeout), query_canceled. */
const WAITED_TOO_LONG = new Set(["55P03", "57014"]);
/** How often a transaction that keeps losing is run again before the database is called busy. */
const ATTEMPTS = 30;
/** The longest pause before running a losing transaction again: pauses double up to it, at random within. */
const LONGEST_PAUSE_MS = 500;

type Pooled = { pool: pg.Pool; observers: Set<(sql: string, params: unknown[]) => void> };
/** The transaction an asynchronous context runs in: its connection, and what waits for its commit. */
type Open = { pooled: Pooled; client: pg.PoolClient; savepoints: number; committed: (() => void)[] };
const openTransaction = new AsyncLocalStorage<Open>();
const pools = new WeakMap<object, Pooled>();
const dialect = new PgDialect();

function codeOf(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function pooledOf(handle: Tx): Pooled {
  const pooled = pools.get(handle) ?? openTransaction.getStore()?.pooled;
  if (!pooled) throw new Error("Not a handle of an open database.");
  return pooled;
}

/**
 * PostgreSQL's text cannot hold the NUL character, which no one types but a pasted binary or a
 * hostile form can carry; SQLite stores it. It is written as U+FFFD, the character that stands
 * for one that cannot be shown, rather than failing the whole write.
 */
export function storable(value: unknown): unknown {
  return typeof value === "string" && value.includes("\0") ? value.replaceAll("\0", "\uFFFD") : value;
}

/** Runs one statement on the open transaction's connection, or on any pooled one outside a transaction. */
async function run(pooled: Pooled, text: string, params: unknown[], rowMode?: "array"): Promise<pg.QueryResult> {
  const values = params.map(storable);
  for (const observe of pooled.observers) observe(text, values);
  const open = openTransaction.getStore();
  const client = open?.pooled === pooled ? open.client : pooled.pool;
  try {
    return await client.query({ text, values, rowMode, types: valueTypes } as pg.QueryConfig);
  } catch (error) {
    if (WAITED_TOO_LONG.has(codeOf(error) ?? "")) throw new DatabaseBusy();
    throw error;
  }
}

function connect(pool: pg.Pool): Db {
  const pooled: Pooled = { pool, observers: new Set() };
  const database = drizzle(async (text, params, method) => {
    // drizzle maps a select's rows from arrays in column order; other statements' rows as objects.
    const result = await run(pooled, text, params, method === "all" ? "array" : undefined);
    return { rows: result.rows };
  }) as unknown as Db;
  pools.set(database, pooled);

  /** A statement that begins or ends a transaction or savepoint, watched as any other is. */
  const control = (client: pg.PoolClient, text: string) => {
    for (const observe of pooled.observers) observe(text, []);
    return client.query(text);
  };

  // drizzle's proxy driver has no transactions of its own: the port makes them. A body receives the
  // database itself; its statements reach the transaction's connection through openTransaction,
  // whether it calls them on `tx` or on db().
  database.transaction = (async (body: (tx: Tx) => Promise<unknown>) => {
    const here = openTransaction.getStore();
    if (here?.pooled === pooled) {
      const savepoint = `savepoint_${++here.savepoints}`;
      await control(here.client, `savepoint ${savepoint}`);
      try {
        const result = await body(database);
        await control(here.client, `release savepoint ${savepoint}`);
        return result;
      } catch (error) {
        await control(here.client, `rollback to savepoint ${savepoint}`);
        throw error;
      }
    }
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      const open: Open = { pooled, client, savepoints: 0, committed: [] };
      let broken: Error | undefined;
      try {
        // Serializable, as SQLite's single writer is: a transaction that read what another changed
        // before it committed fails with 40001 rather than overwriting it, and is run again here.
        // A body awaits only the database (ADR 0017), so running it again is safe.
        const result = await openTransaction.run(open, async () => {
          await control(client, "begin isolation level serializable");
          try {
            const value = await body(database);
            await control(client, "commit");
            return value;
          } catch (error) {
            await control(client, "rollback").catch((failed: Error) => (broken = failed));
            throw error;
          }
        });
        for (const announce of open.committed) announce();
        return result;
      } catch (error) {
        if (!TRY_AGAIN.has(codeOf(error) ?? "")) throw error;
        if (attempt >= ATTEMPTS) throw new DatabaseBusy(`A transaction lost to others ${ATTEMPTS} times running.`, { cause: error });
        // Many writers on one row: spread their next attempts out, more each time, so they stop colliding.
        await new Promise((wake) => setTimeout(wake, Math.random() * Math.min(LONGEST_PAUSE_MS, 2 ** attempt)));
      } finally {
        client.release(broken);
      }
    }
  }) as Db["transaction"];
  return database;
}

async function rowsOf<T>(handle: Tx, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await run(pooledOf(handle), text, params)).rows as T[];
}

export const postgresEngine: Engine = {
  name: "postgres",
  rowsOf,
  async rowOf<T>(handle: Tx, query: SQL) {
    return (await rowsOf<T>(handle, query))[0];
  },
  async execute(handle, query) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await run(pooledOf(handle), text, params)).rowCount ?? 0;
  },
  afterCommit(announce) {
    const open = openTransaction.getStore();
    if (open) open.committed.push(announce);
    else announce();
  },
  async changeVersion(handle) {
    // The transactions a snapshot sees as committed: two equal snapshots see the same rows, and
    // any transaction that wrote and ended, in any process or outside Hindsight, makes the next
    // one differ (it leaves the list in progress, or moves the upper bound on). Read-only
    // transactions take no transaction id and leave it as it is.
    const { rows } = await run(pooledOf(handle), "select pg_current_snapshot()::text as version", []);
    return String((rows[0] as { version: string }).version);
  },
  observe(handle, observer) {
    const { observers } = pooledOf(handle);
    observers.add(observer);
    return () => observers.delete(observer);
  },
  async close(handle) {
    const pooled = pools.get(handle);
    if (pooled && !pooled.pool.ended) await pooled.pool.end();
  },
};

// Resolved from the project root, not from this file: the server code is bundled into build/.
export const migrationsFolder = path.resolve(process.cwd(), "db/migrations-pg");

/** Every connection's settings: UTC, and waits for a lock bounded as on SQLite. */
const SESSION_OPTIONS = [
  "-c TimeZone=UTC",
  `-c lock_timeout=${LOCK_WAIT_MS}`,
  // A transaction left open by a process that hangs would hold its locks; this ends it.
  `-c idle_in_transaction_session_timeout=${4 * LOCK_WAIT_MS}`,
  // Compiling a query pays only for long analytical ones; the app's are short, and on tables not
  // yet analysed the planner's guesses made short ones compile for hundreds of milliseconds.
  "-c jit=off",
].join(" ");

/**
 * Any number, so that instances starting together migrate one at a time. db:copy holds it for the
 * whole copy (db/copy-to-postgres.ts): an instance starting meanwhile waits, up to its lock timeout,
 * rather than open a database half copied.
 */
export const MIGRATION_LOCK = 0x68_69_6e_64; // "hind"

/**
 * Opens a PostgreSQL database (a postgres:// URL) with a pool of `poolSize` connections, and
 * applies the SQL migrations (db/migrations-pg) first, under an advisory lock: of several
 * instances starting at once, one migrates and the others then find it done.
 */
export async function openPostgres(url: string, poolSize: number): Promise<Db> {
  const client = new pg.Client({ connectionString: url, options: SESSION_OPTIONS });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzleForMigrations(client), { migrationsFolder });
  } finally {
    await client.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: SESSION_OPTIONS, application_name: "hindsight" });
  // An idle connection the server closed (a restart, a failover) is dropped from the pool, which
  // opens another when asked; it is not an error of any request.
  pool.on("error", (error) => console.error(JSON.stringify({ database: "postgres", idleConnectionLost: error.message })));
  return connect(pool);
}

/** The node-postgres pool under a database, for what only PostgreSQL does (its plan, a copy). */
export function poolOf(handle: Tx): pg.Pool {
  return pooledOf(handle).pool;
}
