import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { sql, type SQL } from "drizzle-orm";
import { drizzle as drizzleForMigrations } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import * as schema from "../../db/schema";
import { env } from "./env.server";

/**
 * The data port: the models' one way to the database. Every query is asynchronous, as it must be
 * for a database across a network; on the embedded SQLite file it runs on one better-sqlite3
 * connection through drizzle's asynchronous SQLite driver (`sqlite-proxy`), whose one callback
 * is below. docs/decisions/0017-async-models-on-one-sqlite-connection.md
 */
export type Db = SqliteRemoteDatabase<typeof schema>;
/** A transaction handle or the database itself: models accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

/** How many compiled statements a connection keeps; past it the cache starts over. */
const STATEMENT_CACHE = 1000;

/**
 * How long a statement or transaction waits for another's transaction before it fails. Requests'
 * transactions take milliseconds; a wait this long means one is stuck (it awaits something that
 * itself waits for the lock), and an error is better than every request hanging behind it.
 */
export const LOCK_WAIT_MS = 15_000;

/** A statement waited LOCK_WAIT_MS for a transaction that did not end. */
export class DatabaseBusy extends Error {
  constructor() {
    super(`The database stayed locked by a transaction for ${LOCK_WAIT_MS / 1000} s.`);
  }
}

/** The transaction an asynchronous context is running in, if any, and what waits for its commit. */
type Open = { connection: Connection; holder: symbol; tx: Tx; committed: (() => void)[] };
const openTransaction = new AsyncLocalStorage<Open>();

/**
 * One SQLite connection and its write lock. A transaction holds the lock from `BEGIN IMMEDIATE`
 * to `COMMIT`; while it is held, a statement from any other request waits, so no one sees or
 * interleaves with an open transaction, although its body awaits. Statements of the transaction
 * itself (its asynchronous context) pass.
 */
class Connection {
  private readonly statements = new Map<string, Database.Statement>();
  private holder: symbol | null = null;
  private waiting: (() => void)[] = [];
  /** Called with each statement run, for tests that look at what a page queries. */
  observer: ((sql: string, params: unknown[]) => void) | undefined;

  constructor(readonly sqlite: Database.Database) {}

  /** Resolves once a statement from the current context may run. */
  async turn(): Promise<void> {
    while (this.holder !== null && openTransaction.getStore()?.holder !== this.holder) await this.released();
  }

  /** Takes the write lock once no transaction holds it. */
  async hold(): Promise<symbol> {
    while (this.holder !== null) await this.released();
    this.holder = Symbol("transaction");
    return this.holder;
  }

  release() {
    this.holder = null;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  holds(holder: symbol): boolean {
    return this.holder === holder;
  }

  /** The running transaction, when the current context holds this connection's lock. */
  transactionHere(): Open | undefined {
    const open = openTransaction.getStore();
    return open && open.connection === this && this.holder === open.holder ? open : undefined;
  }

  statement(text: string, params: unknown[]): Database.Statement {
    this.observer?.(text, params);
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      statement = this.sqlite.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private released(): Promise<void> {
    return new Promise((wake, fail) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== woken);
        fail(new DatabaseBusy());
      }, LOCK_WAIT_MS);
      const woken = () => {
        clearTimeout(timer);
        wake();
      };
      this.waiting.push(woken);
    });
  }
}

const connections = new WeakMap<object, Connection>();
const dialect = new SQLiteAsyncDialect();

function connectionOf(handle: Tx): Connection {
  // A savepoint's handle (tx.transaction) is not registered: it is within its transaction.
  const connection = connections.get(handle) ?? openTransaction.getStore()?.connection;
  if (!connection) throw new Error("Not a handle of an open database.");
  return connection;
}

/** Wraps a better-sqlite3 connection in the port: drizzle's asynchronous driver and the write lock. */
function connect(sqlite: Database.Database): Db {
  const connection = new Connection(sqlite);
  const database = drizzle(
    async (text, params, method) => {
      await connection.turn();
      const statement = connection.statement(text, params);
      if (!statement.reader) {
        statement.run(...params);
        return { rows: [] };
      }
      statement.raw(true);
      // drizzle's asynchronous driver takes rows as arrays in column order; `get` as one row.
      return { rows: method === "get" ? (statement.get(...params) as unknown[]) : (statement.all(...params) as unknown[][]) };
    },
    { schema },
  ) as Db;
  connections.set(database, connection);
  const begin = database.transaction.bind(database);
  // The only way in: every transaction, top level or nested, takes the lock or a savepoint.
  database.transaction = async (body, config) => {
    const here = connection.transactionHere();
    if (here) {
      return here.tx.transaction(async (nested) => {
        connections.set(nested, connection);
        return body(nested);
      });
    }
    const holder = await connection.hold();
    const open: Open = { connection, holder, tx: database, committed: [] };
    let result: Awaited<ReturnType<typeof body>>;
    try {
      result = await openTransaction.run(open, () =>
        begin(
          async (tx) => {
            connections.set(tx, connection);
            open.tx = tx;
            return body(tx);
          },
          { behavior: "immediate", ...config },
        ),
      );
    } finally {
      if (connection.holds(holder)) connection.release();
    }
    // Committed: now others may hear of it (a rolled-back transaction never gets here).
    for (const run of open.committed) run();
    return result;
  };
  return database;
}

