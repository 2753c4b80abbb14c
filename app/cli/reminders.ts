// Sends today's reminders now, and retries any email that failed before:
//   npm run reminders
import { openAppDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { runReminders } from "~/models/reminder.server";

await openAppDatabase(DATA_MIGRATIONS);

const result = await runReminders();
console.log(
  `Reminders for ${result.today}: ${result.queued} new, ${result.sent} sent, ${result.failed} failed` +
    (result.failed > 0 ? " (they are retried on the next run; see the Outbox page)" : ""),
);
process.exitCode = result.failed > 0 ? 1 : 0;
