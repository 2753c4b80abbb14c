// Upgrading a database made by an earlier version. Migrations 0009 and 0012 once filled their
// tables by calling the app's code from SQL; they are plain SQL now, and the app fills what they
// filled in data migrations (app/models/data-migrations.server.ts). The migrator decides what to
// run by each migration's time in the journal, not by the file's hash, so a database that ran
// the old files keeps its data and runs neither again.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, runDataMigrations, sqliteOf, type Db } from "~/lib/db.server";
import { parsePeriod } from "~/lib/period";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { learningContentJson } from "~/models/learning.server";
import type { Snapshot, SnapshotWhy } from "~/models/publication.server";

const MIGRATIONS = path.resolve("db/migrations");
/** 0009 and 0012 as they were when they called the app's code (through SQL functions). */
const OLD_FILES = path.resolve("tests/unit/fixtures/migrations-that-called-app-code");

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-upgrade-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A migrations folder holding the migrations up to `last` (its index), the old 0009 and 0012 when `old`. */
function migrationsUpTo(last: number, old: boolean): string {
  const folder = fs.mkdtempSync(path.join(dir, "migrations-"));
  fs.mkdirSync(path.join(folder, "meta"));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, "meta/_journal.json"), "utf8")) as { entries: { idx: number; tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  fs.writeFileSync(path.join(folder, "meta/_journal.json"), JSON.stringify(journal));
  for (const { tag } of journal.entries) {
    const oldFile = path.join(OLD_FILES, `${tag}.sql`);
    fs.copyFileSync(old && fs.existsSync(oldFile) ? oldFile : path.join(MIGRATIONS, `${tag}.sql`), path.join(folder, `${tag}.sql`));
  }
  return folder;
}

/** The database as the earlier version opened it: its SQL functions registered, then migrated. */
function migrateAsBefore(file: string, last: number) {
  const sqlite = new Database(file);
  sqlite.pragma("foreign_keys = ON");
  sqlite.function("learning_content", { deterministic: true }, (snapshot) => learningContentJson(String(snapshot)));
  sqlite.function("iso_week_end", { deterministic: true }, (key, timeZone) => {
    try {
      return parsePeriod(String(key), String(timeZone)).end;
    } catch {
      return null;
    }
  });
  migrate(drizzle(sqlite), { migrationsFolder: migrationsUpTo(last, true) });
  return sqlite;
}

const why = (level: number, answer: string, category: string, children: SnapshotWhy[] = []): SnapshotWhy => ({
  level,
  question: `Why ${level}?`,
  answer,
  remediationMd: `Fix **level ${level}**.`,
  remediationHtml: `<p>Fix <strong>level ${level}</strong>.</p>`,
  noRemediationReason: "",
  category,
  children,
});

function snapshot(reference: string, title: string, services: string[], categories: string[]): string {
  const s: Snapshot = {
    reference,
    title,
    severity: "SEV2",
    services,
    startedAt: "2026-11-20T10:00:00.000Z",
    detectedAt: null,
    resolvedAt: null,
    impactMd: "Checkout failed.",
    impactHtml: "<p>Checkout failed.</p>",
    summaryMd: "The pool ran out.\n\nMore detail.",
    summaryHtml: "<p>The pool ran out.</p><p>More detail.</p>",
    facilitator: "Ada",
    whys: [why(1, "The pool ran out.", categories[0], [why(2, "Reports held connections.", categories[1] ?? categories[0])])],
    categories,
    actions: [],
  };
  return JSON.stringify(s);
}

/**
 * What an installation holds before 0009: people, incidents published (one twice, one restricted
 * since), a cause merged into another, weekly digests in the outbox (one sent mid-week), and its
 * time zone. The tables as they were after migration 0008.
 */
function seedBefore0009(sqlite: Database.Database) {
  sqlite.exec(`
    insert into users (id, email, name, role) values (1, 'ada@example.com', 'Ada', 'admin'), (2, 'grace@example.com', 'Grace', 'member');
    insert into users (id, email, name, removed_at) values (3, 'gone@example.com', 'Gone', '2026-11-01T00:00:00.000Z');
    insert into settings (key, value) values ('timeZone', '"Europe/Berlin"');
    insert into cause_categories (slug, label, position) values ('u-capacity', 'Upgrade capacity', 91), ('u-testing', 'Upgrade testing', 92), ('u-old-tests', 'Upgrade old tests', 93);
    update cause_categories set merged_into = 'u-testing' where slug = 'u-old-tests';
    insert into incidents (id, title, severity, status, visibility, started_at, facilitator_id, reported_by_id, published_at)
      values (1, 'Checkout down', 'SEV2', 'published', 'org', '2026-11-20T10:00:00.000Z', 1, 1, '2026-11-21T10:00:00.000Z'),
             (2, 'Payroll leak', 'SEV1', 'published', 'restricted', '2026-11-22T10:00:00.000Z', 1, 1, '2026-11-26T10:00:00.000Z'),
             (3, 'Draft only', 'SEV3', 'analysis', 'org', '2026-11-23T10:00:00.000Z', 1, 1, null);
    insert into outbox (key, kind, recipients, subject, text, html, status, created_at) values
      ('digest:2026-W47', 'digest', 'everyone@example.com', 's', 't', 'h', 'sent', '2026-11-23T09:00:00.000Z'),
      ('digest:2026-W48', 'digest', 'everyone@example.com', 's', 't', 'h', 'sent', '2026-11-25T12:00:00.000Z'),
      ('reminder:1:2026-11-24', 'reminder', 'ada@example.com', 's', 't', 'h', 'sent', '2026-11-24T08:00:00.000Z');
  `);
  const publish = sqlite.prepare("insert into publications (incident_id, revision, published_at, published_by_id, snapshot) values (?, ?, ?, 1, ?)");
  publish.run(1, 1, "2026-11-21T10:00:00.000Z", snapshot("INC-1", "Checkout down", ["checkout", "db"], ["u-capacity"]));
  publish.run(2, 1, "2026-11-26T10:00:00.000Z", snapshot("INC-2", "Payroll leak", ["payroll"], ["u-old-tests"]));
  publish.run(1, 2, "2026-11-27T10:00:00.000Z", snapshot("INC-1", "Checkout down again", ["checkout"], ["u-capacity", "u-old-tests"]));
}

const DERIVED = ["learnings", "learning_services", "learning_categories", "digests", "digest_items"] as const;

function derived(sqlite: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(DERIVED.map((table) => [table, sqlite.prepare(`select * from ${table} order by 1, 2`).all()]));
}

const stepNames = DATA_MIGRATIONS.map((s) => s.name);
const journal = JSON.parse(fs.readFileSync("db/migrations/meta/_journal.json", "utf8")) as { entries: unknown[] };
const ranSteps = (db: Db) => sqliteOf(db).prepare("select name from __data_migrations order by rowid").pluck().all();

describe("upgrading a database made by an earlier version", () => {
  it("keeps what the old migrations filled, runs neither again, and records the data migrations", async () => {
    const file = path.join(dir, "old.db");
    const before = migrateAsBefore(file, 8);
    seedBefore0009(before);
    before.close();
    const old = migrateAsBefore(file, 13);
    const filled = derived(old);
    const hashes = old.prepare("select hash, created_at from __drizzle_migrations order by id").all();
    old.close();
    expect(filled.learnings).toHaveLength(3);
    expect(filled.digests).toHaveLength(2);

    const db = await openDatabase(file, { dataMigrations: DATA_MIGRATIONS });
    try {
      expect(derived(sqliteOf(db))).toEqual(filled);
      // The edited files' new hashes are not recorded: the migrator ran none of the old ones again,
      // only those written since.
      const recorded = sqliteOf(db).prepare("select hash, created_at from __drizzle_migrations order by id").all();
      expect(recorded.slice(0, hashes.length)).toEqual(hashes);
      expect(recorded.length).toBe(journal.entries.length);
      expect(ranSteps(db)).toEqual(stepNames);
      // Everyone still in gets a private feed link; a removed person none.
      expect(sqliteOf(db).prepare("select id, feed_token is not null as has from users order by id").all()).toEqual([
        { id: 1, has: 1 },
        { id: 2, has: 1 },
        { id: 3, has: 0 },
      ]);
    } finally {
      sqliteOf(db).close();
    }
  });

  it("fills from an installation older than 0009 exactly what the old migrations filled", async () => {
    const oldFile = path.join(dir, "old.db");
    const newFile = path.join(dir, "new.db");
    for (const file of [oldFile, newFile]) {
      const before = migrateAsBefore(file, 8);
      seedBefore0009(before);
      before.close();
    }
    const old = migrateAsBefore(oldFile, 13);
    const expected = derived(old);
    old.close();

    const db = await openDatabase(newFile, { dataMigrations: DATA_MIGRATIONS });
    try {
      expect(derived(sqliteOf(db))).toEqual(expected);
      // The restricted incident's rows follow its visibility; the merged cause counts as the one it went into.
      expect(expected.learning_categories).toContainEqual(expect.objectContaining({ incident_id: 1, category: "u-testing" }));
      expect(expected.learnings).toContainEqual(expect.objectContaining({ incident_id: 2, visibility: "restricted" }));
      // The mid-week digest ended when it was written; the next starts there.
      expect(expected.digests).toMatchObject([
        { seq: 1, end_at: "2026-11-22T23:00:00.000Z", start_at: null },
        { seq: 2, end_at: "2026-11-25T12:00:00.000Z", start_at: "2026-11-22T23:00:00.000Z" },
      ]);
      // Opened again, nothing runs twice.
      expect(await runDataMigrations(db, DATA_MIGRATIONS)).toEqual([]);
      expect(derived(sqliteOf(db))).toEqual(expected);
    } finally {
      sqliteOf(db).close();
    }
  });

  it("a new database runs every migration on empty tables and records the data migrations", async () => {
    const db = await openDatabase(":memory:", { dataMigrations: DATA_MIGRATIONS });
    expect(ranSteps(db)).toEqual(stepNames);
    expect(derived(sqliteOf(db))).toEqual(Object.fromEntries(DERIVED.map((t) => [t, []])));
  });
});
