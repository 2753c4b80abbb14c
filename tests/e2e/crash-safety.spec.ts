// The production server under the worst endings: killed outright in the middle of a burst of
// writes, and stopped with SIGTERM while answering. Each test runs its own server on its own
// database, beside the suite's.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? "3100") + 17;
const BASE = `http://127.0.0.1:${PORT}`;

test.describe.configure({ mode: "serial" });

let dataDir: string;
test.beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-crash-"));
});
test.afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const databaseFile = () => path.join(dataDir, "hindsight.db");

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["server.js"], {
    env: { ...process.env, NODE_ENV: "production", PORT: String(PORT), HOST: "127.0.0.1", DATABASE_PATH: databaseFile(), SCHEDULER: "false" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await fetch(`${BASE}/healthz`).then((r) => r.status, () => 0);
    if (answer === 200) return child;
    if (Date.now() > deadline) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once("exit", (code) => r(code)));
}

function post(pathname: string, form: Record<string, string>, cookie = "") {
  return fetch(BASE + pathname, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, Cookie: cookie },
    body: new URLSearchParams(form),
  });
}

/** Creates the first admin through the setup page and returns their session cookie. */
async function firstAdmin(): Promise<string> {
  const response = await post("/setup", { name: "Casey Crash", email: "casey@example.com", team: "SRE", password: "crash-safety-password" });
  expect(response.status).toBe(302);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("hs_session="));
  expect(cookie).toBeTruthy();
  return cookie!.split(";")[0];
}

const report = (n: number) => ({
  title: `Burst write ${n}`,
  severity: "SEV3",
  startedAt: "2026-11-20T10:00",
  services: "web",
  impactMd: `Written in the burst, number ${n}.`,
  visibility: "org",
  facilitatorId: "1",
});

test("a server killed mid-burst keeps every write it acknowledged, in an intact database", async () => {
  test.setTimeout(120_000);
  let server = await startServer();
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

  // The file as the crash left it.
  const file = new Database(databaseFile());
  expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
  const stored = new Map((file.prepare("select id, title from incidents").all() as { id: number; title: string }[]).map((r) => [`INC-${r.id}`, r.title]));
  file.close();
  for (const write of acknowledged) expect(stored.get(write.reference), write.reference).toBe(write.title);

  // Started again, it serves them all, and the same session still works.
  server = await startServer();
  for (const write of acknowledged.slice(-10)) {
    const page = await fetch(`${BASE}/incidents/${write.reference}`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(write.title);
  }
  server.kill("SIGTERM");
  expect(await exited(server)).toBe(0);
});

test("SIGTERM lets requests in flight finish, then closes the database cleanly", async () => {
  test.setTimeout(60_000);
  const server = await startServer();
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
  // Closed cleanly: the write-ahead log was folded into the file and removed.
  expect(fs.existsSync(`${databaseFile()}-wal`)).toBe(false);
  const file = new Database(databaseFile(), { readonly: true });
  expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
  // Exactly what was acknowledged is stored.
  expect(file.prepare("select count(*) from incidents").pluck().get()).toBe(answered.filter((a) => a.status === 302).length);
  file.close();
});
