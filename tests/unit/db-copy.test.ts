// db:copy (db/copy-to-postgres.ts, db/copy.ts): a SQLite installation made through the models is
// copied into PostgreSQL databases on the run's cluster, and the copy is read with pg and used by
// the app itself in another process. It needs both engines, so it runs once, in the SQLite project.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDatabase, openDatabase, sqliteOf, useDatabase } from "~/lib/db.server";
import { useResolver } from "~/lib/webhook-http.server";
import { createAction } from "~/models/action.server";
import { createApiToken } from "~/models/api-token.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { webhookEndpointInput } from "~/models/inputs";
import { startSession } from "~/models/live-session.server";
import { createEndpoint } from "~/models/webhook.server";
import { copyToPostgres, CopyFailed } from "../../db/copy-to-postgres";
import { loadDemo } from "../../db/demo";
import { actionFields, addWhyTree, advanceTo, createIncident, userByEmail } from "../../db/factories";
import { createDatabase } from "../postgres/cluster";
import { caught } from "./helpers";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");
const ADMIN_URL = inject("postgresAdminUrl");
/** Never needed by the test cluster (it trusts local connections), so it must never be printed. */
const PASSWORD = "pa55-never-shown";

let dir: string;
let source: string;
let made = 0;
/** The why no demo text contains a word of, and the older root moved under a newer why. */
let zeppelinWhy: number;
let movedRoot: number;

/** A new, empty database on the run's cluster, its URL carrying a password. */
async function emptyTarget(): Promise<string> {
  const url = new URL(await createDatabase(ADMIN_URL, `db_copy_${process.pid}_${++made}`));
  url.password = PASSWORD;
  return url.toString();
}

/** Runs `fn` with a client on the database at `url`. */
async function onPostgres<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A copy of the source file, changed by `change` (a row PostgreSQL refuses, a stale index entry). */
function alteredSource(name: string, change: (sqlite: Database.Database) => void): string {
  const file = path.join(dir, name);
  fs.copyFileSync(source, file);
  const sqlite = new Database(file);
  try {
    change(sqlite);
  } finally {
    sqlite.close();
  }
  return file;
}

