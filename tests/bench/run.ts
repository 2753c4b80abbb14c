// npm run bench [-- --db data/bench.db --duration 10 --warmup 2 --connections 10 --json figures.json --skip-profile]
//                [-- --database-url postgres://…]: the same on PostgreSQL, an empty database filled
//                with the bench file first (npm run db:copy), or one filled so before
//
// Loads Hindsight's pages on the bench data set (npm run seed:bench) with wrk over loopback, on
// one server process and on one per core (as npm start runs), and prints them side by side with
// two references measured in the same run:
//   the framework floor: a trivial page of the same app and server (no database work);
//   the bare limit: a plain node:http server running the same loaders (the same SQL) and
//   rendering the same components with renderToString, with no framework.
// Also: cold start to the first 200, the peak RSS of each server process and of all of them, the
// JavaScript each page ships (gzip), and the time to render the digest of a week with 200
// publications.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { freePort } from "./ports";
import Database from "better-sqlite3";
import { summariseProfile } from "./profile";
import { ensureWrk, load as wrk, type Load } from "./wrk";

const { values: options } = parseArgs({
  options: {
    db: { type: "string", default: "data/bench.db" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    json: { type: "string" },
    user: { type: "string", default: "bench-member@example.com" },
    "skip-profile": { type: "boolean", default: false },
    "database-url": { type: "string" },
  },
});
const DATABASE_URL = options["database-url"];
const DB = path.resolve(options.db!);
const DURATION = Number(options.duration);
const WARMUP = Number(options.warmup);
const CONNECTIONS = Number(options.connections);
const PASSWORD = "hindsight-bench";
const BARE_BUNDLE = path.resolve("build/bench/bare.js");

const TARGETS = { p99Ms: 100, incidentReqPerSec: 630, incidentP99Ms: 60, rssMb: 250, coldStartMs: 2000, digestMs: 1000, jsKb: 150 };
/** Server processes as npm start runs them on this machine: one per core. */
const PROCESSES = os.availableParallelism();

type Page = { name: string; path: string; signedIn: boolean };
/** A page's figures on one process (`one`, beside the bare server's) and on PROCESSES (the rest). */
/**
 * A page's figures: as npm start serves it (one process per core, kept pages served again), and
 * rendered on every request (the page cache off) on one process and on one per core.
 */
type PageFigures = Page & Load & { one: Load; rendered: Load; bareLoad?: Load; htmlBytes: number; jsGzipBytes: number; inlineGzipBytes: number };

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

if (!fs.existsSync(DB)) fail(`No bench database at ${path.relative(process.cwd(), DB)}. Create it first: npm run seed:bench`);

// --- What to load, chosen from the data ---------------------------------------------------------
// Read from the bench file; on PostgreSQL the database is a copy of it, with the same ids.

const data = new Database(DB, { readonly: true, fileMustExist: true });
const incidentCount = data.prepare("select count(*) from incidents").pluck().get() as number;
const large = data
  .prepare(
    `select i.id,
       (select count(*) from whys w where w.incident_id = i.id) as whys,
       (select count(*) from actions a where a.incident_id = i.id) as actions
     from incidents i
     where i.visibility = 'org' and i.status in ('published', 'closed')
     order by abs(whys - 20) + abs(actions - 10), i.id desc
     limit 1`,
  )
  .get() as { id: number; whys: number; actions: number } | undefined;
if (!large) fail("The bench database has no published incidents; recreate it with npm run seed:bench -- --force");
const busiest = data
  .prepare(
    `select s.service, i.severity, count(*) as n from incident_services s join incidents i on i.id = s.incident_id
     where i.visibility = 'org' group by s.service, i.severity order by n desc limit 1`,
  )
  .get() as { service: string; severity: string };
// The digest of a "busy week": a span holding the 200 latest first publications of org incidents.
const digestWindow = data
  .prepare(
    `select min(id) - 1 as after, max(id) as through, count(*) as n from (
       select p.id from publications p join incidents i on i.id = p.incident_id
       where p.revision = 1 and i.visibility = 'org' order by p.id desc limit 200)`,
  )
  .get() as { after: number; through: number; n: number };
data.close();

/** The servers' database: the bench file, or on PostgreSQL its copy, with the secret every instance shares. */
const DATABASE_ENV: Record<string, string> = DATABASE_URL
  ? { DATABASE_URL, SESSION_SECRET: `bench-${Math.random().toString(36).slice(2)}-${Date.now()}` }
  : { DATABASE_PATH: DB };

/** On PostgreSQL: the bench data copied in when the database is empty; a database holding other data is refused. */
async function ensurePostgresCopy(url: string): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let held: number | null;
  try {
    const table = (await client.query<{ found: string | null }>("select to_regclass('incidents')::text as found")).rows[0].found;
    held = table ? Number((await client.query<{ n: string }>("select count(*) as n from incidents")).rows[0].n) : null;
  } finally {
    await client.end();
  }
  if (held === incidentCount) return;
  if (held) fail(`The PostgreSQL database holds ${held} incidents, not the bench file's ${incidentCount}: give an empty database.`);
  say(`Copying ${path.relative(process.cwd(), DB)} into PostgreSQL (npm run db:copy)…`);
  const copied = spawnSync(process.execPath, ["--import", "tsx", "db/copy.ts", "--from", DB, "--to", url], { stdio: "inherit" });
  if (copied.status !== 0) fail("The copy into PostgreSQL failed.");
}

