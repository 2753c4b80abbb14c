import { beforeEach, describe, expect, it } from "vitest";
import { db, schema } from "~/lib/db.server";
import { holdLease, releaseLease, THIS_PROCESS } from "~/models/lease.server";
import { freshDatabase } from "./helpers";

// Leases decide which process does scheduled work when several share the database: one holds a
// lease until it expires, renewing it while it runs; another takes it only once it has expired or
// been let go.

beforeEach(async () => {
  await freshDatabase();
});

const MINUTE = 60_000;
const t0 = new Date("2026-12-07T09:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("a lease", () => {
  it("is held by one process at a time, until it expires", async () => {
    expect(await holdLease("schedule", 3 * MINUTE, "web-1", t0)).toBe(true);
    expect(await holdLease("schedule", 3 * MINUTE, "web-2", at(MINUTE))).toBe(false);
    // The holder renews it on each tick, so it never runs out while the holder lives.
    expect(await holdLease("schedule", 3 * MINUTE, "web-1", at(2 * MINUTE))).toBe(true);
    expect(await holdLease("schedule", 3 * MINUTE, "web-2", at(4 * MINUTE))).toBe(false);
    // The holder stops renewing (it died): once expired, the next process takes it over.
    expect(await holdLease("schedule", 3 * MINUTE, "web-2", at(5 * MINUTE))).toBe(true);
    expect(await holdLease("schedule", 3 * MINUTE, "web-1", at(6 * MINUTE))).toBe(false);
    expect(await db().select().from(schema.leases).all()).toEqual([{ name: "schedule", holder: "web-2", expiresAt: at(8 * MINUTE).toISOString() }]);
  });

  it("is let go by its holder only, and then taken at once", async () => {
    await holdLease("schedule", 3 * MINUTE, "web-1", t0);
    await releaseLease("schedule", "web-2");
    expect(await holdLease("schedule", 3 * MINUTE, "web-2", at(MINUTE))).toBe(false);
    await releaseLease("schedule", "web-1");
    expect(await holdLease("schedule", 3 * MINUTE, "web-2", at(MINUTE))).toBe(true);
  });

  it("names leases apart, and this process by its host, id and start", async () => {
    expect(await holdLease("schedule", MINUTE, "web-1", t0)).toBe(true);
    expect(await holdLease("nightly-export", MINUTE, "web-2", t0)).toBe(true);
    expect(THIS_PROCESS).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(await holdLease("schedule", MINUTE)).toBe(false);
  });

  it("is taken by one of many processes trying at the same moment", async () => {
    const holders = Array.from({ length: 8 }, (_, i) => `web-${i}`);
    const taken = await Promise.all(holders.map((holder) => holdLease("schedule", MINUTE, holder, t0)));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });
});
