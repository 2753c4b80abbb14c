import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { engine } from "~/lib/db.server";
import { BUS_CHANNEL, postgresBus, type PostgresBus } from "~/lib/event-bus-postgres.server";
import { READ_AGAIN, type Announcement } from "~/lib/event-bus.server";
import { databaseEnvironment, freshDatabase } from "./helpers";

// The event bus of several instances: two buses on one database, each with its own pool and its
// own listening connection, stand for two instances.

let url: string;
let buses: PostgresBus[] = [];

beforeEach(async () => {
  await freshDatabase();
  url = databaseEnvironment("").DATABASE_URL!;
});

afterEach(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  buses = [];
});

async function instance(): Promise<PostgresBus> {
  const bus = postgresBus(url);
  buses.push(bus);
  await bus.listening();
  return bus;
}

/** What a listener hears, and a way to wait for an announcement that matches. */
function ear(bus: PostgresBus, incidentId: number) {
  const heard: Announcement[] = [];
  const waiting: { match: (a: Announcement) => boolean; wake: () => void }[] = [];
  const stop = bus.listen(incidentId, (announcement) => {
    heard.push(announcement);
    for (const w of waiting.filter((w) => w.match(announcement))) w.wake();
  });
  return {
    heard,
    stop,
    hears: (match: (a: Announcement) => boolean) => (heard.some(match) ? Promise.resolve() : new Promise<void>((wake) => waiting.push({ match, wake }))),
  };
}

describe.skipIf(engine !== "postgres")("the event bus on PostgreSQL", () => {
  it("carries announcements from one instance to the listeners of every instance, its own once", async () => {
    const [first, second] = [await instance(), await instance()];
    const there = ear(second, 7);
    const here = ear(first, 7);
    const elsewhere = ear(second, 8);
    first.announce({ incidentId: 7, seq: 3 });
    first.announce({ incidentId: 7, seq: 4 });
    await Promise.all([3, 4].flatMap((seq) => [there.hears((a) => a.seq === seq), here.hears((a) => a.seq === seq)]));
    // Each heard once. Two announcements may leave on two pooled connections and arrive in either
    // order; a stream reads from its last event whichever it hears (ADR 0035).
    const bySeq = (heard: Announcement[]) => [...heard].sort((a, b) => a.seq - b.seq);
    expect(bySeq(there.heard)).toEqual([{ incidentId: 7, seq: 3 }, { incidentId: 7, seq: 4 }]);
    expect(bySeq(here.heard)).toEqual([{ incidentId: 7, seq: 3 }, { incidentId: 7, seq: 4 }]);
    expect(elsewhere.heard).toEqual([]);
  });

  it("tells nothing to a listener that stopped", async () => {
    const [first, second] = [await instance(), await instance()];
    const gone = ear(second, 7);
    gone.stop();
    const staying = ear(second, 7);
    first.announce({ incidentId: 7, seq: 1 });
    await staying.hears((a) => a.seq === 1);
    expect(gone.heard).toEqual([]);
  });

  it("carries on when its idle pooled connections are ended from the server's side", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const [first, second] = [await instance(), await instance()];
      const there = ear(second, 7);
      first.announce({ incidentId: 7, seq: 1 });
      await there.hears((a) => a.seq === 1);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        // Every connection but the listening ones, as a restart or a pooler would end them.
        const ended = async () =>
          (await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'hindsight-bus' and query <> $1", [`listen ${BUS_CHANNEL}`])).rowCount;
        expect(await ended()).toBeGreaterThan(0);
        await vi.waitFor(() => expect(errors.mock.calls.some(([line]) => String(line).includes("idleConnectionLost"))).toBe(true));
      } finally {
        await admin.end();
      }
      first.announce({ incidentId: 7, seq: 2 });
      await there.hears((a) => a.seq === 2);
    } finally {
      errors.mockRestore();
    }
  });

  it("listens again after its connection is cut, says so once, and has its listeners read again", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const [first, second] = [await instance(), await instance()];
      const there = ear(second, 7);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        // Both instances' listening connections, as a restart or a failover would end them.
        const { rowCount } = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = $1", [`listen ${BUS_CHANNEL}`]);
        expect(rowCount).toBe(2);
      } finally {
        await admin.end();
      }
      // Once back, each listener is told to read what it may have missed.
      await there.hears((a) => a.seq === READ_AGAIN);
      await first.listening();
      first.announce({ incidentId: 7, seq: 5 });
      await there.hears((a) => a.seq === 5);
      const said = errors.mock.calls.map(([line]) => String(line));
      expect(said.filter((line) => line.includes('"listening":"lost"'))).toHaveLength(2);
      expect(there.heard.filter((a) => a.seq !== READ_AGAIN)).toEqual([{ incidentId: 7, seq: 5 }]);
    } finally {
      errors.mockRestore();
    }
  });
});
