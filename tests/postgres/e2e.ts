// The end-to-end specs on PostgreSQL: starts a throw-away cluster, runs Playwright with it
// (E2E_DATABASE_URL: the suite's server and each spec's own servers make their databases there,
// tests/e2e/stored.ts), and stops it. By default the specs that matter most for a second engine;
// E2E_PG_ALL=1 runs every spec; arguments are passed to Playwright.
//   npm run test:e2e:postgres [-- tests/e2e/x.spec.ts]
import { spawnSync } from "node:child_process";
import { startCluster } from "./cluster";

/** Authorization, concurrency, crash safety, search, the live session, two instances on one database, and the page cache. */
export const TARGETED = [
  "tests/e2e/authorization.spec.ts",
  "tests/e2e/concurrency.spec.ts",
  "tests/e2e/crash-safety.spec.ts",
  "tests/e2e/search.spec.ts",
  "tests/e2e/live-session.spec.ts",
  "tests/e2e/schedule-lease.spec.ts",
  "tests/e2e/two-instances.spec.ts",
  "tests/e2e/page-cache.spec.ts",
];

const cluster = await startCluster();
let status = 1;
try {
  const given = process.argv.slice(2);
  const specs = given.length > 0 ? given : process.env.E2E_PG_ALL === "1" ? [] : TARGETED;
  const run = spawnSync("npx", ["playwright", "test", ...specs], { stdio: "inherit", env: { ...process.env, E2E_DATABASE_URL: cluster.adminUrl } });
  status = run.status ?? 1;
} finally {
  await cluster.stop();
}
process.exit(status);
