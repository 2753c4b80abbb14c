import type { SQL } from "drizzle-orm";
import type { SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import type * as schema from "../../db/schema";

/**
 * The data port's shape, shared by its two engines (db-sqlite.server.ts, db-postgres.server.ts):
 * the models see one database type whichever engine runs under it.
 * docs/decisions/0033-two-engines-one-set-of-models.md
 */
export type Db = SqliteRemoteDatabase<typeof schema>;
/** A transaction handle or the database itself: models accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

/**
 * How long a statement or transaction waits for another's transaction before it fails. Requests'
 * transactions take milliseconds; a wait this long means one is stuck (it awaits something that
 * itself waits for the lock), and an error is better than every request hanging behind it.
 */
export const LOCK_WAIT_MS = 15_000;

/**
 * The database could not take the work now: a statement waited LOCK_WAIT_MS for a transaction
 * that did not end, or (on PostgreSQL) a transaction lost to others every time it was run. Asking
 * again a little later is the answer.
 */
export class DatabaseBusy extends Error {
  constructor(message = `The database stayed locked by a transaction for ${LOCK_WAIT_MS / 1000} s.`, options?: ErrorOptions) {
    super(message, options);
  }
}

/** What each engine gives the port besides the drizzle database: hand-written SQL, and hooks. */
export interface Engine {
  readonly name: "sqlite" | "postgres";
  rowsOf<T>(handle: Tx, query: SQL): Promise<T[]>;
  rowOf<T>(handle: Tx, query: SQL): Promise<T | undefined>;
  /** Runs a statement that returns no rows; how many rows it changed. */
  execute(handle: Tx, query: SQL): Promise<number>;
  afterCommit(announce: () => void): void;
  /**
   * A value that differs once any change to the database has been committed, by this process or
   * any other: what was read under one value is still true while the value stays the same. It may
   * also differ when nothing changed (a rolled-back write), never the other way round.
   */
  changeVersion(handle: Tx): Promise<string>;
  observe(handle: Tx, observer: (sql: string, params: unknown[]) => void): () => void;
  /** Closes the database's connections; the process may then exit. */
  close(handle: Db): Promise<void>;
}
