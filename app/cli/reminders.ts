// Sends today's reminders now, and retries any email that failed before:
//   npm run reminders
import { closeDatabase, openAppDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { runReminders } from "~/models/reminder.server";

const database = await openAppDatabase(DATA_MIGRATIONS);

const result = await runReminders();
console.log(
  `Reminders for ${result.today}: ${result.queued} new, ${result.sent} sent, ${result.failed} failed` +
    (result.failed > 0 ? " (they are retried on the next run; see the Outbox page)" : ""),
);
process.exitCode = result.failed > 0 ? 1 : 0;

// Done: the connections close, so the process ends now (a PostgreSQL pool would hold it open for
// its idle connections' timeout).
await closeDatabase(database);
