// A production server of its own for the specs that stop, kill or load it: its own port and a
// fresh database, beside the suite's server. Requests go over plain HTTP, as forms post them.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { databaseFor, type ServerDatabase, type Stored } from "./stored";

/**
 * E2E_PORT + 17 when nothing listens there, else a free one the system hands out (another run,
 * or another checkout's, may hold it). Decided once, when the module loads, because specs pass
 * OWN_BASE to the server before it starts; in a child process, because binding is asynchronous.
 */
function ownPort(): number {
  const preferred = Number(process.env.E2E_PORT ?? "3100") + 17;
  const script = `const net = require("node:net");
const listen = (port, fallback) => {
  const server = net.createServer();
  server.once("error", fallback);
  server.listen(port, "127.0.0.1", () => {
    const bound = server.address().port;
    server.close(() => process.stdout.write(String(bound)));
  });
};
listen(${preferred}, () => listen(0, (error) => { throw error; }));`;
  return Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim());
}

export const OWN_PORT = ownPort();
export const OWN_BASE = `http://127.0.0.1:${OWN_PORT}`;

export function freshDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-own-"));
}

/**
 * A fresh data folder for each test of the file, removed after it: call at the top level. A
 * server a failed test left running is stopped first, so it cannot answer for the next one.
 */
