// Loads the demo incidents and their people (db/demo.ts), so a newcomer sees a real analysis at once.
//   npm run seed:demo            into DATABASE_URL, else DATABASE_PATH (default ./data/hindsight.db)
import { appDatabaseName, openAppDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { loadDemo } from "./demo";

await openAppDatabase(DATA_MIGRATIONS);

console.log(`Loading the demo into ${appDatabaseName()}`);
const { loaded, logins } = await loadDemo();
console.log(`Loaded ${loaded} demo incident${loaded === 1 ? "" : "s"}.`);
console.log("Demo sign-ins (email, password):");
console.log(logins.join("\n"));