/**
 * Runs `announce` once the current transaction has committed, or at once outside one: what a
 * change tells others (the live event bus) must never tell of a change that is rolled back.
 */
export function afterCommit(announce: () => void): void {
  const open = openTransaction.getStore();
  if (open && open.connection.holds(open.holder)) open.committed.push(announce);
  else announce();
}

/**
 * Rows of a hand-written statement, as objects named by its columns. drizzle's own `all(sql)`
 * gives arrays on its asynchronous driver; queries written in SQL (the named query modules) use
 * these instead.
 */
export async function rowsOf<T>(handle: Tx, query: SQL): Promise<T[]> {
  const connection = connectionOf(handle);
  await connection.turn();
  const { sql: text, params } = dialect.sqlToQuery(query);
  return connection.statement(text, params).raw(false).all(...params) as T[];
}

/** The first row of a hand-written statement, or undefined. */
export async function rowOf<T>(handle: Tx, query: SQL): Promise<T | undefined> {
  const connection = connectionOf(handle);
  await connection.turn();
  const { sql: text, params } = dialect.sqlToQuery(query);
  return connection.statement(text, params).raw(false).get(...params) as T | undefined;
}

/** Runs a hand-written statement that returns no rows; how many rows it changed. */
export async function execute(handle: Tx, query: SQL): Promise<number> {
  const connection = connectionOf(handle);
  await connection.turn();
  const { sql: text, params } = dialect.sqlToQuery(query);
  return connection.statement(text, params).run(...params).changes;
}

/** Watches every statement the database runs until the returned function is called (tests). */
export function observeStatements(handle: Tx, observer: (sql: string, params: unknown[]) => void): () => void {
  const connection = connectionOf(handle);
  connection.observer = observer;
  return () => {
    if (connection.observer === observer) connection.observer = undefined;
  };
}

/** The SQLite connection under a database, for what only SQLite does (its plan, its backup). */
export function sqliteOf(handle: Tx): Database.Database {
  return connectionOf(handle).sqlite;
}

// Resolved from the project root, not from this file: the server code is bundled into build/.
const migrationsFolder = path.resolve(process.cwd(), "db/migrations");

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
  sqliteOf(database).exec(`CREATE TABLE IF NOT EXISTS ${DATA_MIGRATIONS_TABLE} (name text PRIMARY KEY NOT NULL, ran_at text NOT NULL)`);
  const ran: string[] = [];
  for (const step of steps) {
    // Immediate: another process opening the same file at the same moment waits, then finds it done.
    await database.transaction(async (tx) => {
      if (await rowOf(tx, sql`select 1 from ${sql.identifier(DATA_MIGRATIONS_TABLE)} where name = ${step.name}`)) return;
      await step.run(tx);
      await execute(tx, sql`insert into ${sql.identifier(DATA_MIGRATIONS_TABLE)} (name, ran_at) values (${step.name}, ${new Date().toISOString()})`);
      ran.push(step.name);
    });
  }
  return ran;
}

/**
 * Opens a database file and brings it up to date: the SQL migrations (db/migrations), then the
 * data migrations given. The SQL migrations are plain SQL: they call no app code.
 */
export async function openDatabase(file: string, options: { dataMigrations?: readonly DataMigration[] } = {}): Promise<Db> {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // drizzle's migrator runs on its synchronous driver, once, before anything else uses the file.
  migrate(drizzleForMigrations(sqlite), { migrationsFolder });
  const database = connect(sqlite);
  await runDataMigrations(database, options.dataMigrations ?? []);
  return database;
}

let current: Db | undefined;
let opening: Promise<Db> | undefined;

/**
 * Opens and migrates the application's database (DATABASE_PATH), with the data migrations
 * given; every entry point (the server, the command-line jobs, the seeds) awaits it before the
 * first db(): this module, the lowest layer, cannot import the models that compute them.
 * Closed when the process exits.
 */
export function openAppDatabase(dataMigrations: readonly DataMigration[]): Promise<Db> {
  opening ??= openDatabase(env().DATABASE_PATH, { dataMigrations }).then((opened) => {
    // A clean close checkpoints the write-ahead log into the file and removes it.
    process.once("exit", () => sqliteOf(opened).open && sqliteOf(opened).close());
    return (current = opened);
  });
  return opening;
}

/** The application's database; openAppDatabase (or useDatabase) comes first. */
export function db(): Db {
  if (!current) throw new Error("The database is not open yet: openAppDatabase() comes first.");
  return current;
}

/** Points the models at another database (tests use a fresh in-memory one per case). */
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
