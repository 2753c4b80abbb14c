// The production server under the worst endings: killed outright in the middle of a burst of
// writes, and stopped with SIGTERM while answering. Each test runs its own server on its own
// database, beside the suite's.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { databaseOf, exited, firstAdmin, dataDirPerTest, OWN_BASE, post, reportForm, startServer } from "./own-server";
import { E2E_ENGINE } from "./stored";

test.describe.configure({ mode: "serial" });

const dataDir = dataDirPerTest();

const databaseFile = () => path.join(dataDir(), "hindsight.db");
const report = (n: number) => reportForm(`Burst write ${n}`);

test("a server killed mid-burst keeps every write it acknowledged, in an intact database", async () => {
  test.setTimeout(120_000);
  let server = await startServer(dataDir());
  const cookie = await firstAdmin();

  // Ten clients report incidents as fast as the server takes them.
  const acknowledged: { reference: string; title: string }[] = [];
  let next = 0;
  const client = async () => {
    for (;;) {
      const n = next++;
      const response = await post("/incidents/new", report(n), cookie).catch(() => undefined);
      if (!response) return; // the server is gone: this write was never acknowledged
      const reference = /\/incidents\/(INC-\d+)$/.exec(response.headers.get("location") ?? "")?.[1];
      if (response.status === 302 && reference) acknowledged.push({ reference, title: report(n).title });
    }
  };
  const clients = Array.from({ length: 10 }, client);
  await expect.poll(() => acknowledged.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(60);
  server.kill("SIGKILL");
  await exited(server);
  await Promise.all(clients);

  // The database as the crash left it.
  const store = await (await databaseOf(dataDir())).open();
  expect(await store.intact()).toBe(true);
  const stored = new Map((await store.all<{ id: number; title: string }>("select id, title from incidents")).map((r) => [`INC-${r.id}`, r.title]));
  await store.close();
  for (const write of acknowledged) expect(stored.get(write.reference), write.reference).toBe(write.title);

  // Started again, it serves them all, and the same session still works.
  server = await startServer(dataDir());
  for (const write of acknowledged.slice(-10)) {
    const page = await fetch(`${OWN_BASE}/incidents/${write.reference}`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(write.title);
  }
  server.kill("SIGTERM");
  expect(await exited(server)).toBe(0);
});

test("SIGTERM lets requests in flight finish, then closes the database cleanly", async () => {
  test.setTimeout(60_000);
  const server = await startServer(dataDir());
  const cookie = await firstAdmin();
  let signalledAt = Infinity;
  const answered: { status: number; sentAt: number; answeredAt: number }[] = [];
  let next = 0;
  const client = async () => {
    while (performance.now() < signalledAt) {
      const sentAt = performance.now();
      const status = await post("/incidents/new", report(next++), cookie).then((r) => r.status, () => 0);
      answered.push({ status, sentAt, answeredAt: performance.now() });
      if (status === 0) return;
    }
  };
  const clients = Array.from({ length: 10 }, client);
  await expect.poll(() => answered.filter((a) => a.status === 302).length).toBeGreaterThanOrEqual(10);
  signalledAt = performance.now();
  server.kill("SIGTERM");
  await Promise.all(clients);
  expect(await exited(server)).toBe(0);

  // Requests that were in flight when the signal came were answered, not cut off.
  expect(answered.filter((a) => a.sentAt < signalledAt && a.answeredAt > signalledAt && a.status === 302).length).toBeGreaterThan(0);
  expect(answered.every((a) => a.status === 302 || a.status === 0)).toBe(true);
  // Closed cleanly: on SQLite the write-ahead log was folded into the file and removed.
  if (E2E_ENGINE === "sqlite") expect(fs.existsSync(`${databaseFile()}-wal`)).toBe(false);
  const store = await (await databaseOf(dataDir())).open();
  expect(await store.intact()).toBe(true);
  // Exactly what was acknowledged is stored.
  expect(await store.value("select count(*) from incidents")).toBe(answered.filter((a) => a.status === 302).length);
  await store.close();
});
