// The app on a database db:copy filled, run as its own process (DATABASE_URL selects PostgreSQL as
// the app loads): it searches as an administrator for the word given, reports a new incident, and
// prints what it found as JSON. tests/unit/db-copy.test.ts runs it.
import { createIncident, userByEmail } from "../../db/factories";
import { closeDatabase, db, openAppDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { searchFor } from "~/models/search.server";

const [word, adminEmail] = process.argv.slice(2);
await openAppDatabase(DATA_MIGRATIONS);
const admin = await userByEmail(adminEmail);
if (!admin) throw new Error(`No user ${adminEmail} on the copy.`);
const found = await searchFor(admin, { q: word });
const added = await createIncident(admin, { title: "Reported after the move" });
console.log(JSON.stringify({ hits: found.items.map((hit) => ({ key: hit.key, kind: hit.kind, title: hit.incident.title })), newIncidentId: added.id }));
await closeDatabase(db());
