// Moves an installation up from SQLite to PostgreSQL:
//   npm run db:copy -- --from data/hindsight.db --to postgres://user:password@host:5432/hindsight
// Copies every row into an empty PostgreSQL database in one transaction, verified (row counts, a
// sample of rows compared field by field, the search index) before it commits. Stop the server
// first, so nothing written after the copy's snapshot is left behind. db/copy-to-postgres.ts.
import { parseArgs } from "node:util";

const HELP = `Usage: npm run db:copy -- --from <SQLite file> --to <postgres://…>

Copies a whole Hindsight installation from its SQLite file into an empty PostgreSQL database.

  --from <file>   the SQLite file (DATABASE_PATH; ./data/hindsight.db by default)
  --to <url>      the PostgreSQL database, postgres://user:password@host:5432/name
                  (DATABASE_URL when not given); it must exist and hold no rows
  --sample <n>    rows of each table compared field by field after the copy (default 50)
  --help          this text

The SQLite file is first brought up to date as the app would (its migrations and data
migrations); the PostgreSQL database is migrated, then filled in one transaction that is
committed only once row counts, the sampled rows and the search index match. Any refusal or
difference leaves the PostgreSQL database as it was. Stop the server before copying; start it
again with DATABASE_URL set to the target.`;

function fail(message: string): never {
  console.error(`db:copy: ${message}`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    options: { from: { type: "string" }, to: { type: "string" }, sample: { type: "string" }, help: { type: "boolean", default: false } },
    allowPositionals: false,
  });
} catch (error) {
  fail(`${error instanceof Error ? error.message.split(". ")[0] : String(error)}. See --help.`);
}
const { values } = parsed;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const from = values.from ?? process.env.DATABASE_PATH ?? "./data/hindsight.db";
const to = values.to ?? process.env.DATABASE_URL;
if (!to) fail("Say where to copy to: --to postgres://… (see --help).");
const sample = values.sample === undefined ? undefined : Number(values.sample);
if (sample !== undefined && (!Number.isInteger(sample) || sample < 1)) fail(`--sample must be a positive whole number, not “${values.sample}”.`);

// The source is opened by the app's SQLite port, which the engine choice at import decides:
// DATABASE_URL (perhaps the target itself) must not turn this process to PostgreSQL.
delete process.env.DATABASE_URL;
const { copyToPostgres, CopyFailed, describeTarget } = await import("./copy-to-postgres");

const started = performance.now();
const progress = process.stderr.isTTY ? (table: string, rows: number) => process.stderr.write(`\r\x1b[K  copied ${table} (${rows.toLocaleString("en")} rows)`) : undefined;
try {
  const result = await copyToPostgres({ from, to, sample, onTable: progress });
  if (progress) process.stderr.write("\r\x1b[K");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const width = Math.max(...result.tables.map((t) => t.name.length), "search_index (rebuilt)".length);
  console.log(`Copied ${from} to ${describeTarget(to)} in ${seconds} s.`);
  console.log(`  ${"table".padEnd(width)}  ${"rows".padStart(10)}`);
  for (const { name, rows } of result.tables) console.log(`  ${name.padEnd(width)}  ${rows.toLocaleString("en").padStart(10)}`);
  console.log(`  ${"search_index (rebuilt)".padEnd(width)}  ${result.searchEntries.toLocaleString("en").padStart(10)}`);
  console.log(`Row counts and search entries equal on both sides; ${result.sampled.toLocaleString("en")} sampled rows alike: verified.`);
} catch (error) {
  if (progress) process.stderr.write("\n");
  fail(error instanceof CopyFailed ? error.message : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
}
