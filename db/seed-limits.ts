// Writes the largest incident Hindsight allows into a database of its own: every limit reached,
// every field at its longest, wording the blameless check flags in every why. For the benchmark
// (npm run bench:limits) and the end-to-end test that serves it.
//   npm run seed:limits -- --db data/limits.db     (the file must not exist yet)
// Signs in as limits-admin@example.com / hindsight-limits; the incident is INC-1.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { LIMITS_ADMIN } from "./limits-admin";


const { values } = parseArgs({ options: { db: { type: "string", default: "data/limits.db" } } });
const file = path.resolve(values.db!);
if (fs.existsSync(file)) {
  console.error(`${path.relative(process.cwd(), file)} exists already; remove it or name another file with --db.`);
  process.exit(1);
}
// The app's modules read DATABASE_PATH when first used: set before they are loaded.
process.env.DATABASE_PATH = file;
const { createIncidentAtLimits, createUser } = await import("./factories");
const { db, openAppDatabase, sqliteOf } = await import("~/lib/db.server");
const { DATA_MIGRATIONS } = await import("~/models/data-migrations.server");
await openAppDatabase(DATA_MIGRATIONS);
const admin = await createUser({ name: "Limits Admin", email: LIMITS_ADMIN.email, role: "admin", password: LIMITS_ADMIN.password });
const started = performance.now();
const { incident } = await createIncidentAtLimits(admin, { blame: true });
sqliteOf(db()).close();
console.log(JSON.stringify({ reference: incident.reference, buildMs: Math.round(performance.now() - started) }));
