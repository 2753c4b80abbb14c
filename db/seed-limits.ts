// Writes the largest incident Hindsight allows into a database of its own: every limit reached,
// every field at its longest, wording the blameless check flags in every why. For the benchmark
// (npm run bench:limits) and the end-to-end test that serves it.
//   npm run seed:limits -- --db data/limits.db     (the file must not exist yet)
//   npm run seed:limits -- --database-url postgres://…/limits     (a new, empty database)
// Signs in as limits-admin@example.com / hindsight-limits; the incident is INC-1.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { LIMITS_ADMIN } from "./limits-admin";


const { values } = parseArgs({ options: { db: { type: "string", default: "data/limits.db" }, "database-url": { type: "string" } } });
// The app's modules read the database's address when first used: set before they are loaded.
if (values["database-url"]) {
  process.env.DATABASE_URL = values["database-url"];
  // Nothing here is signed, but the app's settings ask for the secret whenever DATABASE_URL is set.
  process.env.SESSION_SECRET ??= crypto.randomBytes(32).toString("hex");
} else {
  const file = path.resolve(values.db!);
  if (fs.existsSync(file)) {
    console.error(`${path.relative(process.cwd(), file)} exists already; remove it or name another file with --db.`);
    process.exit(1);
  }
  // A DATABASE_URL in the environment would send the incident there instead.
  delete process.env.DATABASE_URL;
  process.env.DATABASE_PATH = file;
}
const { createIncidentAtLimits, createUser } = await import("./factories");
const { closeDatabase, db, openAppDatabase } = await import("~/lib/db.server");
const { DATA_MIGRATIONS } = await import("~/models/data-migrations.server");
await openAppDatabase(DATA_MIGRATIONS);
const admin = await createUser({ name: "Limits Admin", email: LIMITS_ADMIN.email, role: "admin", password: LIMITS_ADMIN.password });
const started = performance.now();
const { incident } = await createIncidentAtLimits(admin, { blame: true });
await closeDatabase(db());
console.log(JSON.stringify({ reference: incident.reference, buildMs: Math.round(performance.now() - started) }));