/** Rows per table, as the copy's target holds them (app tables, the search index, the data migrations' record). */
async function countsOn(url: string): Promise<Record<string, number>> {
  return onPostgres(url, async (client) => {
    const tables = (await client.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1")).rows;
    const counts: Record<string, number> = {};
    for (const { name } of tables) counts[name] = Number((await client.query(`select count(*) as n from "${name}"`)).rows[0].n);
    return counts;
  });
}

/** Rows per table of the source, as the copy must reproduce them. */
function sourceCounts(file: string): Record<string, number> {
  const sqlite = new Database(file, { readonly: true });
  try {
    const names = sqlite.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
    const counts: Record<string, number> = {};
    for (const name of names.filter((n) => !/^(sqlite_|__drizzle_migrations$|search_index_)/.test(n))) {
      counts[name] = sqlite.prepare(`select count(*) from "${name}"`).pluck().get() as number;
    }
    return counts;
  } finally {
    sqlite.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-copy-"));
  source = path.join(dir, "hindsight.db");
  const database = useDatabase(await openDatabase(source, { dataMigrations: DATA_MIGRATIONS }));
  await loadDemo();
  const admin = (await userByEmail("avery@example.com"))!;
  const member = (await userByEmail("blake@example.com"))!;
  const restricted = await createIncident(admin, { title: "Ledger drift in the billing run", visibility: "restricted" });
  await advanceTo(admin, restricted.id, "analysis");
  const [olderRoot] = await addWhyTree(admin, restricted.id, [{ question: "Why did totals drift?", answer: "Rounding ran twice.", children: [{ question: "Why twice?", answer: "A retry replayed it." }] }]);
  [zeppelinWhy] = await addWhyTree(admin, restricted.id, [{ question: "Why was the replay not caught?", answer: "Because the zeppelin cache kept the stale batch.", remediation: "Key the batch by run." }]);
  await createAction(admin, restricted.id, zeppelinWhy, actionFields(member.id, { title: "Key batches by run" }));
  await startSession(admin, restricted.id, { anonymous: false });
  await createApiToken(admin, { name: "deploy gate", scope: "read", expiresInDays: null });
  // The receiver's name resolves to a public address without asking DNS, which a test machine may lack.
  useResolver(async () => [{ address: "93.184.215.14", family: 4 }]);
  try {
    await createEndpoint(admin, webhookEndpointInput.parse({ url: "https://hooks.example.com/in", eventTypes: ["why.added"] }));
  } finally {
    useResolver(undefined);
  }
  const sqlite = sqliteOf(database);
  // A parent with a larger id than its child, so that copying by id alone would insert the child
  // first; and text PostgreSQL cannot hold as it is.
  sqlite.prepare("update whys set parent_id = ? where id = ?").run(zeppelinWhy, olderRoot);
  movedRoot = olderRoot;
  sqlite.prepare("update timeline_entries set body_md = ? where id = (select min(id) from timeline_entries)").run("Pasted\0binary");
  await closeDatabase(database);
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("db:copy", () => {
  it("copies every row, verified, and the app on PostgreSQL searches the copy and adds to it", async () => {
    const target = await emptyTarget();
    // Two rows per statement: a why's parent and child land in different statements.
    const result = await copyToPostgres({ from: source, to: target, batchRows: 2 });

    const expected = sourceCounts(source);
    const copied = await countsOn(target);
    expect(copied).toEqual(expected);
    expect(Object.fromEntries(result.tables.map((t) => [t.name, t.rows]))).toEqual(Object.fromEntries(Object.entries(expected).filter(([name]) => name !== "search_index")));
    expect(result.searchEntries).toBe(expected.search_index);
    expect(expected.whys).toBeGreaterThan(10);
    expect(expected.live_sessions).toBe(1);
    expect(expected.api_tokens).toBe(1);
    expect(expected.webhook_endpoints).toBe(1);
    expect(expected.__data_migrations).toBe(DATA_MIGRATIONS.length);

    await onPostgres(target, async (client) => {
      const why = (await client.query("select parent_id from whys where id = $1", [movedRoot])).rows[0];
      expect(why.parent_id).toBe(zeppelinWhy);
      const entry = (await client.query("select body_md from timeline_entries order by id limit 1")).rows[0];
      expect(entry.body_md).toBe("Pasted\uFFFDbinary");
      const incident = (await client.query("select visibility, started_at from incidents where title = 'Ledger drift in the billing run'")).rows[0];
      expect(incident.visibility).toBe("restricted");
      expect(incident.started_at).toBeInstanceOf(Date);
      const flags = (await client.query("select reminder_emails from users limit 1")).rows[0];
      expect(flags.reminder_emails).toBe(true);
    });

    const app = await run(TSX, ["tests/unit/db-copy-app.ts", "zeppelin", "avery@example.com"], {
      env: { ...process.env, DATABASE_URL: target, SESSION_SECRET: "a-secret-for-the-copied-database-test" },
    });
    const seen = JSON.parse(app.stdout.trim().split("\n").at(-1)!) as { hits: { key: number; kind: string; title: string }[]; newIncidentId: number };
    expect(seen.hits).toContainEqual({ key: zeppelinWhy * 8 + 2, kind: "why", title: "Ledger drift in the billing run" });
    // The identity restarted past the copied ids: the next incident follows the last.
    expect(seen.newIncidentId).toBe(expected.incidents + 1);
  }, 120_000);

  it("refuses a target that holds rows, naming the table, and leaves it as it was", async () => {
    const target = await emptyTarget();
    await onPostgres(target, async (client) => {
      await migrate(drizzle(client), { migrationsFolder: "db/migrations-pg" });
      await client.query("insert into settings (key, value) values ('digest', '{}')");
    });
    const before = await countsOn(target);
    const error = await caught(() => copyToPostgres({ from: source, to: target }));
    expect(error).toBeInstanceOf(CopyFailed);
    expect((error as Error).message).toBe("The PostgreSQL database is not empty: settings has rows. db:copy only fills an empty database.");
    expect(await countsOn(target)).toEqual(before);
  });

  it("rolls back everything when a row is refused midway", async () => {
    const broken = alteredSource("broken.db", (sqlite) => sqlite.prepare("update publications set snapshot = '{not json' where id = (select max(id) from publications)").run());
    const target = await emptyTarget();
    const error = await caught(() => copyToPostgres({ from: broken, to: target }));
    expect((error as Error).message).toMatch(/^Copying publications failed after \d+ rows: invalid input syntax for type json/);
    const counts = await countsOn(target);
    // Migrated, with the cause categories every new database starts with, and nothing else.
    expect(counts.cause_categories).toBe(9);
    expect(Object.entries(counts).filter(([name, rows]) => name !== "cause_categories" && name !== "__drizzle_migrations" && rows > 0)).toEqual([]);
  });

  it("rolls back everything when the check after the copy finds a difference", async () => {
    const stale = alteredSource("stale.db", (sqlite) => sqlite.prepare("insert into search_index (rowid, title, body, extra, incident_id) values (999999, 'gone', '', '', 1)").run());
    const target = await emptyTarget();
    const error = await caught(() => copyToPostgres({ from: stale, to: target }));
    const entries = sourceCounts(stale).search_index;
    expect((error as Error).message).toBe(`Verification failed: the search index has ${entries} entries on SQLite, ${entries - 1} on PostgreSQL.`);
    expect((await countsOn(target)).incidents).toBe(0);
  });

  it("refuses a SQLite table the PostgreSQL schema lacks", async () => {
    const extra = alteredSource("extra.db", (sqlite) => sqlite.exec("create table notes (id integer primary key, body text)"));
    const target = await emptyTarget();
    const error = await caught(() => copyToPostgres({ from: extra, to: target }));
    expect((error as Error).message).toBe("The SQLite file has tables the PostgreSQL schema lacks (notes): their rows would be lost.");
  });

  it("runs from the command line: a table of counts and “verified”, or one line and exit code 1, never the password", async () => {
    const target = await emptyTarget();
    const cli = (args: string[]) => run(TSX, ["db/copy.ts", ...args]);
    const done = await cli(["--from", source, "--to", target]);
    expect(done.stdout).toMatch(/^ {2}whys +\d+$/m);
    expect(done.stdout).toMatch(/verified\.\n$/);
    expect(done.stdout + done.stderr).not.toContain(PASSWORD);

    const refusals = [
      { args: ["--from", source, "--to", target], message: "db:copy: The PostgreSQL database is not empty: users has rows. db:copy only fills an empty database." },
      { args: ["--from", path.join(dir, "missing.db"), "--to", target], message: `db:copy: There is no SQLite file at ${path.join(dir, "missing.db")}.` },
    ];
    for (const { args, message } of refusals) {
      const failed = (await caught(() => cli(args))) as { code: number; stdout: string; stderr: string };
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe(`${message}\n`);
      expect(failed.stdout).toBe("");
    }
    expect(fs.existsSync(path.join(dir, "missing.db"))).toBe(false);

    const help = await cli(["--help"]);
    expect(help.stdout).toContain("Usage: npm run db:copy -- --from <SQLite file> --to <postgres://…>");
  }, 120_000);
});
