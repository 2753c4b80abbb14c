import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type SQL } from "drizzle-orm";
import { drizzle as drizzleForMigrations } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { drizzle } from "drizzle-orm/sqlite-proxy";
import * as schema from "../../db/schema";
import { DatabaseBusy, LOCK_WAIT_MS, type Db, type Engine, type Tx } from "./db-port.server";

/**
 * The data port on the embedded SQLite file: every query is asynchronous, as it must be for a
 * database across a network, and runs on one better-sqlite3 connection through drizzle's
 * asynchronous SQLite driver (`sqlite-proxy`), whose one callback is below.
 * docs/decisions/0017-async-models-on-one-sqlite-connection.md
 */

/** How many compiled statements a connection keeps; past it the cache starts over. */
const STATEMENT_CACHE = 1000;

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
  /**
   * Statements run on this connection that changed rows. SQLite's data_version tells of commits by
   * other connections only: with this count, the two tell of every change. A statement that
   * changes no row (a claim that finds nothing to claim) is not counted.
   */
  writes = 0;

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

  /** Runs a statement that returns no rows; how many rows it changed. */
  run(statement: Database.Statement, params: unknown[]): number {
    const { changes } = statement.run(...params);
    if (changes > 0 && !statement.readonly) this.writes += 1;
    return changes;
  }

  /** The rows a statement returns; one that changes rows (RETURNING) is counted when it returns any. */
  rows(statement: Database.Statement, params: unknown[], one: boolean): unknown {
    const rows = one ? statement.get(...params) : statement.all(...params);
    if (!statement.readonly && (one ? rows !== undefined : (rows as unknown[]).length > 0)) this.writes += 1;
    return rows;
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

/** How long a statement waits for another process's write lock on the file (SQLite's busy timeout). */
const FILE_LOCK_WAIT_MS = 5_000;

/**
 * Runs a statement; another process (a command-line job, another server process) holding the
 * file's write lock past the busy timeout is the database being busy, as a transaction of this
 * process held too long is: nothing was written, and the same request succeeds a moment later.
 */
function orBusy<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith("SQLITE_BUSY")) {
      throw new DatabaseBusy(`Another process held the database's write lock for ${FILE_LOCK_WAIT_MS / 1000} s.`, { cause: error });
    }
    throw error;
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
      return orBusy(() => {
        const statement = connection.statement(text, params);
        if (!statement.reader) {
          connection.run(statement, params);
          return { rows: [] };
        }
        statement.raw(true);
        // drizzle's asynchronous driver takes rows as arrays in column order; `get` as one row.
        return { rows: connection.rows(statement, params, method === "get") as unknown[] };
      });
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
function afterCommit(announce: () => void): void {
  const open = openTransaction.getStore();
  if (open && open.connection.holds(open.holder)) open.committed.push(announce);
  else announce();
}

/**
 * Rows of a hand-written statement, as objects named by its columns. drizzle's own `all(sql)`
 * gives arrays on its asynchronous driver; queries written in SQL (the named query modules) use
 * these instead.
 */
async function rowsOf<T>(handle: Tx, query: SQL): Promise<T[]> {
  const connection = connectionOf(handle);
  await connection.turn();
  const { sql: text, params } = dialect.sqlToQuery(query);
  return orBusy(() => connection.rows(connection.statement(text, params).raw(false), params, false) as T[]);
}

/** The first row of a hand-written statement, or undefined. */
async function rowOf<T>(handle: Tx, query: SQL): Promise<T | undefined> {
  const connection = connectionOf(handle);
  await connection.turn();
  const { sql: text, params } = dialect.sqlToQuery(query);
  return orBusy(() => connection.rows(connection.statement(text, params).raw(false), params, true) as T | undefined);
}

/** Runs a hand-written statement that returns no rows; how many rows it changed. */
async function execute(handle: Tx, query: SQL): Promise<number> {
  const connection = connectionOf(handle);
  await connection.turn();
  const { sql: text, params } = dialect.sqlToQuery(query);
  return orBusy(() => connection.run(connection.statement(text, params), params));
}

/** Watches every statement the database runs until the returned function is called (tests). */
function observe(handle: Tx, observer: (sql: string, params: unknown[]) => void): () => void {
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

/**
 * Differs after any change to the file, committed by this connection or by any other process:
 * SQLite's data_version counts the others' commits, the connection its own writes. It is read at
 * once, even while another request's transaction is open: what is read after it (a page's
 * queries) waits for that transaction to end, so it is never older than the version, and a write
 * the transaction makes after the version was read moves it on again.
 */
async function changeVersion(handle: Tx): Promise<string> {
  const connection = connectionOf(handle);
  return `${String(connection.sqlite.pragma("data_version", { simple: true }))}.${connection.writes}`;
}

export const sqliteEngine: Engine = {
  name: "sqlite",
  rowsOf,
  rowOf,
  execute,
  afterCommit,
  changeVersion,
  observe,
  async close(handle) {
    const sqlite = sqliteOf(handle);
    if (sqlite.open) sqlite.close();
  },
};

// Resolved from the project root, not from this file: the server code is bundled into build/.
const migrationsFolder = path.resolve(process.cwd(), "db/migrations");

/** Opens a SQLite file (or ":memory:") and applies the SQL migrations (db/migrations). */
export function openSqlite(file: string): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${FILE_LOCK_WAIT_MS}`);
  sqlite.pragma("synchronous = NORMAL");
  // drizzle's migrator runs on its synchronous driver, once, before anything else uses the file.
  migrate(drizzleForMigrations(sqlite), { migrationsFolder });
  return connect(sqlite);
}
