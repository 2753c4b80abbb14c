// Load generation with wrk (Debian's package): a C load generator costs the two cores far less
// than one written in JavaScript, so more of them is left to the server under test. Installed
// with apt-get when missing and running as root, as the tests install Chromium and PostgreSQL.
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { hasCommand } from "../programs.js";

export type Load = { reqPerSec: number; p50: number; p99: number; requests: number; non2xx: number; errors: number };

const WRK_MISSING = "wrk not found: install Debian's wrk (sudo apt-get install wrk), which the benchmark loads pages with.";

/** Makes sure wrk can be run: installs Debian's package when root with apt-get; otherwise says how, and stops. */
export function ensureWrk(): void {
  if (hasCommand("wrk")) return;
  if (process.getuid?.() === 0 && hasCommand("apt-get")) {
    console.log("No wrk found; installing Debian's wrk with apt-get…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () => spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "wrk"], { stdio: "inherit", env }).status === 0;
    if (install() || (spawnSync("apt-get", ["update"], { stdio: "inherit", env }).status === 0 && install())) return;
  }
  console.error(WRK_MISSING);
  process.exit(1);
}

// wrk reports through a Lua hook when the run ends: one line of JSON, latencies in microseconds.
const REPORT = `
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
`;

let script: string | undefined;

/** Loads `url` with `connections` connections for `seconds`, with the cookie when given. */
export async function load(url: string, options: { connections: number; seconds: number; cookie?: string }): Promise<Load> {
  if (!script) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-wrk-"));
    // wrk reads its script from a file, kept for the run and removed as the process exits.
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    script = path.join(dir, "report.lua");
    fs.writeFileSync(script, REPORT);
  }
  // One thread keeps ten connections busy at these rates, and leaves the cores to the server.
  const threads = 1;
  const args = [`-t${threads}`, `-c${options.connections}`, `-d${options.seconds}s`, "--timeout", "10s", "-s", script];
  if (options.cookie) args.push("-H", `Cookie: ${options.cookie}`);
  const { stdout } = await promisify(execFile)("wrk", [...args, url], { maxBuffer: 1024 * 1024 });
  const report = stdout.trim().split("\n").reverse().find((line) => line.startsWith("{"));
  if (!report) throw new Error(`wrk printed no report:\n${stdout}`);
  const figures = JSON.parse(report) as { requests: number; durationUs: number; p50Us: number; p99Us: number; errors: number; non2xx: number };
  return {
    reqPerSec: figures.requests / (figures.durationUs / 1e6),
    p50: figures.p50Us / 1000,
    p99: figures.p99Us / 1000,
    requests: figures.requests,
    non2xx: figures.non2xx,
    errors: figures.errors,
  };
}
