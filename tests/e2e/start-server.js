// Playwright's webServer: runs the PRODUCTION server (node server.js) on a
// throw-away SQLite database in tests/e2e/.data/, or, when the run has a PostgreSQL cluster
// (E2E_DATABASE_URL, tests/postgres/e2e.ts), on a fresh database of it. Run `npm run build` first.
import { spawn } from "node:child_process";
import pg from "pg";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const port = process.env.E2E_PORT ?? "3100";
const dataDir = join(here, ".data");
const serverEntry = join(root, "server.js");

if (!existsSync(serverEntry)) {
  console.error(`start-server: ${serverEntry} not found.`);
  process.exit(1);
}

rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

/** The server's database: the file in the data folder, or a fresh one on the run's cluster (tests/e2e/stored.ts names it). */
async function database() {
  const cluster = process.env.E2E_DATABASE_URL;
  if (!cluster) return { DATABASE_PATH: join(dataDir, "hindsight.db") };
  const admin = new pg.Client({ connectionString: cluster });
  await admin.connect();
  await admin.query('drop database if exists "e2e_main" with (force)');
  await admin.query('create database "e2e_main"');
  await admin.end();
  const url = new URL(cluster);
  url.pathname = "/e2e_main";
  // DATABASE_PATH still names the data folder: the outbox of a server without SMTP writes there.
  return { DATABASE_URL: url.toString(), DATABASE_PATH: join(dataDir, "hindsight.db") };
}

const child = spawn(process.execPath, [serverEntry], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    NODE_ENV: "production",
    PORT: port,
    HOST: "127.0.0.1",
    ...(await database()),
    APP_URL: `http://127.0.0.1:${port}`,
    SESSION_SECRET: "e2e-test-session-secret-not-for-production-0123456789",
    // One server process, whose limits (bodies held, pages rendered at once) the specs reach;
    // several-processes.spec.ts starts several.
    WEB_CONCURRENCY: "1",
  },
});

for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) {
  process.on(signal, () => child.kill(signal));
}

child.on("error", (error) => {
  console.error(`start-server: could not start server.js: ${error.message}`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  process.exit(code ?? (signal === "SIGINT" ? 130 : signal ? 143 : 1));
});