export function dataDirPerTest(): () => string {
  let dir = "";
  test.beforeEach(() => {
    dir = freshDataDir();
  });
  test.afterEach(async () => {
    await Promise.all([...running].map((child) => (child.kill("SIGKILL"), exited(child))));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

const databases = new Map<string, Promise<ServerDatabase>>();

/** The database of a data folder, made once: a server restarted on the folder finds its data. */
export function databaseOf(dataDir: string): Promise<ServerDatabase> {
  let database = databases.get(dataDir);
  if (!database) databases.set(dataDir, (database = databaseFor(dataDir)));
  return database;
}

/** Servers started and not yet exited. */
const running = new Set<ChildProcess>();

/**
 * Starts the server, with more environment when given; with `log`, its standard output (the
 * request log) is collected there. On OWN_PORT unless another `port` is given (a second process
 * on the same data folder).
 */
export async function startServer(dataDir: string, options: { log?: string[]; env?: Record<string, string>; port?: number } = {}): Promise<ChildProcess> {
  const { log, port = OWN_PORT } = options;
  const base = `http://127.0.0.1:${port}`;
  // Another server on the port (one a failed test left) would answer for this one.
  if (await fetch(`${base}/healthz`).then(() => true, () => false)) throw new Error(`port ${port} is already taken by a server`);
  const { env: database } = await databaseOf(dataDir);
  const child = spawn(process.execPath, ["server.js"], {
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", ...database, SCHEDULER: "false", SESSION_WRITES_PER_10S: "100000", WEB_CONCURRENCY: "1", ...options.env },
    stdio: ["ignore", log ? "pipe" : "ignore", "inherit"],
  });
  if (log) {
    let rest = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      log.push(...lines);
    });
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it answered`);
    const answer = await fetch(`${base}/healthz`).then((r) => r.status, () => 0);
    if (answer === 200) return child;
    if (Date.now() > deadline) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs `body` against a server of its own on a fresh database, on the run's engine, with what it
 * stores open beside it; then stops the server and removes the data.
 */
export async function withOwnStore(options: Parameters<typeof startServer>[1], body: (stored: Stored, dataDir: string, server: ChildProcess) => Promise<void>): Promise<void> {
  const dataDir = freshDataDir();
  const server = await startServer(dataDir, options);
  const stored = await (await databaseOf(dataDir)).open();
  try {
    await body(stored, dataDir, server);
  } finally {
    await stored.close();
    server.kill("SIGTERM");
    await exited(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Waits until the server has sent what its outbox holds. It sends an invitation or a reset link
 * right after the request that queued it has been answered, writing each message's state as it
 * goes: a check that a later request changed nothing must not count those writes.
 */
export async function outboxSent(stored: Stored): Promise<void> {
  const unsent = () => stored.value<number>("select count(*) from outbox where status in ('pending', 'sending')");
  await expect.poll(unsent, { message: "emails the server is still sending" }).toBe(0);
}

export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once("exit", (code) => r(code)));
}

/** A form post as the browser sends it (same origin); redirects are not followed. */
export function post(pathname: string, form: Record<string, string> | URLSearchParams, cookie = "", headers: Record<string, string> = {}) {
  return fetch(OWN_BASE + pathname, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: OWN_BASE, Cookie: cookie, ...headers },
    body: form instanceof URLSearchParams ? form : new URLSearchParams(form),
  });
}

export function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("hs_session="));
  expect(cookie, `no session cookie from a ${response.status}`).toBeTruthy();
  return cookie!.split(";")[0];
}

export const ADMIN_EMAIL = "casey@example.com";
export const ADMIN_PASSWORD = "own-server-password";
export const MEMBER_PASSWORD = "member-password-1";

/** Creates the first admin through the setup page; their session cookie. */
export async function firstAdmin(): Promise<string> {
  const response = await post("/setup", { name: "Casey Admin", email: ADMIN_EMAIL, team: "SRE", password: ADMIN_PASSWORD });
  expect(response.status).toBe(302);
  return sessionCookie(response);
}

/** The admin adds a member, who sets a password through the one-time link; their cookie. */
export async function addMember(adminCookie: string, name: string, email: string, links: string[] = []): Promise<string> {
  const added = await post("/admin/users", { intent: "add", name, email, team: "Platform", role: "member" }, adminCookie);
  const link = /\/set-password\/([A-Za-z0-9_-]+)/.exec(await added.text())?.[1];
  expect(link, `no set-password link for ${email}`).toBeTruthy();
  links.push(link!);
  const set = await post(`/set-password/${link}`, { password: MEMBER_PASSWORD, confirm: MEMBER_PASSWORD });
  expect(set.status).toBe(302);
  return sessionCookie(set);
}

/**
 * The first admin reports an incident and moves it to analysis, as the specs that work on one
 * incident over HTTP begin: INC-1, ready for whys. The admin's cookie.
 */
export async function incidentInAnalysis(title: string): Promise<string> {
  const admin = await firstAdmin();
  expect((await post("/incidents/new", reportForm(title), admin)).status).toBe(302);
  expect((await post("/incidents/INC-1?index", { intent: "move", to: "analysis" }, admin)).status).toBe(302);
  return admin;
}

export const reportForm = (title: string) => ({
  title,
  severity: "SEV3",
  startedAt: "2026-11-20T10:00",
  services: "web",
  impactMd: `${title}: written over HTTP.`,
  visibility: "org",
  facilitatorId: "1",
});

export type Route = { id: string; path?: string; index?: boolean; parentId?: string; hasLoader: boolean; hasAction: boolean; hasComponent: boolean };

/** The production build's routes, read in a process of its own (loading the build opens a database). */
export function manifest(dataDir: string): Route[] {
  const script = `import("./build/server/index.js").then((b) => console.log("ROUTES" + JSON.stringify(Object.values(b.routes).map((r) => ({ id: r.id, path: r.path, index: r.index, parentId: r.parentId, hasLoader: Boolean(r.module.loader), hasAction: Boolean(r.module.action), hasComponent: Boolean(r.module.default) })))))`;
  const out = execFileSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production", SCHEDULER: "false", DATABASE_PATH: path.join(dataDir, "manifest.db") },
  });
  return JSON.parse(out.slice(out.indexOf("ROUTES") + 6)) as Route[];
}

/** The route's path with its parents', parameters filled in; index routes get `?index`, as their forms post. */
export function urlOf(route: Route, routes: Route[], params: Record<string, string> = {}): string {
  const segments: string[] = [];
  for (let r: Route | undefined = route; r; r = routes.find((x) => x.id === r!.parentId)) if (r.path) segments.unshift(r.path);
  const filled: Record<string, string> = { ref: "INC-1", id: "1", token: "not-a-real-token", ...params };
  const pathname = `/${segments.join("/")}`.replace(/:(\w+)/g, (_, name: string) => filled[name] ?? `:${name}`).replace("/*", "/no-such-page");
  return route.index ? `${pathname}?index` : pathname;
}