const ref = `INC-${large.id}`;
const PAGES: Page[] = [
  { name: "Framework floor", path: "/bench/floor", signedIn: false },
  { name: "Incident list", path: "/incidents", signedIn: true },
  { name: `Incident list, ${busiest.service} + ${busiest.severity}`, path: `/incidents?service=${encodeURIComponent(busiest.service)}&severity=${busiest.severity}`, signedIn: true },
  { name: `Incident page (${large.whys} whys, ${large.actions} actions)`, path: `/incidents/${ref}`, signedIn: true },
  { name: "My actions", path: "/actions", signedIn: true },
  { name: "All actions, overdue", path: "/actions/all?overdue=on", signedIn: true },
  { name: "Overdue actions", path: "/actions/overdue", signedIn: true },
  { name: "Learnings feed", path: "/learnings", signedIn: true },
];

// --- Servers -------------------------------------------------------------------------------------

const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill("SIGKILL")));

/** The page cache off: every request renders its page (PAGE_CACHE_MB=0). */
const RENDER_EVERY_TIME = { PAGE_CACHE_MB: "0" };

function start(command: string[], port: number, nodeOptions: string[] = [], processes = 1, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [...nodeOptions, ...command], {
    // Several processes: their primary's output is read for the line that says all of them serve.
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", ...DATABASE_ENV, SCHEDULER: "false", HINDSIGHT_BENCH: "true", WEB_CONCURRENCY: String(processes), ...env },
    stdio: ["ignore", processes > 1 ? "pipe" : "ignore", "inherit"],
  });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (code !== null && code !== 0) fail(`${command.join(" ")} exited with ${code ?? signal}`);
  });
  return child;
}

