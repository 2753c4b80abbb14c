// Vitest global setup: one throw-away PostgreSQL cluster for the whole run, started before the
// test workers and stopped after the last file. Tests read its admin URL with
// `inject("postgresAdminUrl")` and make their databases with createDatabase(adminUrl, …) from
// ./cluster: the workers are other processes, so only serializable values reach them.
import type { TestProject } from "vitest/node";
import { startCluster, type Cluster } from "./cluster";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

let cluster: Cluster | undefined;

export async function setup(project: TestProject) {
  cluster = await startCluster();
  project.provide("postgresAdminUrl", cluster.adminUrl);
}

export async function teardown() {
  await cluster?.stop();
  cluster = undefined;
}
