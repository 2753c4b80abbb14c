// npm run bench:live [-- --sessions 20 --participants 10 --writes 200 --pace 75 --drop 0.1 --json figures.json]
//
// How live updates hold up with many people watching: a throw-away database with `sessions`
// restricted incidents, each with `participants` people of its own, served by the production
// build (npm run build first) with the flags npm start uses. Every person signs in over HTTP and
// opens the incident's event stream, as the page does; then writes are posted one every `pace`
// ms, round robin over the incidents, each by one of the incident's people. For each write it
// measures how long its event took to reach every one of the incident's streams, from the
// write's response (the change committed) and from its request. Every stream must receive every
// event of its incident exactly once and in order; part way through, a tenth of the streams are
// dropped and come back with Last-Event-ID, and must then get exactly what they missed. Prints
// the latencies, events lost or duplicated, the server's CPU time and memory, and the targets.
// Exits non-zero when an event was lost, duplicated or out of order, never because of a figure.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { freePort } from "./ports";

const say = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

// --- Options ---------------------------------------------------------------------------------------

const USAGE =
  "Usage: npm run bench:live -- [--sessions 20] [--participants 10] [--writes N] [--pace 75] [--drop 0.1] [--offline MS] [--settle 10000] [--json FILE]";

function readOptions() {
  try {
    return parseArgs({
      options: {
        sessions: { type: "string", default: "20" },
        participants: { type: "string", default: "10" },
        writes: { type: "string" },
        pace: { type: "string", default: "75" },
        drop: { type: "string", default: "0.1" },
        offline: { type: "string" },
        settle: { type: "string", default: "10000" },
        json: { type: "string" },
      },
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message.split(". ")[0] : String(error)}. ${USAGE}`);
  }
}

const options = readOptions();

function count(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number of at least ${min}, not “${text}”. ${USAGE}`);
  return n;
}

const SESSIONS = count("sessions", options.sessions, 1);
const PARTICIPANTS = count("participants", options.participants, 1);
const WRITES = count("writes", options.writes ?? String(SESSIONS * 10), 1);
const PACE_MS = count("pace", options.pace, 0);
const DROP = Number(options.drop);
if (!(DROP >= 0 && DROP <= 1)) fail(`--drop must be a fraction of the streams between 0 and 1, not “${options.drop}”. ${USAGE}`);
// Long enough that each dropped stream misses about two writes to its incident.
const OFFLINE_MS = count("offline", options.offline ?? String(Math.max(1000, 2 * SESSIONS * PACE_MS)), 0);
const SETTLE_MS = count("settle", options.settle, 0);
const PASSWORD = "hindsight-live-bench";
const TARGETS = { p95Ms: 250, lost: 0, rssMb: 300 };

const BUILD = path.resolve("build/server/index.js");
if (!fs.existsSync(BUILD)) fail("No production build in build/: run `npm run build` first.");

// --- Clean-up, whatever happens --------------------------------------------------------------------

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-live-"));
const DB = path.join(dir, "live.db");
let server: ChildProcess | undefined;
let reader: Database.Database | undefined;
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

// --- Data: incidents, each with people of its own ---------------------------------------------------

type Person = { id: number; email: string };
type Incident = { id: number; ref: string; people: Person[]; startSeq: number };

/** Made through the app's models and factories, as test data is; one password hash for everyone. */
async function seed(): Promise<Incident[]> {
  // The app's modules read DATABASE_PATH when first used: set before they are loaded.
  process.env.DATABASE_PATH = DB;
  const { db, openAppDatabase, schema, sqliteOf } = await import("~/lib/db.server");
  const { DATA_MIGRATIONS } = await import("~/models/data-migrations.server");
  const { hashPassword } = await import("~/lib/password.server");
  const { setPeople } = await import("~/models/incident.server");
  const { startSession } = await import("~/models/live-session.server");
  const { advanceTo } = await import("../../db/factories");
  const { latestChange } = await import("~/models/live.server");
  const { createIncident, createUser } = await import("../../db/factories");
  await openAppDatabase(DATA_MIGRATIONS);
  const incidents: Incident[] = [];
  for (let s = 1; s <= SESSIONS; s++) {
    const people: Person[] = [];
    for (let p = 1; p <= PARTICIPANTS; p++) {
      const user = await createUser({ name: `Session ${s} person ${p}`, email: `live-${s}-${p}@example.com`, team: "Platform" });
      people.push({ id: user.id, email: user.email });
    }
    // Restricted, so each stream's rights check is the one a private incident's people go through.
    const facilitator = { id: people[0].id, role: "member" as const };
    const incident = await createIncident(facilitator, { title: `Live session ${s}`, visibility: "restricted" });
    await setPeople(facilitator, incident.id, facilitator.id, people.slice(1).map((p) => p.id));
    // A live session in progress: everyone's stream is the session page's, which counts them as here.
    await advanceTo(facilitator, incident.id, "analysis");
    await startSession(facilitator, incident.id, { anonymous: true });
    incidents.push({ id: incident.id, ref: incident.reference, people, startSeq: await latestChange(incident.id) });
  }
  // Hashing is slow on purpose: one hash serves every account (each sign-in still verifies it).
  await db().update(schema.users).set({ passwordHash: hashPassword(PASSWORD) }).run();
  sqliteOf(db()).close();
  return incidents;
}

// --- The server ------------------------------------------------------------------------------------

async function startServer(port: number): Promise<ChildProcess> {
  const serverFlags = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { config?: { serverFlags?: string } }).config?.serverFlags?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...serverFlags, "server.js"], {
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", DATABASE_PATH: DB, SCHEDULER: "false" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.on("exit", (code, signal) => {
    if (!stopping) fail(`The server stopped during the run (${code ?? signal}).`);
  });
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  for (;;) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return child;
    if (performance.now() - started > 30_000) fail("The server did not answer /healthz within 30 s.");
    await new Promise((r) => setTimeout(r, 50));
  }
}

