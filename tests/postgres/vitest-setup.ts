// Vitest global setup: one throw-away PostgreSQL cluster for the whole run, started before the
// test workers and stopped after the last file, with a template database migrated once
// (db/migrations-pg). Tests read the admin URL with `inject("postgresAdminUrl")` and make their
// databases from the template (tests/unit/helpers.ts): the workers are other processes, so only
// serializable values reach them.
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDatabase, startCluster, type Cluster } from "./cluster";

/** The database each test's own is copied from: migrated, empty. */
export const TEMPLATE_DATABASE = "hindsight_template";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

let cluster: Cluster | undefined;

export async function setup(project: TestProject) {
  cluster = await startCluster();
  const template = new pg.Client({ connectionString: await createDatabase(cluster.adminUrl, TEMPLATE_DATABASE) });
  await template.connect();
  try {
    await migrate(drizzle(template), { migrationsFolder: "db/migrations-pg" });
  } finally {
    // A template being connected to cannot be copied.
    await template.end();
  }
  project.provide("postgresAdminUrl", cluster.adminUrl);
}

export async function teardown() {
  await cluster?.stop();
  cluster = undefined;
}
