import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { afterCommit, changeVersion, closeDatabase, DatabaseBusy, db, engine, execute, LOCK_WAIT_MS, observeStatements, openDatabase, rowOf, rowsOf, useDatabase, type Tx } from "~/lib/db.server";
import { databaseEnvironment, freshDatabase } from "./helpers";

// The data port's transaction rule (docs/decisions/0017-async-models-on-one-sqlite-connection.md,
// 0033-two-engines-one-set-of-models.md): a transaction's body may await, and no other request
// sees or interleaves with it. On SQLite's one connection others wait while it is open; on
// PostgreSQL they read what was committed before it, and a transaction that lost to another is
// run again.
const onSqlite = engine === "sqlite";

/** A promise and the function that settles it: a transaction body paused where the test says. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const count = async (tx: Tx = db()) => (await rowOf<{ n: number }>(tx, sql`select count(*) as n from counter`))!.n;
const value = async (tx: Tx = db()) => (await rowOf<{ v: number }>(tx, sql`select v from counter where id = 1`))?.v;

/** Lets every pending callback and timer run, so a statement that could run has run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(async () => {
  await freshDatabase();
  await execute(db(), sql`create table counter (id integer primary key, v integer not null)`);
});

describe("a transaction", () => {
  it.runIf(onSqlite)("holds back a read from elsewhere until it commits, so its uncommitted rows are never seen", async () => {
    const paused = gate();
    const writing = db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
      await paused.opened;
    });
    await settle();
    let seen: number | undefined;
    const reading = count().then((n) => (seen = n));
    await settle();
    expect(seen, "a read while the transaction is open waits").toBeUndefined();
    paused.open();
    await Promise.all([writing, reading]);
    expect(seen).toBe(1);
  });

  it.runIf(!onSqlite)("never shows its uncommitted rows to a read from elsewhere, which sees what was committed before", async () => {
    const paused = gate();
    const writing = db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
      await paused.opened;
    });
    await settle();
    expect(await count(), "a read while the transaction is open").toBe(0);
    paused.open();
    await writing;
    expect(await count()).toBe(1);
  });

  it("never shows a rolled-back write to anyone", async () => {
    const paused = gate();
    const failing = db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
      await paused.opened;
      throw new Error("refused");
    });
    await settle();
    const reading = count();
    await settle();
    paused.open();
    await expect(failing).rejects.toThrow("refused");
    expect(await reading).toBe(0);
    expect(await count()).toBe(0);
  });

  it("runs transactions that read, await and write one after another: no update is lost", async () => {
    await execute(db(), sql`insert into counter (id, v) values (1, 0)`);
    const increments = Array.from({ length: 25 }, (_, i) =>
      db().transaction(async (tx) => {
        const before = (await value(tx))!;
        // Every other body waits for a timer: bodies that interleaved would both read the same value.
        if (i % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        await execute(tx, sql`update counter set v = ${before + 1} where id = 1`);
      }),
    );
    await Promise.all(increments);
    expect(await value()).toBe(25);
  });

  it("lets the transaction's own statements through, also from functions that use db() rather than its handle", async () => {
    await db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
      expect(await count(db()), "db() inside the transaction is the transaction").toBe(1);
    });
  });

  it("makes a transaction opened inside another a savepoint: its failure undoes only its own writes", async () => {
    await db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
      await expect(
        db().transaction(async (inner) => {
          await execute(inner, sql`insert into counter (id, v) values (2, 2)`);
          throw new Error("inner refused");
        }),
      ).rejects.toThrow("inner refused");
      expect(await count(tx)).toBe(1);
    });
    expect(await rowsOf<{ id: number }>(db(), sql`select id from counter`)).toEqual([{ id: 1 }]);
  });

  it("frees the connection after a failed transaction, so the next one runs", async () => {
    await expect(db().transaction(async () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    await db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
    });
    expect(await count()).toBe(1);
  });

  it.runIf(!onSqlite)("is serializable on PostgreSQL, as SQLite's single writer is", async () => {
    const statements: string[] = [];
    const stop = observeStatements(db(), (text) => statements.push(text));
    await db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
    });
    stop();
    expect(statements[0]).toBe("begin isolation level serializable");
    expect(statements.at(-1)).toBe("commit");
  });

  it.runIf(onSqlite)("takes SQLite's write lock at BEGIN, so another process on the same file waits rather than failing mid-way", async () => {
    const statements: string[] = [];
    const stop = observeStatements(db(), (text) => statements.push(text));
    await db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
    });
    stop();
    expect(statements[0]).toBe("begin immediate");
    expect(statements.at(-1)).toBe("commit");
  });
});

describe("a transaction that never ends", () => {
  it.runIf(!onSqlite)("fails a statement that waits for its row lock too long, as DatabaseBusy", async () => {
    await execute(db(), sql`insert into counter (id, v) values (1, 0)`);
    const stuck = gate();
    const holding = db().transaction(async (tx) => {
      await execute(tx, sql`update counter set v = 1 where id = 1`);
      await stuck.opened;
    });
    await settle();
    // The wait bounded for this test alone: LOCK_WAIT_MS is every connection's bound.
    const waiting = db().transaction(async (tx) => {
      await execute(tx, sql`set local lock_timeout = '50ms'`);
      await execute(tx, sql`update counter set v = 2 where id = 1`);
    });
    await expect(waiting).rejects.toBeInstanceOf(DatabaseBusy);
    stuck.open();
    await holding;
    expect(await value()).toBe(1);
  });

  it.runIf(onSqlite)("fails the statements waiting for it after LOCK_WAIT_MS, rather than hanging every request", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const stuck = gate();
      const holding = db().transaction(async () => {
        await stuck.opened;
      });
      await vi.advanceTimersByTimeAsync(0);
      const waiting = count();
      const failed = expect(waiting).rejects.toBeInstanceOf(DatabaseBusy);
      await vi.advanceTimersByTimeAsync(LOCK_WAIT_MS);
      await failed;
      stuck.open();
      await holding;
      expect(await count(), "the connection is free again").toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("what waits for a commit (afterCommit)", () => {
  it("runs after the transaction commits, and never for one rolled back", async () => {
    const heard: string[] = [];
    await db().transaction(async (tx) => {
      await execute(tx, sql`insert into counter (id, v) values (1, 1)`);
      afterCommit(() => heard.push("committed"));
      expect(heard, "not before the commit").toEqual([]);
    });
    expect(heard).toEqual(["committed"]);
    await expect(
      db().transaction(async () => {
        afterCommit(() => heard.push("rolled back"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(heard).toEqual(["committed"]);
    afterCommit(() => heard.push("outside a transaction"));
    expect(heard).toEqual(["committed", "outside a transaction"]);
  });
});

/** Runs `fn`, which must fail (a transaction rolled back by its body's error). */
async function caughtRollback(fn: () => Promise<unknown>) {
  await expect(fn()).rejects.toThrow("rolled back");
}