let stopping = false;

async function stopServer(child: ChildProcess): Promise<void> {
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The server's CPU time so far (user + system) in seconds, from /proc; undefined without it. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name, which is in parentheses and may hold spaces: utime and
    // stime are the 14th and 15th fields of the line, the 12th and 13th after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** The server's resident memory in MB: its peak (VmHWM) and now (VmRSS). */
function memoryMb(pid: number): { peak?: number; now?: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => {
      const kb = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
      return kb ? Number(kb[1]) / 1024 : undefined;
    };
    return { peak: field("VmHWM"), now: field("VmRSS") };
  } catch {
    return {};
  }
}

// --- HTTP as the browser does it ---------------------------------------------------------------------

async function signIn(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email, password: PASSWORD }),
  });
  await response.arrayBuffer();
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("hs_session="));
  if (response.status !== 302 || !cookie) fail(`Signing in as ${email} failed (${response.status}).`);
  return cookie.split(";")[0];
}

/**
 * The change measured, posted as the session page's forms do: in turn a timeline entry (a change
 * to the analysis, in its history) and "I'm ready" (a step of the session). Any change will do that
 * answers with a redirect once committed and adds to the incident's stream (live_events), where
 * measuredWrite reads which events it made.
 */
const readyNow = new Map<string, boolean>();
/** "I'm ready", then "Not ready yet", in turn for each person: saying again what is so changes nothing. */
function readyToggle(cookie: string): Record<string, string> {
  const ready = !readyNow.get(cookie);
  readyNow.set(cookie, ready);
  return ready ? { intent: "ready", ready: "on" } : { intent: "ready" };
}

async function write(base: string, incident: Incident, cookie: string, n: number): Promise<Response> {
  const at = new Date(Date.UTC(2026, 9, 6, 14, 2) + n * 60_000).toISOString().slice(0, 16);
  const form: Record<string, string> =
    n % 2 === 0
      ? { intent: "add-entry", at, bodyMd: `Live bench write ${n}: the queue drained.` }
      : readyToggle(cookie);
  return await fetch(`${base}/incidents/${incident.ref}/session`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base, Cookie: cookie },
    body: new URLSearchParams(form),
  });
}

// --- Server-Sent Events, read as EventSource does ----------------------------------------------------

type StreamEvent = { name: string; data: string; id?: string };

/**
 * The text/event-stream format: lines end with CRLF, LF or CR; a blank line ends an event;
 * `event`, `data` (several joined by newlines), `id` and `retry` fields; lines starting with a
 * colon are comments. An event with no data is not dispatched. `id` here is the event's own id
 * line, if it had one (EventSource would repeat the previous one).
 */
