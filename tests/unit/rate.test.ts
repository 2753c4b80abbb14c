import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDatabase, db, engine, openDatabase, schema, useDatabase, type Db } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { perKeyRate, perPersonRate } from "~/models/rate.server";
import { databaseEnvironment, freshDatabase, stopTheClock } from "./helpers";

// Rate limits count in the database, so every process on it counts together. Two handles on one
// database stand for two processes: on SQLite two connections to one file, on PostgreSQL two pools.

const MINUTE = 60_000;
/** The start of a one-minute window, far from any real clock. */
const WINDOW = Date.UTC(2030, 0, 7, 9, 0, 0);
const at = (ms: number) => new Date(WINDOW + ms);

let opened: Db[] = [];
let dir: string | undefined;

beforeEach(async () => {
  await freshDatabase();
});

afterEach(async () => {
  for (const database of opened) await closeDatabase(database);
  opened = [];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Two handles on one database, as two processes would have. */
async function twoProcesses(): Promise<[Db, Db]> {
  let address: string;
  if (engine === "sqlite") {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-rate-"));
    address = path.join(dir, "hindsight.db");
  } else {
    address = databaseEnvironment("").DATABASE_URL;
  }
  const first = await openDatabase(address, { dataMigrations: DATA_MIGRATIONS });
  const second = await openDatabase(address, { dataMigrations: DATA_MIGRATIONS });
  opened.push(first, second);
  return [first, second];
}

async function takes(count: number, take: () => Promise<boolean>): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < count; i++) if (await take()) allowed += 1;
  return allowed;
}

describe("a rate limit", () => {
  it("is shared by every process on the database: together they allow the limit once", async () => {
    stopTheClock(at(10_000));
    const processes = await twoProcesses();
    const limit = perPersonRate("test-shared", 10, MINUTE);
    let allowed = 0;
    for (let i = 0; i < 30; i++) {
      useDatabase(processes[i % 2]);
      if (await limit.take(42)) allowed += 1;
    }
    expect(allowed).toBe(10);
    // Someone else has their own allowance.
    expect(await limit.take(43)).toBe(true);
  });

  it("never passes the limit, however many attempts come at once", async () => {
    stopTheClock(at(10_000));
    const limit = perPersonRate("test-burst", 25, MINUTE);
    const answers = await Promise.all(Array.from({ length: 80 }, () => limit.take(7)));
    expect(answers.filter(Boolean)).toHaveLength(25);
    const [row] = await db().select().from(schema.rateCounts).all();
    expect(row).toMatchObject({ key: "test-burst:7", windowStart: WINDOW, count: 25 });
  });

  it("slides: the previous window counts by the share of it still inside the last minute", async () => {
    const limit = perPersonRate("test-sliding", 10, MINUTE);
    stopTheClock(at(30_000));
    expect(await takes(12, () => limit.take(1))).toBe(10);
    // Full for this window: room comes in the next, once 9 of its 10 have slid out (at 54 s of it).
    expect(await limit.retryAfter(1)).toBe(36);
    // A quarter into the next window, three quarters of the previous one's 10 still count.
    stopTheClock(at(MINUTE + 15_000));
    expect(await takes(5, () => limit.take(1))).toBe(2);
    // 7.5 + 2 counted: room for one more once 0.5 more has slid out, 3 seconds later.
    expect(await limit.retryAfter(1)).toBe(3);
    // Three quarters in, a quarter of the 10 still counts: 2.5 + 2 + 5 more.
    stopTheClock(at(MINUTE + 45_000));
    expect(await takes(10, () => limit.take(1))).toBe(5);
    // Two windows on, the first one counts no more.
    stopTheClock(at(3 * MINUTE));
    expect(await takes(12, () => limit.take(1))).toBe(10);
  });

  it("stores a keyed hash of a client address, never the address", async () => {
    stopTheClock(at(0));
    const limit = perKeyRate<string>("test-address", 3, MINUTE, { hashed: true });
    expect(await takes(4, () => limit.take("203.0.113.9"))).toBe(3);
    expect(await takes(1, () => limit.take("203.0.113.10"))).toBe(1);
    const keys = (await db().select().from(schema.rateCounts).all()).map((r) => r.key);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^test-address:[\w-]{32}$/);
  });

  it("forgets the counts of windows long past as it counts", async () => {
    const limit = perPersonRate("test-forget", 5, MINUTE);
    stopTheClock(at(0));
    await limit.take(1);
    stopTheClock(at(3 * 60 * MINUTE));
    await limit.take(2);
    const rows = await db().select().from(schema.rateCounts).all();
    expect(rows.map((r) => r.key)).toEqual(["test-forget:2"]);
  });
});