/** Stops a server and waits until it has exited. */
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Waits until a server started with several processes says all of them serve. */
async function untilServing(child: ChildProcess): Promise<void> {
  let heard = "";
  let waiting = true;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => fail("The server's processes did not all start within 30 s"), 30_000);
    // Read to the end all the same (the request log), so the processes never wait on the pipe.
    child.stdout!.on("data", (chunk: Buffer) => {
      if (!waiting) return;
      heard = (heard + chunk.toString()).slice(-4096);
      if (!/Hindsight is serving from \d+ processes/.test(heard)) return;
      waiting = false;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Milliseconds from now until `url` first answers 200. */
async function untilReady(url: string, since: number): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url, { redirect: "manual" });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > 30_000) fail(`${url} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The peak RSS of a server and of each process it started (node:cluster), largest first. */
function peakRssOfAll(pid: number): number[] {
  const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout?.trim().split("\n").filter(Boolean).map(Number) ?? [];
  return [pid, ...children].map(peakRssMb).filter((mb): mb is number => mb !== undefined).sort((a, b) => b - a);
}

function peakRssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function signIn(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email, password: PASSWORD }),
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("hs_session="));
  if (response.status !== 302 || !cookie) fail(`Signing in as ${email} failed (${response.status}); was the data made by npm run seed:bench?`);
  return cookie.split(";")[0];
}

// --- Measurements --------------------------------------------------------------------------------

function load(url: string, cookie: string | undefined, seconds: number): Promise<Load> {
  return wrk(url, { connections: CONNECTIONS, seconds, cookie });
}

async function measure(url: string, cookie: string | undefined): Promise<Load> {
  const check = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  await check.arrayBuffer();
  if (check.status !== 200) fail(`${url} answered ${check.status}, not 200`);
  if (WARMUP > 0) await load(url, cookie, WARMUP);
  return load(url, cookie, DURATION);
}

/** The page's HTML size and the JavaScript it ships: module files and inline scripts, gzipped. */
async function shipped(base: string, pagePath: string, cookie: string | undefined) {
  const html = await (await fetch(base + pagePath, { headers: cookie ? { cookie } : {} })).text();
  const files = new Set<string>();
  for (const [, href] of html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)) files.add(href);
  for (const [, src] of html.matchAll(/<script[^>]* src="([^"]+)"/g)) files.add(src);
  const inline = [...html.matchAll(/<script(?![^>]* src=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  for (const script of inline) for (const [, spec] of script.matchAll(/(?:import|from)\s*\(?\s*"(\/[^"]+\.js)"/g)) files.add(spec);
  let jsGzipBytes = 0;
  for (const file of files) jsGzipBytes += zlib.gzipSync(Buffer.from(await (await fetch(base + file)).arrayBuffer())).length;
  return { htmlBytes: Buffer.byteLength(html), jsGzipBytes, inlineGzipBytes: zlib.gzipSync(inline.join("\n")).length };
}

async function digestRender(): Promise<{ firstMs: number; medianMs: number; publications: number; htmlBytes: number }> {
  // Before the data port loads: it chooses its engine as it loads.
  Object.assign(process.env, DATABASE_ENV);
  const { openAppDatabase } = await import("~/lib/db.server");
  const { DATA_MIGRATIONS } = await import("~/models/data-migrations.server");
  await openAppDatabase(DATA_MIGRATIONS);
  const { digestEmail } = await import("~/models/digest.server");
  const { median } = await import("d3-array");
  const span = { seq: 1, afterPublicationId: digestWindow.after, throughPublicationId: digestWindow.through, startAt: null, endAt: new Date().toISOString() };
  const times: number[] = [];
  let email: Awaited<ReturnType<typeof digestEmail>> | undefined;
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    email = await digestEmail(span, { kind: "list", address: "everyone@example.com" });
    times.push(performance.now() - t);
  }
  return { firstMs: times[0], medianMs: median(times.slice(1))!, publications: digestWindow.n, htmlBytes: Buffer.byteLength(email!.html) };
}

// --- Run -----------------------------------------------------------------------------------------

const say = (line: string) => process.stdout.write(`${line}\n`);

ensureWrk();
say("Building (when needed)…");
if (spawnSync(process.execPath, ["server.js", "--build-only"], { stdio: "inherit" }).status !== 0) fail("The build failed.");
const { build } = await import("vite");
const tsconfigPaths = (await import("vite-tsconfig-paths")).default;
await build({
  configFile: false,
  logLevel: "warn",
  plugins: [tsconfigPaths()],
  resolve: { alias: [{ find: /^@remix-run\/react$/, replacement: path.resolve("tests/bench/bare/remix-react.tsx") }] },
  build: { ssr: path.resolve("tests/bench/bare/server.tsx"), target: "node20", outDir: path.dirname(BARE_BUNDLE), emptyOutDir: true, rollupOptions: { output: { entryFileNames: path.basename(BARE_BUNDLE) } } },
});

// The server runs with the Node flags npm start and npm run serve give it (package.json "config").
const serverFlags = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { config?: { serverFlags?: string } }).config?.serverFlags?.split(/\s+/).filter(Boolean) ?? [];
const appPort = await freePort();
const app = `http://127.0.0.1:${appPort}`;
if (DATABASE_URL) await ensurePostgresCopy(DATABASE_URL);
const DATABASE_NAME = DATABASE_URL ? `PostgreSQL ${new URL(DATABASE_URL).host}${new URL(DATABASE_URL).pathname}` : `SQLite ${path.relative(process.cwd(), DB)}`;
say(`Starting the production server, one process rendering every page, on ${DATABASE_NAME} (${incidentCount.toLocaleString("en")} incidents)…`);
const startedAt = performance.now();
const server = start(["server.js"], appPort, serverFlags, 1, RENDER_EVERY_TIME);
const coldStartMs = await untilReady(`${app}/signin`, startedAt);
const cookie = await signIn(app, options.user!);
const firstIncident = performance.now();
await (await fetch(`${app}/incidents/${ref}`, { headers: { cookie } })).arrayBuffer();
const firstIncidentMs = performance.now() - firstIncident;

const figures: PageFigures[] = [];
for (const page of PAGES) {
  const pageCookie = page.signedIn ? cookie : undefined;
  say(`  ${page.name}: ${page.path}`);
  const one = await measure(app + page.path, pageCookie);
  figures.push({ ...page, ...one, one, rendered: one, ...(await shipped(app, page.path, pageCookie)) });
}
const appRssMb = peakRssMb(server.pid!);
await stop(server);

/** Loads every page on a server of `processes` processes (started with `env`); its peak RSS per process. */
async function onProcesses(processes: number, env: Record<string, string>, label: string, keep: (entry: PageFigures, load: Load) => void): Promise<number[]> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  say(`Starting the production server, ${label}…`);
  const child = start(["server.js"], port, serverFlags, processes, env);
  await untilReady(`${base}/signin`, performance.now());
  // Every process has started once the primary says so; until then the first serves alone.
  if (processes > 1) await untilServing(child);
  for (const entry of figures) {
    say(`  ${entry.name}, ${label}`);
    keep(entry, await measure(base + entry.path, entry.signedIn ? cookie : undefined));
  }
  const rss = peakRssOfAll(child.pid!);
  await stop(child);
  return rss;
}