class EventStreamParser {
  private buffer = "";
  private name = "";
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly dispatch: (event: StreamEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    const newline = /\r\n|\r|\n/g;
    let from = 0;
    for (let match = newline.exec(this.buffer); match; match = newline.exec(this.buffer)) {
      // A CR at the end of what arrived may be the first half of a CRLF.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      this.line(this.buffer.slice(from, match.index));
      from = newline.lastIndex;
    }
    this.buffer = this.buffer.slice(from);
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) this.dispatch({ name: this.name || "message", data: this.data.join("\n"), id: this.id });
      this.name = "";
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.name = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}

type Received = { seq: number; kind: string; at: number; connection: number };

/** One person's stream of one incident, across its reconnections. */
class Watcher {
  /** Events with an id, in the order they arrived. */
  readonly received: Received[] = [];
  readonly seen = new Set<number>();
  /** Events by name, with an id or without. */
  readonly byName = new Map<string, number>();
  /** When each connection (0 the first, then each reconnection) had its response. */
  readonly connectedAt: number[] = [];
  lastId: number;
  endedByServer = 0;
  private request: http.ClientRequest | undefined;
  private open = false;

  constructor(
    readonly base: string,
    readonly incident: Incident,
    readonly person: Person,
    readonly cookie: string,
  ) {
    this.lastId = incident.startSeq;
  }

  /** Connects, as the page does the first time (`after`) and as EventSource does again (Last-Event-ID). */
  connect(): Promise<void> {
    const connection = this.connectedAt.length;
    const url = `${this.base}/incidents/${this.incident.ref}/events?after=${this.incident.startSeq}&presence=1`;
    const headers: Record<string, string> = { Accept: "text/event-stream", Cookie: this.cookie };
    if (connection > 0) headers["Last-Event-ID"] = String(this.lastId);
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers, agent: false }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`${this.person.email}'s stream of ${this.incident.ref} answered ${response.statusCode}`));
          return;
        }
        this.open = true;
        this.connectedAt.push(performance.now());
        const parser = new EventStreamParser((event) => this.heard(event, connection));
        response.setEncoding("utf8");
        response.on("data", (text: string) => parser.push(text));
        response.on("end", () => {
          if (this.open && this.request === request) this.endedByServer += 1;
          this.open = false;
        });
        response.on("error", () => {});
        resolve();
      });
      request.on("error", (error) => {
        if (!this.open) reject(error);
      });
      this.request = request;
    });
  }

  private heard(event: StreamEvent, connection: number) {
    const at = performance.now();
    this.byName.set(event.name, (this.byName.get(event.name) ?? 0) + 1);
    if (event.id === undefined) return;
    const seq = Number(event.id);
    let kind = "";
    try {
      kind = String((JSON.parse(event.data) as { kind?: unknown }).kind ?? "");
    } catch {
      // Not JSON: counted as an event of another incident below, since none of its kinds match.
    }
    this.received.push({ seq, kind, at, connection });
    this.seen.add(seq);
    this.lastId = seq;
  }

  /** Drops the connection abruptly, as a network would: no goodbye. */
  drop(): void {
    this.open = false;
    this.request?.destroy();
    this.request = undefined;
  }

  close(): void {
    this.drop();
  }
}

/** Runs `work` over `items`, at most `limit` at once. */
async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- Run -----------------------------------------------------------------------------------------------

say(`Seeding ${SESSIONS} incidents × ${PARTICIPANTS} people into a throw-away database…`);
const incidents = await seed();

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
say("Starting the production server…");
server = await startServer(port);
const pid = server.pid!;
const cpuAtStart = cpuSeconds(pid);
reader = new Database(DB, { readonly: true, fileMustExist: true });

say(`Signing in ${SESSIONS * PARTICIPANTS} people…`);
const cookies = new Map<number, string>();
const signInStarted = performance.now();
const everyone = incidents.flatMap((incident) => incident.people);
await inBatches(everyone, 4, async (person) => cookies.set(person.id, await signIn(base, person.email)));
const signInMs = performance.now() - signInStarted;

say(`Opening ${SESSIONS * PARTICIPANTS} event streams…`);
const watchers = incidents.flatMap((incident) => incident.people.map((person) => new Watcher(base, incident, person, cookies.get(person.id)!)));
const watchersOf = new Map(incidents.map((incident) => [incident.id, watchers.filter((w) => w.incident === incident)]));
const openStarted = performance.now();
await inBatches(watchers, 20, (watcher) => watcher.connect());
const openMs = performance.now() - openStarted;

