import { defineConfig, devices } from "@playwright/test";
import { findChromium } from "./tests/e2e/ensure-chromium.js";

// The seeded samples of large matrices (tests/seeded.ts): one seed per run, shared with the workers.
process.env.XSS_SEED ??= String(Math.floor(Math.random() * 2 ** 31));

const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? "3100"}`;
/** The first admin's signed-in session, written by tests/e2e/first-run.setup.ts. */
const ADMIN_STATE = "tests/e2e/.auth/admin.json";

const launchOptions = {
  executablePath: findChromium(),
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1, // 2-core machine, one SQLite-backed server
  retries: 0,
  reporter: [["list"], ["html", { open: "never" }]],
  // Limits that only end a hung test, never decide one: on a busy two-core machine a test that
  // takes fifteen seconds on a quiet one has taken forty.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  use: {
    baseURL,
    screenshot: "only-on-failure",
    // DOM snapshots for failures; no screencast frames, which cost a lot on a 2-core machine.
    trace: { mode: "retain-on-failure", screenshots: false, snapshots: true },
    launchOptions,
  },
  projects: [
    {
      // The database starts empty: the first-run flow creates the admin and saves their session.
      name: "setup",
      testMatch: /.*\.setup\.ts/,
      use: { ...devices["Desktop Chrome"], launchOptions },
    },
    {
      name: "chromium",
      testMatch: /.*\.spec\.ts/,
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], launchOptions, storageState: ADMIN_STATE },
    },
  ],
  webServer: {
    // Production build (npm run build) on a fresh database in tests/e2e/.data/.
    command: "node tests/e2e/start-server.js",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore", // one JSON line per request; set to "pipe" to see them
    stderr: "pipe",
  },
});