// The same pages on one process per core, first rendering every page, then as npm start serves
// them: kept pages served again while unchanged (app/lib/page-cache.server.ts).
if (PROCESSES > 1) await onProcesses(PROCESSES, RENDER_EVERY_TIME, `${PROCESSES} processes rendering every page`, (entry, load) => (entry.rendered = load));
const manyRssMb = await onProcesses(PROCESSES, {}, `${PROCESSES} process${PROCESSES > 1 ? "es" : ""} as npm start runs it`, (entry, load) => Object.assign(entry, load));

const barePort = await freePort();
const bare = `http://127.0.0.1:${barePort}`;
say("Starting the bare limit server…");
const bareServer = start([BARE_BUNDLE], barePort, serverFlags);
await untilReady(`${bare}/bench/floor`, performance.now());
for (const entry of figures) {
  say(`  bare ${entry.name}`);
  entry.bareLoad = await measure(bare + entry.path, entry.signedIn ? cookie : undefined);
}
bareServer.kill("SIGTERM");

say("Rendering the digest…");
const digest = await digestRender();

/** Loads a page on a server started under the CPU profiler; the time per request by part. */
async function profile(command: string[], pagePath: string, cookie: string, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-profile-"));
  const port = await freePort();
  const child = start(command, port, [...serverFlags, "--cpu-prof", `--cpu-prof-dir=${dir}`], 1, env);
  await untilReady(`http://127.0.0.1:${port}/bench/floor`, performance.now());
  await load(`http://127.0.0.1:${port}${pagePath}`, cookie, WARMUP);
  const { requests } = await load(`http://127.0.0.1:${port}${pagePath}`, cookie, DURATION);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  await exited;
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) fail(`No profile was written to ${dir}`);
  const summary = summariseProfile(path.join(dir, file));
  fs.rmSync(dir, { recursive: true, force: true });
  return { requests, ...summary };
}

