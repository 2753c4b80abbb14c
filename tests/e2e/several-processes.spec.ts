// Several server processes on one port (WEB_CONCURRENCY, node:cluster), as `npm start` runs on a
// machine with several cores: a change made through one reaches the live pages served by every
// other, a process that dies is started again while the others serve on, and stopping the
// primary stops them all.
import { execFileSync } from "node:child_process";
import http from "node:http";
import { expect, test } from "@playwright/test";
import { dataDirPerTest, exited, firstAdmin, incidentInAnalysis, OWN_PORT, post, startServer } from "./own-server";

test.describe.configure({ mode: "serial" });

const dataDir = dataDirPerTest();

/** The server processes the primary started (its children). */
function serverProcesses(primary: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(primary)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The status of a GET on a connection of its own (a kept-alive one may be the dead process's). */
function statusOnNewConnection(pathname: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port: OWN_PORT, path: pathname, agent: false, headers: { Cookie: cookie } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

/**
 * An incident's live stream, each on a connection of its own: the primary hands new connections
 * to its processes in turn, so streams opened one after another are served by each in turn.
 */
function openStream(pathname: string, cookie: string): Promise<{ received: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port: OWN_PORT, path: pathname, agent: false, headers: { Cookie: cookie, Accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`the stream answered ${response.statusCode}`));
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => void (text += chunk));
      resolve({ received: () => text, close: () => request.destroy() });
    });
    request.on("error", reject);
  });
}

test("a change made through one process reaches the live streams served by every other", async () => {
  const log: string[] = [];
  const server = await startServer(dataDir(), { log, env: { WEB_CONCURRENCY: "2" } });
  const streams: Awaited<ReturnType<typeof openStream>>[] = [];
  try {
    await expect.poll(() => log.some((line) => line.includes("Hindsight is serving from 2 processes"))).toBe(true);
    expect(serverProcesses(server.pid!)).toHaveLength(2);
    const cookie = await incidentInAnalysis("Checkout queue backed up");

    for (let i = 0; i < 4; i++) streams.push(await openStream("/incidents/INC-1/events", cookie));
    // Each has caught up with the incident's history so far: reported, then moved to analysis.
    await expect.poll(() => streams.filter((stream) => stream.received().includes('"seq":2,"kind":"incident.moved"')).length).toBe(4);

    const question = "Why did the consumers fall behind?";
    expect((await post("/incidents/INC-1?index", { intent: "add-why", question, answer: "Two of the four were stuck on one poisoned message." }, cookie)).status).toBe(302);
    // Through the primary at once; a stream would otherwise read it only at its next check, 15 s on.
    await expect.poll(() => streams.filter((stream) => stream.received().includes('"seq":3,"kind":"why.added"')).length, { timeout: 10_000 }).toBe(4);
  } finally {
    for (const stream of streams) stream.close();
    server.kill("SIGTERM");
    await exited(server);
  }
});

test("a process that dies is started again, the other untouched; stopping the primary stops them all", async () => {
  test.setTimeout(120_000);
  const log: string[] = [];
  const server = await startServer(dataDir(), { log, env: { WEB_CONCURRENCY: "2" } });
  try {
    await expect.poll(() => log.some((line) => line.includes("Hindsight is serving from 2 processes"))).toBe(true);
    const cookie = await firstAdmin();
    const [victim, survivor] = serverProcesses(server.pid!);
    process.kill(victim, "SIGKILL");
    // Started again in its place; the other served on, untouched.
    await expect.poll(() => serverProcesses(server.pid!).filter((pid) => pid !== victim).length).toBe(2);
    const now = serverProcesses(server.pid!);
    expect(now).toContain(survivor);
    expect(now).not.toContain(victim);
    for (let i = 0; i < 4; i++) expect(await statusOnNewConnection("/incidents", cookie)).toBe(200);

    server.kill("SIGTERM");
    expect(await exited(server)).toBe(0);
    for (const pid of now) expect(alive(pid), `server process ${pid} after the primary stopped`).toBe(false);
  } finally {
    server.kill("SIGKILL");
    await exited(server);
  }
});

test("a primary killed outright leaves no server process behind", async () => {
  const log: string[] = [];
  const server = await startServer(dataDir(), { log, env: { WEB_CONCURRENCY: "2" } });
  await expect.poll(() => log.some((line) => line.includes("Hindsight is serving from 2 processes"))).toBe(true);
  const children = serverProcesses(server.pid!);
  expect(children).toHaveLength(2);
  server.kill("SIGKILL");
  await exited(server);
  await expect.poll(() => children.filter(alive)).toEqual([]);
});
