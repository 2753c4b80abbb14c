import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export type BackupResult = { file: string; bytes: number; pages: number; integrity: string };

/**
 * A consistent copy of a live database, taken with SQLite's online backup while others read and
 * write it: the copy is the database as it was at one moment.
 * The copy is written beside the target and moved into place only once it checks out, so a
 * failed backup never leaves a half-written file under the target's name.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new Error(`No database at ${source}`);
  const file = path.resolve(target);
  if (file === path.resolve(source)) throw new Error("The backup must go to another file than the database.");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  fs.rmSync(partial, { force: true });
  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma("busy_timeout = 5000");
    // All pages in one step, read from one snapshot: copied a hundred at a time, a server that
    // writes between steps would make SQLite start over, again and again.
    const { totalPages } = await live.backup(partial, { progress: () => 0x7fffffff });
    const copy = new Database(partial, { fileMustExist: true });
    let integrity: string;
    try {
      integrity = String(copy.pragma("integrity_check", { simple: true }));
      // The copy stands alone: no write-ahead log beside it.
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    if (integrity !== "ok") throw new Error(`The copy failed its integrity check: ${integrity}`);
    fs.renameSync(partial, file);
    return { file, bytes: fs.statSync(file).size, pages: totalPages, integrity };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    live.close();
  }
}