// Part way through the writes, a share of the streams drop and come back after OFFLINE_MS.
const dropCount = DROP === 0 ? 0 : Math.max(1, Math.round(watchers.length * DROP));
const dropped = Array.from({ length: dropCount }, (_, i) => watchers[Math.floor(((i + 0.5) * watchers.length) / dropCount)]);
const dropAtWrite = Math.floor(WRITES * 0.4);
const reconnections: Promise<void>[] = [];
const reconnectFailures: string[] = [];

type Write = { n: number; incident: Incident; sentAt: number; respondedAt: number; status: number; seqs: number[] };
const writes: Write[] = [];
const lastSeqOf = new Map(incidents.map((incident) => [incident.id, incident.startSeq]));
const eventsAfter = reader.prepare("select number from live_events where incident_id = ? and number > ? order by number").pluck();
// Arrivals announced as the streams opened are no write's: the writes' events start after them.
for (const incident of incidents) lastSeqOf.set(incident.id, Math.max(incident.startSeq, ...(eventsAfter.all(incident.id, incident.startSeq) as number[])));

/**
 * One write and the events it made. A write to an incident waits for the previous one to it, so
 * the events the history gained in between are this write's own: read from the database (the
 * benchmark is the only writer), never guessed from what the streams deliver.
 */
async function measuredWrite(n: number, incident: Incident): Promise<void> {
  const person = incident.people[Math.floor(n / SESSIONS) % incident.people.length];
  const sentAt = performance.now();
  const response = await write(base, incident, cookies.get(person.id)!, n);
  const respondedAt = performance.now();
  await response.arrayBuffer();
  const seqs = eventsAfter.all(incident.id, lastSeqOf.get(incident.id)) as number[];
  if (seqs.length > 0) lastSeqOf.set(incident.id, seqs.at(-1)!);
  writes.push({ n, incident, sentAt, respondedAt, status: response.status, seqs });
}

say(`Writing ${WRITES} times, one every ${PACE_MS} ms round robin; ${dropCount} streams drop at write ${dropAtWrite + 1} for ${OFFLINE_MS} ms…`);
const cpuBeforeWrites = cpuSeconds(pid);
const writesStarted = performance.now();
const pending = new Map<number, Promise<void>>();
const inFlight = new Map<number, number>();
let writesHeldBack = 0;
for (let n = 0; n < WRITES; n++) {
  const due = writesStarted + n * PACE_MS;
  if (due > performance.now()) await sleep(due - performance.now());
  if (n === dropAtWrite) {
    for (const watcher of dropped) watcher.drop();
    for (const watcher of dropped) {
      reconnections.push(
        sleep(OFFLINE_MS)
          .then(() => watcher.connect())
          .catch((error: unknown) => void reconnectFailures.push(error instanceof Error ? error.message : String(error))),
      );
    }
  }
  const incident = incidents[n % SESSIONS];
  if ((inFlight.get(incident.id) ?? 0) > 0) writesHeldBack += 1;
  inFlight.set(incident.id, (inFlight.get(incident.id) ?? 0) + 1);
  const done = () => void inFlight.set(incident.id, inFlight.get(incident.id)! - 1);
  pending.set(incident.id, (pending.get(incident.id) ?? Promise.resolve()).then(() => measuredWrite(n, incident)).finally(done));
}
await Promise.all(pending.values());
await Promise.all(reconnections);
const writesMs = performance.now() - writesStarted;

// Every event of every incident (after the streams began), from its history.
const eventsOf = new Map<number, number[]>(incidents.map((incident) => [incident.id, eventsAfter.all(incident.id, incident.startSeq) as number[]]));
const settleStarted = performance.now();
const everythingArrived = () => watchers.every((w) => eventsOf.get(w.incident.id)!.every((seq) => w.seen.has(seq)));
while (!everythingArrived() && performance.now() - settleStarted < SETTLE_MS) await sleep(20);
const phaseMs = performance.now() - writesStarted;
const cpuAfterWrites = cpuSeconds(pid);
const memory = memoryMb(pid);
// A little longer, so that an event sent twice or late has the time to show.
await sleep(200);
for (const watcher of watchers) watcher.close();
await stopServer(server);

// --- What arrived ------------------------------------------------------------------------------------

