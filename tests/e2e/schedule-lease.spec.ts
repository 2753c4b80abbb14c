// Two server processes on one database (a SQLite file, or on PostgreSQL one database), as during a
// deploy (the new process starts while the old one finishes): the scheduled work (reminders, the digest's schedule, idle sessions) is done
// by the one holding the schedule's lease, not by both; a process stopping cleanly lets it go.
import { expect, test } from "@playwright/test";
import { dataDirPerTest, databaseOf, exited, OWN_PORT, startServer } from "./own-server";

const dataDir = dataDirPerTest();

type Line = { job: string; lease?: string };
/** The scheduler's lines in a process's log ({"job":"digest",…}). */
const scheduled = (log: string[]): Line[] => log.filter((line) => line.startsWith('{"job":')).map((line) => JSON.parse(line) as Line);
/** The work it did, leaving out what it says of the lease. */
const jobs = (log: string[]) => scheduled(log).filter((line) => line.job !== "schedule");

test("two processes on one database: one does the scheduled work, and lets it go when it stops", async () => {
  const first: string[] = [];
  const second: string[] = [];
  const env = { SCHEDULER: "true" };
  const a = await startServer(dataDir(), { log: first, env });
  // Its first tick runs as it starts: it takes the lease and does the work.
  await expect.poll(() => jobs(first).length).toBeGreaterThan(0);
  const b = await startServer(dataDir(), { log: second, env, port: OWN_PORT + 1 });
  const stored = await (await databaseOf(dataDir())).open();
  try {
    const holder = async () => (await stored.get<{ holder: string }>("select holder from leases where name = 'schedule'"))?.holder;
    expect(await holder()).toMatch(new RegExp(`:${a.pid}:[0-9a-f]{8}$`));
    expect(scheduled(first)[0]).toEqual({ job: "schedule", lease: "taken" });
    expect(jobs(first).map((line) => line.job)).toContain("digest");
    // The second process has ticked too, found the lease held, and did nothing.
    await expect.poll(() => scheduled(second)).toEqual([{ job: "schedule", lease: "held by another process" }]);
    expect(await holder()).toMatch(new RegExp(`:${a.pid}:`));

    // The first stops cleanly: its lease goes with it, for the second to take on its next tick.
    a.kill("SIGTERM");
    await exited(a);
    expect(await holder()).toBeUndefined();
  } finally {
    await stored.close();
    b.kill("SIGTERM");
    await exited(b);
  }
});