describe("the change version (what caches of read data are keyed by)", () => {
  it("stays while only reads run, and moves on after every statement that changed a row, committed", async () => {
    const before = await changeVersion();
    await count();
    await rowsOf(db(), sql`select * from counter`);
    await db().transaction(async (tx) => void (await value(tx)));
    expect(await changeVersion()).toBe(before);

    const seen = new Set([before]);
    const movedBy = async (change: () => Promise<unknown>) => {
      await change();
      const now = await changeVersion();
      expect(seen.has(now)).toBe(false);
      seen.add(now);
    };
    await movedBy(() => execute(db(), sql`insert into counter (id, v) values (1, 1)`));
    await movedBy(() => rowsOf(db(), sql`update counter set v = v + 1 where id = 1 returning v`));
    await movedBy(() => db().transaction((tx) => execute(tx, sql`update counter set v = 5 where id = 1`)));
    await movedBy(() => rowOf(db(), sql`update counter set v = 6 where id = 1 returning v`));
    await movedBy(() => execute(db(), sql`delete from counter where id = 1`));

    // A statement that changed no row (a claim that found nothing) leaves it.
    const still = await changeVersion();
    await execute(db(), sql`update counter set v = 9 where id = 42`);
    await rowsOf(db(), sql`delete from counter where id = 42 returning id`);
    expect(await changeVersion()).toBe(still);
  });

  it("moves on once a transaction's write is committed, not while it is open", async () => {
    await execute(db(), sql`insert into counter (id, v) values (1, 1)`);
    const before = await changeVersion();
    const paused = gate();
    const resumed = gate();
    const writing = db().transaction(async (tx) => {
      await execute(tx, sql`update counter set v = 2 where id = 1`);
      paused.open();
      await resumed.opened;
    });
    await paused.opened;
    // On SQLite the reader waits for the commit. On PostgreSQL it reads a version at once, under
    // which the change is not yet seen: the version after the commit must differ from it too.
    const during = changeVersion();
    if (!onSqlite) await during;
    resumed.open();
    await writing;
    const after = await changeVersion();
    expect(after).not.toBe(before);
    if (onSqlite) expect(await during).not.toBe(before);
    else expect(after).not.toBe(await during);
  });

  it("never stays the same across a rolled-back write, and what it stays at tells the data as it is", async () => {
    await execute(db(), sql`insert into counter (id, v) values (1, 1)`);
    const before = await changeVersion();
    await caughtRollback(() =>
      db().transaction(async (tx) => {
        await execute(tx, sql`update counter set v = 2 where id = 1`);
        throw new Error("rolled back");
      }),
    );
    // Moved on or not, the data is as it was before: either version serves what is stored.
    expect(await value()).toBe(1);
    const after = await changeVersion();
    if (after === before) expect(await value()).toBe(1);
    expect(await changeVersion()).toBe(after);
  });

  it("moves on after a change committed through another connection (another process)", async () => {
    let address: string;
    let scratch: string | undefined;
    if (onSqlite) {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-version-"));
      address = path.join(scratch, "shared.db");
      useDatabase(await openDatabase(address));
      await execute(db(), sql`create table counter (id integer primary key, v integer not null)`);
    } else {
      address = databaseEnvironment("").DATABASE_URL!;
    }
    const other = await openDatabase(address);
    try {
      const before = await changeVersion();
      await execute(other, sql`insert into counter (id, v) values (7, 7)`);
      const after = await changeVersion();
      expect(after).not.toBe(before);
      await other.transaction((tx) => execute(tx, sql`update counter set v = 8 where id = 7`));
      expect(await changeVersion()).not.toBe(after);
      expect(await changeVersion(other)).toBe(await changeVersion(other));
    } finally {
      await closeDatabase(other);
      if (scratch) {
        await closeDatabase(db());
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    }
  });
});