// Each incident numbers its own events: what a stream received must be its own incident's event
// of that number (the same kind), never another's.
const kindsOf = reader.prepare("select number, kind from live_events where incident_id = ?");
const kindOf = new Map(
  incidents.map((incident) => [incident.id, new Map((kindsOf.all(incident.id) as { number: number; kind: string }[]).map((r) => [r.number, r.kind]))]),
);

/**
 * What each stream of the incident must receive, in this order: every event in its history since
 * the streams began, and any event with an id that another stream of it received and the history
 * does not hold (another kind of event on the same stream). An event of another incident is never
 * expected.
 */
function expectedOf(incidentId: number): number[] {
  const expected = new Set(eventsOf.get(incidentId));
  const known = kindOf.get(incidentId)!;
  for (const watcher of watchersOf.get(incidentId)!) for (const { seq } of watcher.received) if (!known.has(seq)) expected.add(seq);
  return [...expected].sort((a, b) => a - b);
}

let lost = 0;
let duplicated = 0;
let outOfOrder = 0;
let foreign = 0;
const byName = new Map<string, number>();
for (const incident of incidents) {
  const expected = expectedOf(incident.id);
  for (const watcher of watchersOf.get(incident.id)!) {
    const seen = new Set<number>();
    let highest = incident.startSeq;
    const known = kindOf.get(incident.id)!;
    for (const { seq, kind } of watcher.received) {
      if (known.has(seq) && known.get(seq) !== kind) foreign += 1;
      else if (seen.has(seq)) duplicated += 1;
      else if (seq < highest) outOfOrder += 1;
      seen.add(seq);
      highest = Math.max(highest, seq);
    }
    lost += expected.filter((seq) => !seen.has(seq)).length;
    for (const [name, n] of watcher.byName) byName.set(name, (byName.get(name) ?? 0) + n);
  }
}
const endedByServer = watchers.reduce((sum, w) => sum + w.endedByServer, 0);
const reconnected = dropped.filter((w) => w.connectedAt.length > 1).length;
const failedWrites = writes.filter((w) => w.status !== 302 || w.seqs.length === 0);

// Latency of each delivery of a write's last event to each stream of its incident: "live" when the
// stream's connection was open before the write was sent, "caught up" when it came on a
// reconnection (what was missed while away).
const afterResponse: number[] = [];
const afterRequest: number[] = [];
let caughtUp = 0;
for (const w of writes) {
  const seq = w.seqs.at(-1);
  if (seq === undefined) continue;
  for (const watcher of watchersOf.get(w.incident.id)!) {
    const delivery = watcher.received.find((r) => r.seq === seq);
    if (!delivery) continue;
    if (watcher.connectedAt[delivery.connection] > w.sentAt) {
      caughtUp += 1;
      continue;
    }
    afterResponse.push(delivery.at - w.respondedAt);
    afterRequest.push(delivery.at - w.sentAt);
  }
}
const writeMs = writes.map((w) => w.respondedAt - w.sentAt);

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN };
}
const latency = { afterResponse: percentiles(afterResponse), afterRequest: percentiles(afterRequest), write: percentiles(writeMs) };
const cpu =
  cpuBeforeWrites !== undefined && cpuAfterWrites !== undefined && cpuAtStart !== undefined
    ? { phaseSeconds: cpuAfterWrites - cpuBeforeWrites, phaseShare: (cpuAfterWrites - cpuBeforeWrites) / (phaseMs / 1000), sinceReadySeconds: cpuAfterWrites - cpuAtStart }
    : undefined;

// --- Report -------------------------------------------------------------------------------------------

