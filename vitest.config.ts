import fs from "node:fs";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

const UNIT_TESTS = ["tests/unit/**/*.test.ts", "tests/unit/**/*.test.tsx"];

// What only SQLite has, tested on SQLite alone: upgrading files made by older versions (their
// migrations and data migrations are SQLite's), the online backup of the file, and tests that use
// both engines at once (db:copy).
const SQLITE_ONLY = ["tests/unit/upgrade.test.ts", "tests/unit/backup.test.ts", "tests/unit/schema-mirror.test.ts", "tests/unit/postgres-cluster.test.ts", "tests/unit/db-copy.test.ts"];

/** The unit tests that store anything: they run on both engines; the rest once. */
function storing(): string[] {
  return fs
    .readdirSync("tests/unit")
    .filter((name) => /\.test\.tsx?$/.test(name))
    .map((name) => `tests/unit/${name}`)
    .filter((file) => !SQLITE_ONLY.includes(file) && /\bfreshDatabase\(|\bopenDatabase\(/.test(fs.readFileSync(file, "utf8")));
}

const shared: TestProjectInlineConfiguration["test"] = {
  environment: "node",
  pool: "forks",
  // A time limit only ends a hung test; it never decides one. On a busy two-core machine a
  // test that takes a second on a quiet one can take ten, so the default five seconds is too
  // tight. The heaviest tests set their own, larger limits.
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // Each project's run starts a throw-away PostgreSQL cluster (tests/postgres/vitest-setup.ts).
  globalSetup: ["tests/postgres/vitest-setup.ts"],
};

// Its own config, so unit tests never load the Remix plugin or the e2e specs. Two projects: every
// test on SQLite, the default engine, and those that store anything again on PostgreSQL, each
// file on a database of its own copied from a migrated template (tests/unit/helpers.ts).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    projects: [
      { plugins: [tsconfigPaths()], test: { ...shared, name: "sqlite", include: UNIT_TESTS } },
      {
        plugins: [tsconfigPaths()],
        test: {
          ...shared,
          name: "postgres",
          include: storing(),
          // DATABASE_URL selects the engine as the process loads (app/lib/db.server.ts); each test's
          // own database is made on the run's cluster (tests/unit/helpers.ts).
          env: { DATABASE_URL: "postgres://the-test-cluster/", SESSION_SECRET: "unit-tests-on-postgresql-sign-with-this" },
        },
      },
    ],
  },
});
