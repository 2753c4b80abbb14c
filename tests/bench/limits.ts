// npm run bench:limits (also run at the end of npm run bench)
//
// What the largest incident anyone may build costs: an incident at every limit (LIMITS in
// app/models/limits.ts, every field at its longest, wording the check flags in every why) in a
// throw-away database, served by the production server with the flags npm start uses. Prints,
// for each of its pages and exports, the size and the median time of five loads one at a time;
// then how long /healthz waits while three such pages load at once, and the server's peak RSS.
// Also the wording check's time on the repetitive texts that were once quadratic, at the field
// limit and at ten times it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import { LIMITS_ADMIN } from "../../db/limits-admin";
import { freePort } from "./ports";


const say = (line: string) => process.stdout.write(`${line}\n`);
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString("en")} ms`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// --- The wording check on text that was once quadratic -------------------------------------------

const { checkWhy } = await import("~/models/blame");
const { serverTokenizer } = await import("~/lib/wording-nlp.server");
const { namesOf } = await import("~/models/wording");
const { wordingCheck } = await import("~/models/wording-check");
const check = wordingCheck(serverTokenizer(), namesOf({ people: [], teams: [] }));
const { FIELD_LIMITS } = await import("~/models/limits");
const REPEATED = ["be careful ", "Obviously ", "human error ", "fire ", "he merged it ", "assumed "];
say("The wording check on one remediation of a phrase repeated without a full stop:");
for (const phrase of REPEATED) {
  const times = [1, 10].map((times) => {
    const text = phrase.repeat(Math.ceil((FIELD_LIMITS.remediation * times) / phrase.length)).slice(0, FIELD_LIMITS.remediation * times);
    const started = performance.now();
    checkWhy({ question: "", answer: "", remediationMd: text }, check);
    return performance.now() - started;
  });
  say(`  “${phrase.trim()}”: ${ms(times[0])} at ${FIELD_LIMITS.remediation.toLocaleString("en")} characters, ${ms(times[1])} at ten times that`);
}

// --- Markdown on text that was once quadratic -----------------------------------------------------

const { renderMarkdown } = await import("~/lib/markdown.server");
const PATHOLOGICAL: [string, (n: number) => string][] = [
  ["a run of spaces between two letters", (n) => `a${" ".repeat(n - 2)}a`],
  ["“!a” repeated", (n) => "!a".repeat(n / 2)],
  ["“*a_” repeated", (n) => "*a_".repeat(Math.ceil(n / 3)).slice(0, n)],
  ["“> ” repeated (nesting)", (n) => "> ".repeat(n / 2)],
];
say("");
say(`Rendering one summary (${FIELD_LIMITS.summary.toLocaleString("en")} characters) of text that was once slow to parse:`);
for (const [name, make] of PATHOLOGICAL) {
  const times = [FIELD_LIMITS.summary / 5, FIELD_LIMITS.summary].map((n) => {
    const started = performance.now();
    renderMarkdown(make(n));
    return performance.now() - started;
  });
  say(`  ${name}: ${ms(times[0])} at a fifth of it, ${ms(times[1])} in full`);
}

// --- An incident at every limit, served ----------------------------------------------------------

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-limits-"));
say("");
say("Building an incident at every limit…");
const seeded = spawnSync(process.execPath, ["--import", "tsx", "db/seed-limits.ts", "--db", path.join(dir, "limits.db")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (seeded.status !== 0) throw new Error("Building the incident failed.");
const { reference, buildMs } = JSON.parse(seeded.stdout.trim().split("\n").at(-1)!) as { reference: string; buildMs: number };


const serverFlags = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { config?: { serverFlags?: string } }).config?.serverFlags?.split(/\s+/).filter(Boolean) ?? [];
if (spawnSync(process.execPath, ["server.js", "--build-only"], { stdio: "inherit" }).status !== 0) throw new Error("The build failed.");
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server: ChildProcess = spawn(process.execPath, [...serverFlags, "server.js"], {
  env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", DATABASE_PATH: path.join(dir, "limits.db"), SCHEDULER: "false", WEB_CONCURRENCY: "1" },
  stdio: ["ignore", "ignore", "inherit"],
});
process.on("exit", () => {
  server.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});
for (let ready = false; !ready; ) {
  ready = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
  if (!ready) await new Promise((r) => setTimeout(r, 50));
}
const signIn = await fetch(`${base}/signin`, {
  method: "POST",
  redirect: "manual",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
  body: new URLSearchParams(LIMITS_ADMIN),
});
const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith("hs_session="))!.split(";")[0];

async function timed(pagePath: string): Promise<{ ms: number; bytes: number; gzipBytes: number; status: number }> {
  const started = performance.now();
  const response = await fetch(base + pagePath, { headers: { cookie, "Accept-Encoding": "identity" } });
  const body = Buffer.from(await response.arrayBuffer());
  const elapsed = performance.now() - started;
  // What the compression the server applies would send: gzip at its default level.
  return { ms: elapsed, bytes: body.byteLength, gzipBytes: zlib.gzipSync(body).byteLength, status: response.status };
}

const PAGES = [
  ["Incident page", `/incidents/${reference}`],
  ["History", `/incidents/${reference}/history`],
  ["Edit details and people", `/incidents/${reference}/edit`],
  ["New action", `/incidents/${reference}/actions/new`],
  ["Markdown export", `/incidents/${reference}.md`],
  ["Its actions", `/actions/all?incident=${reference.slice(4)}`],
  ["Its actions as CSV", `/actions/export.csv?incident=${reference.slice(4)}`],
] as const;
say(`Built ${reference} in ${ms(buildMs)}. Each page loaded five times, one at a time (median):`);
for (const [name, pagePath] of PAGES) {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await timed(pagePath));
  const last = runs.at(-1)!;
  say(`  ${name.padEnd(24)} ${String(last.status).padStart(3)}  ${mb(last.bytes).padStart(9)} (${mb(last.gzipBytes)} gzipped)  ${ms(median(runs.map((r) => r.ms))).padStart(9)}`);
}

// /healthz answered while three of the largest pages load at once.
const loads = Array.from({ length: 3 }, () => timed(`/incidents/${reference}`));
await new Promise((r) => setTimeout(r, 20));
const health = performance.now();
await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
const healthMs = performance.now() - health;
const parallel = await Promise.all(loads);
let rss: number | undefined;
try {
  rss = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.pid}/status`, "utf8"))![1]) * 1024;
} catch {
  rss = undefined;
}
say(`Three incident pages at once: ${parallel.map((p) => ms(p.ms)).join(", ")}; /healthz meanwhile ${ms(healthMs)}. Server peak RSS: ${rss ? mb(rss) : "n/a"}.`);
process.exit(0);