const ms = (n: number) => (Number.isNaN(n) ? "—" : `${Math.abs(n) < 10 ? n.toFixed(1) : Math.round(n)} ms`);
const trio = (p: { p50: number; p95: number; max: number }) => `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.max)}`;
const whole = (n: number) => n.toLocaleString("en");
const rows: [string, string][] = [
  ["sessions × participants", `${SESSIONS} × ${PARTICIPANTS} (${whole(everyone.length)} people)`],
  ["connections", `${whole(watchers.length)} (opened in ${ms(openMs)}; sign-ins took ${ms(signInMs)})`],
  ["writes", `${whole(writes.length)}, one every ${PACE_MS} ms over ${(writesMs / 1000).toFixed(1)} s (${writesHeldBack} waited for the previous one to their incident)`],
  ["write response p50 / p95 / max", trio(latency.write)],
  ["deliveries", `${whole(afterResponse.length + caughtUp)} (${whole(afterResponse.length)} live, ${whole(caughtUp)} caught up on reconnection)`],
  ["latency after response p50 / p95 / max", trio(latency.afterResponse)],
  ["latency after request p50 / p95 / max", trio(latency.afterRequest)],
  ["events received by name", [...byName].map(([name, n]) => `${name} ${whole(n)}`).join(", ") || "none"],
  ["events lost", whole(lost)],
  ["events duplicated", whole(duplicated)],
  ["events out of order", whole(outOfOrder)],
  ["events of another incident", whole(foreign)],
  ["reconnects", `${reconnected} of ${dropped.length} dropped streams, with Last-Event-ID`],
  ["streams ended by the server", whole(endedByServer)],
  ["server CPU, writes until delivered", cpu ? `${cpu.phaseSeconds.toFixed(2)} s user+system, ${Math.round(cpu.phaseShare * 100)}% of one core over ${(phaseMs / 1000).toFixed(1)} s` : "n/a (no /proc)"],
  ["server CPU since ready", cpu ? `${cpu.sinceReadySeconds.toFixed(2)} s (sign-ins included)` : "n/a (no /proc)"],
  ["server RSS peak / at end", memory.peak === undefined ? "n/a (no /proc)" : `${Math.round(memory.peak)} MB / ${Math.round(memory.now ?? NaN)} MB`],
];
const width = Math.max(...rows.map(([name]) => name.length));

const checks = [
  { target: `delivery p95 after the write's response < ${TARGETS.p95Ms} ms`, value: ms(latency.afterResponse.p95), ok: latency.afterResponse.p95 < TARGETS.p95Ms },
  { target: "no event lost, duplicated or out of order", value: `${lost} lost, ${duplicated} duplicated, ${outOfOrder} out of order`, ok: lost === 0 && duplicated === 0 && outOfOrder === 0 && foreign === 0 },
  { target: `server peak RSS < ${TARGETS.rssMb} MB`, value: memory.peak === undefined ? "not measured" : `${Math.round(memory.peak)} MB`, ok: memory.peak !== undefined && memory.peak < TARGETS.rssMb },
];

say("");
say(`Hindsight live updates: ${SESSIONS} incidents × ${PARTICIPANTS} people watching each, production build`);
say(`${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}`);
say("");
for (const [name, value] of rows) say(`${name.padEnd(width)}  ${value}`);
say("");
say("Latency: from the write's response (committed) or its request, to each stream of the incident receiving its event.");
say("Targets:");
for (const c of checks) say(`  ${c.ok ? "met    " : "MISSED "} ${c.target}: ${c.value}`);

const problems: string[] = [];
if (lost + duplicated + outOfOrder + foreign > 0) problems.push(`events lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}, of another incident ${foreign}`);
if (failedWrites.length > 0) problems.push(`${failedWrites.length} writes failed or made no event (first: status ${failedWrites[0].status})`);
if (reconnectFailures.length > 0) problems.push(`${reconnectFailures.length} reconnections failed (${reconnectFailures[0]})`);
if (endedByServer > 0) problems.push(`${endedByServer} streams were ended by the server`);

if (options.json) {
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout?.trim() || null;
  const report = {
    date: new Date().toISOString(),
    commit,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model.trim(), node: process.version },
    settings: { sessions: SESSIONS, participants: PARTICIPANTS, writes: WRITES, paceMs: PACE_MS, drop: DROP, offlineMs: OFFLINE_MS },
    connections: watchers.length,
    writes: { count: writes.length, failed: failedWrites.length, heldBack: writesHeldBack, responseMs: latency.write },
    deliveries: { live: afterResponse.length, caughtUp, afterResponseMs: latency.afterResponse, afterRequestMs: latency.afterRequest },
    events: { lost, duplicated, outOfOrder, foreign, byName: Object.fromEntries(byName) },
    reconnects: { dropped: dropped.length, reconnected, failed: reconnectFailures.length },
    server: { cpu: cpu ?? null, rssPeakMb: memory.peak ?? null, rssAtEndMb: memory.now ?? null, streamsEnded: endedByServer },
    targets: checks,
    problems,
  };
  fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  say(`Figures written to ${options.json}`);
}

if (problems.length > 0) fail(`\nFailed: ${problems.join("; ")}.`);
process.exit(0);
