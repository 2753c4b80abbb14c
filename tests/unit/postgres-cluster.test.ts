import fs from "node:fs";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../postgres/cluster";

// The throw-away PostgreSQL cluster the tests run on: databases copied from a template, and
// nothing left once it stops.

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function query<Row extends object>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

// Starting a cluster runs initdb, which can take many seconds on a busy machine.
const SLOW = 180_000;

describe("a throw-away PostgreSQL cluster", () => {
  it(
    "creates databases, copies one from a template, and is gone once stopped",
    async () => {
      cluster = await startCluster();
      const { dir, port } = cluster;
      expect(fs.existsSync(dir)).toBe(true);

      const a = await cluster.createDatabase("a");
      expect(a).toBe(`postgres://hindsight@127.0.0.1:${port}/a`);
      await query(a, "create table notes (id integer primary key, body text not null)");
      await query(a, "insert into notes values (1, 'written in a')");

      // The template's connections are all closed by now, as a copy needs.
      const b = await cluster.createDatabase("b", { template: "a" });
      expect(await query(b, "select id, body from notes")).toEqual([{ id: 1, body: "written in a" }]);

      // A copy, not the same database: each is written on its own.
      await query(b, "insert into notes values (2, 'written in b')");
      await query(a, "update notes set body = 'changed in a'");
      expect(await query(a, "select id, body from notes order by id")).toEqual([{ id: 1, body: "changed in a" }]);
      expect(await query(b, "select id, body from notes order by id")).toEqual([
        { id: 1, body: "written in a" },
        { id: 2, body: "written in b" },
      ]);
      expect(await query(cluster.adminUrl, "select current_user as name")).toEqual([{ name: "hindsight" }]);

      await cluster.stop();
      expect(fs.existsSync(dir)).toBe(false);
      await expect(query(a, "select 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    },
    SLOW,
  );

  it(
    "quotes the names it is given",
    async () => {
      cluster = await startCluster();
      const name = `Team "Payments"; drop database postgres`;
      const url = await cluster.createDatabase(name);
      expect(url).toBe(cluster.url(name));
      expect(await query(url, "select current_database() as name")).toEqual([{ name }]);
      const copy = await cluster.createDatabase("copy of it", { template: name });
      expect(await query(copy, "select current_database() as name")).toEqual([{ name: "copy of it" }]);
      expect(await query(cluster.adminUrl, "select count(*)::int as n from pg_database where datname = 'postgres'")).toEqual([{ n: 1 }]);
      // A name pg could not read back from a URL is refused before anything is created.
      await expect(cluster.createDatabase("50% done")).rejects.toThrow("cannot be reached through a URL");
      expect(await query(cluster.adminUrl, "select count(*)::int as n from pg_database where datname = '50% done'")).toEqual([{ n: 0 }]);
    },
    SLOW,
  );

  it(
    "stores text as UTF-8 and knows non-ASCII letters",
    async () => {
      cluster = await startCluster();
      expect(await query(cluster.adminUrl, "select upper('élan') as word, pg_encoding_to_char(encoding) as encoding from pg_database where datname = 'postgres'")).toEqual([
        { word: "ÉLAN", encoding: "UTF8" },
      ]);
    },
    SLOW,
  );
});
