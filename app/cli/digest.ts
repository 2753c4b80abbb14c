// The digest from the command line (e.g. a cron job, with SCHEDULER=false):
//   npm run digest              send the next digest, everything published since the previous one,
//                               unless one was sent since the scheduled day and hour (Settings);
//                               a repeat, or two runs at once, send it once
//   npm run digest -- --dry-run print the next digest as the list addresses would get it, sending nothing
import { parseArgs } from "node:util";
import { closeDatabase, openAppDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { previewDigest, scheduledMoment, sendDigest } from "~/models/digest.server";

const database = await openAppDatabase(DATA_MIGRATIONS);

const { values } = parseArgs({ options: { "dry-run": { type: "boolean", default: false } } });

if (values["dry-run"]) {
  const { span, label, audience, email } = await previewDigest();
  console.log(`Digest #${span.seq}, ${label}`);
  const to = audience.map((r) => (r.kind === "list" ? r.address : `${r.subscriber.email} (subscriber)`));
  console.log(`To: ${to.join(", ") || "(nobody: set DIGEST_TO or the recipients on the Settings page, or subscribe)"}`);
  console.log(`Subject: ${email.subject}`);
  for (const [name, value] of Object.entries(email.headers ?? {})) console.log(`${name}: ${value}`);
  console.log(`\n${email.text}\n\n--- HTML part ---\n${email.html}`);
} else {
  const now = new Date();
  const result = await sendDigest({ trigger: "command", now, dueSince: await scheduledMoment(now) });
  const said = {
    queued: `written to the outbox for ${result.queued} recipient${result.queued === 1 ? "" : "s"}`,
    "already-sent": "already sent; not sent again",
    "skipped-empty": "skipped: no new post-mortems, and the settings say to skip an empty digest",
    "no-recipients": "not sent: set DIGEST_TO or the recipients on the Settings page, or subscribe on your account page",
  }[result.outcome];
  console.log(`Digest #${result.seq} (${result.label}): ${said}. Delivery: ${result.sent} sent, ${result.failed} failed.`);
  process.exitCode = result.failed > 0 || result.outcome === "no-recipients" ? 1 : 0;
}

// Done: the connections close, so the process ends now (a PostgreSQL pool would hold it open for
// its idle connections' timeout).
await closeDatabase(database);
