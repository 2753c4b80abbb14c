import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createIncident, createUser } from "../../db/factories";
import { backupDatabase } from "~/lib/backup.server";
import { db, openDatabase, sqliteOf, useDatabase } from "~/lib/db.server";
import { listIncidents } from "~/models/incident.server";

let dir: string;
let live: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-backup-"));
  live = path.join(dir, "hindsight.db");
  useDatabase(await openDatabase(live));
});

afterEach(() => {
  sqliteOf(db()).close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function incidentCount(file: string): number {
  const copy = new Database(file, { readonly: true });
  try {
    return copy.prepare("select count(*) from incidents").pluck().get() as number;
  } finally {
    copy.close();
  }
}

describe("backups", () => {
  it("copy the database while it is being written, consistently, and the copy restores", async () => {
    const reporter = await createUser({ name: "Ada" });
    for (let i = 0; i < 50; i++) await createIncident(reporter, { title: `Before the backup ${i}` });
    // Writes keep coming from the app's connection while the backup runs on its own.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await createIncident(reporter, { title: `During the backup ${written}` });
        written += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const result = await backupDatabase(live, path.join(dir, "copies", "backup.db"));
    writing = false;
    await writer;

    expect(written).toBeGreaterThan(0);
    expect(result.integrity).toBe("ok");
    expect(fs.existsSync(`${result.file}.partial`)).toBe(false);
    const copied = incidentCount(result.file);
    expect(copied).toBeGreaterThanOrEqual(50);
    expect(copied).toBeLessThanOrEqual(50 + written);
    // Each incident in the copy is whole: its audit trail and services came with it.
    const copy = new Database(result.file, { readonly: true });
    const orphans = copy.prepare("select count(*) from incidents i where not exists (select 1 from incident_services s where s.incident_id = i.id)").pluck().get();
    copy.close();
    expect(orphans).toBe(0);

    // Restore: the copy in place of the database, opened by the app.
    sqliteOf(db()).close();
    const restored = path.join(dir, "restored.db");
    fs.copyFileSync(result.file, restored);
    useDatabase(await openDatabase(restored));
    const admin = await createUser({ role: "admin" });
    expect((await listIncidents(admin, {})).total).toBe(copied);
    expect((await listIncidents(admin, {})).items[0].title).toMatch(/backup/);
    // Writes race a real backup: a limit that only ends a hung run, never decides a slow one.
  }, 60_000);

  it("refuse to overwrite the database itself and leave nothing behind on failure", async () => {
    await expect(backupDatabase(live, live)).rejects.toThrow(/another file/);
    await expect(backupDatabase(path.join(dir, "missing.db"), path.join(dir, "x.db"))).rejects.toThrow(/No database/);
    expect(fs.existsSync(path.join(dir, "x.db"))).toBe(false);
  });

  it("run as npm run backup, and say how when the file is missing", async () => {
    await createIncident(await createUser(), { title: "Kept" });
    const target = path.join(dir, "cli.db");
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "app/cli/backup.ts", ...args], { encoding: "utf8", env: { ...process.env, DATABASE_PATH: live } });
    const done = run([target]);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/integrity ok/);
    expect(incidentCount(target)).toBe(1);
    const usage = run([]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/npm run backup -- <file>/);
    // Two child processes that each load TypeScript: seconds on a busy machine.
  }, 60_000);
});