type Profile = Awaited<ReturnType<typeof profile>>;
let profiles: { remix: Profile; kept: Profile; bare: Profile } | undefined;
if (!options["skip-profile"]) {
  say("Profiling the incident page: rendered by Remix, served kept, rendered by the bare server…");
  const page = `/incidents/${ref}`;
  profiles = { remix: await profile(["server.js"], page, cookie, RENDER_EVERY_TIME), kept: await profile(["server.js"], page, cookie), bare: await profile([BARE_BUNDLE], page, cookie) };
}

// --- Report --------------------------------------------------------------------------------------

const floor = figures[0];
const incidentPage = figures.find((f) => f.path === `/incidents/${ref}`)!;
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ratio = (n: number) => n.toFixed(2);
const perSecond = (n: number) => Math.round(n).toLocaleString("en");
const rows = figures.map((f) => [
  f.name,
  perSecond(f.one.reqPerSec),
  ms(f.one.p99),
  perSecond(f.rendered.reqPerSec),
  ms(f.rendered.p99),
  perSecond(f.reqPerSec),
  ms(f.p50),
  ms(f.p99),
  ratio(f.reqPerSec / floor.reqPerSec),
  f.bareLoad ? ratio(f.one.reqPerSec / f.bareLoad.reqPerSec) : "—",
  f.bareLoad ? perSecond(f.bareLoad.reqPerSec) : "—",
  kb(f.htmlBytes),
  kb(f.jsGzipBytes + f.inlineGzipBytes),
]);
const header = ["page", "1 render req/s", "p99", `${PROCESSES} render req/s`, "p99", `${PROCESSES} kept req/s`, "p50", "p99", "× floor", "× bare", "bare req/s", "HTML", "JS gzip"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
const perProcessRssMb = manyRssMb[0];
const totalRssMb = manyRssMb.reduce((sum, mb) => sum + mb, 0);
const others = figures.filter((f) => f !== incidentPage);

const checks = [
  { target: `incident page ≥ ${TARGETS.incidentReqPerSec} req/s`, value: perSecond(incidentPage.reqPerSec), ok: incidentPage.reqPerSec >= TARGETS.incidentReqPerSec },
  { target: `incident page p99 < ${TARGETS.incidentP99Ms} ms`, value: ms(incidentPage.p99), ok: incidentPage.p99 < TARGETS.incidentP99Ms },
  { target: `every other page's p99 < ${TARGETS.p99Ms} ms`, value: `worst ${ms(Math.max(...others.map((f) => f.p99)))}`, ok: others.every((f) => f.p99 < TARGETS.p99Ms) },
  { target: `peak RSS < ${TARGETS.rssMb} MB per process`, value: perProcessRssMb === undefined ? "not measured (no /proc)" : `${Math.round(perProcessRssMb)} MB (all ${manyRssMb.length} together: ${Math.round(totalRssMb)} MB)`, ok: perProcessRssMb !== undefined && perProcessRssMb < TARGETS.rssMb },
  { target: `cold start < ${TARGETS.coldStartMs / 1000} s`, value: ms(coldStartMs), ok: coldStartMs < TARGETS.coldStartMs },
  { target: `digest of ${digest.publications} publications < ${TARGETS.digestMs / 1000} s`, value: ms(digest.medianMs), ok: digest.medianMs < TARGETS.digestMs },
  { target: `every page ships ≤ ${TARGETS.jsKb} KB of gzipped JavaScript`, value: `most ${kb(Math.max(...figures.map((f) => f.jsGzipBytes + f.inlineGzipBytes)))}`, ok: figures.every((f) => (f.jsGzipBytes + f.inlineGzipBytes) / 1024 <= TARGETS.jsKb) },
];
const failed = (load?: Load) => Boolean(load && (load.non2xx > 0 || load.errors > 0));
const problems = figures.filter((f) => failed(f) || failed(f.one) || failed(f.rendered) || failed(f.bareLoad));

say("");
say(`Hindsight benchmark: ${incidentCount.toLocaleString("en")} incidents on ${DATABASE_NAME}, wrk with ${CONNECTIONS} connections, ${DURATION} s per page after ${WARMUP} s warm-up`);
say(`${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}, signed in as ${options.user}`);
say("");
say(line(header));
say(line(widths.map((w) => "-".repeat(w))));
rows.forEach((r) => say(line(r)));
say("");
say(`1 render: one process, the page cache off (PAGE_CACHE_MB=0), every request rendered. ${PROCESSES} render: the same on one process per core.`);
say(`${PROCESSES} kept: the server as npm start runs it here, one process per core, a page kept while unchanged served again. × floor: its req/s over the framework floor's.`);
say(`× bare: one process's req/s over the bare limit's (one process, the same loaders, no framework) for the same page.`);
say(`JS gzip: module files plus inline scripts (the loader data Remix sends for hydration).`);
say(`Cold start to the first 200: ${ms(coldStartMs)}. First incident page after start: ${ms(firstIncidentMs)}.`);
say(`Peak RSS: one process rendering every page ${appRssMb === undefined ? "n/a" : `${Math.round(appRssMb)} MB`}; as npm start runs it, ${manyRssMb.map((mb) => `${Math.round(mb)} MB`).join(" + ")} = ${Math.round(totalRssMb)} MB${PROCESSES > 1 ? " (the primary, which serves nothing, among them)" : ""}.`);
say(`Digest of a busy week (${digest.publications} publications, ${kb(digest.htmlBytes)} of HTML): ${ms(digest.medianMs)} (first render ${ms(digest.firstMs)}).`);
if (profiles) {
  const { remix, kept, bare: plain } = profiles;
  const names = [...new Set([...remix.parts, ...kept.parts, ...plain.parts].map((p) => p.part))];
  const perRequest = (p: Profile, name: string) => (p.parts.find((x) => x.part === name)?.ms ?? 0) / p.requests;
  const width = Math.max(...names.map((n) => n.length));
  const cell = (n: number) => `${n.toFixed(2).padStart(5)} ms`;
  say("");
  say(`Where the incident page's CPU time goes (node --cpu-prof, one process, self time per request; ${remix.requests}, ${kept.requests} and ${plain.requests} requests):`);
  say(`${"".padEnd(width)}  rendered      kept      bare`);
  for (const name of names.sort((a, b) => perRequest(remix, b) - perRequest(remix, a))) {
    say(`${name.padEnd(width)}  ${cell(perRequest(remix, name))}  ${cell(perRequest(kept, name))}  ${cell(perRequest(plain, name))}`);
  }
  say(`${"Busy in all".padEnd(width)}  ${cell(remix.busyMs / remix.requests)}  ${cell(kept.busyMs / kept.requests)}  ${cell(plain.busyMs / plain.requests)}`);
}
say("");
say("Targets:");
for (const c of checks) say(`  ${c.ok ? "met    " : "MISSED "} ${c.target}: ${c.value}`);
if (problems.length > 0) say(`Errors or non-2xx answers on: ${problems.map((p) => p.name).join(", ")}`);

say("");
say("An incident at every limit (npm run bench:limits):");
// These make databases of their own (SQLite files): not the one under test.
const ownDatabase = { ...process.env, DATABASE_URL: undefined, SESSION_SECRET: undefined };
spawnSync(process.execPath, ["--import", "tsx", "tests/bench/limits.ts"], { stdio: "inherit", env: ownDatabase });
say("The wording check (npm run bench:wording):");
spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "tests/bench/wording.ts"], { stdio: "inherit", env: ownDatabase });

if (options.json) {
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout?.trim() || null;
  const report = {
    date: new Date().toISOString(),
    commit,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model.trim(), node: process.version },
    settings: { database: DATABASE_URL ? "postgres" : "sqlite", incidents: incidentCount, connections: CONNECTIONS, durationSeconds: DURATION, warmupSeconds: WARMUP, user: options.user },
    pages: figures.map((f) => ({ ...f, toFloor: f.reqPerSec / floor.reqPerSec, toBare: f.bareLoad ? f.one.reqPerSec / f.bareLoad.reqPerSec : null })),
    server: { processes: PROCESSES, coldStartMs, firstIncidentPageMs: firstIncidentMs, peakRssMb: appRssMb ?? null, peakRssPerProcessMb: manyRssMb, totalPeakRssMb: totalRssMb },
    digest,
    profiles: profiles ?? null,
    targets: checks,
  };
  fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  say(`Figures written to ${options.json}`);
}
process.exit(0);
