// A consistent copy of the database while the server keeps running:
//   npm run backup -- backups/hindsight-2026-11-24.db
// Restore: stop the server, put the copy in place of DATABASE_PATH (removing any -wal and -shm
// files beside the old one), start the server. On PostgreSQL (DATABASE_URL) its own tools copy
// the database: pg_dump and pg_restore (README, Production).
import { backupDatabase } from "~/lib/backup.server";
import { env } from "~/lib/env.server";

if (env().DATABASE_URL) {
  console.error('This backs up the SQLite file. On PostgreSQL use pg_dump: pg_dump -Fc "$DATABASE_URL" -f hindsight.dump (restore: pg_restore --clean --if-exists -d "$DATABASE_URL" hindsight.dump).');
  process.exit(2);
}

const target = process.argv[2];
if (!target) {
  console.error("Say where the copy goes: npm run backup -- <file>");
  process.exit(2);
}
try {
  const result = await backupDatabase(env().DATABASE_PATH, target);
  console.log(`Backed up ${env().DATABASE_PATH} to ${result.file}: ${(result.bytes / 1024 / 1024).toFixed(1)} MB, ${result.pages} pages, integrity ${result.integrity}.`);
} catch (error) {
  console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
