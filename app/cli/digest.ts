// The weekly digest, by hand:
//   npm run digest                          send last week's digest (once; a repeat sends nothing)
//   npm run digest -- --period 2026-W48     that week's
//   npm run digest -- --dry-run             print the email instead of sending it
import { parseArgs } from "node:util";
import { parsePeriod, periodProblem } from "~/lib/period";
import { digestEmail, lastWeek, sendDigest } from "~/models/digest.server";
import { getSettings } from "~/models/settings.server";

const { values } = parseArgs({ options: { period: { type: "string" }, "dry-run": { type: "boolean", default: false } } });
const problem = values.period ? periodProblem(values.period) : null;
if (problem) {
  console.error(problem);
  process.exit(2);
}
const period = values.period ? parsePeriod(values.period, getSettings().timeZone) : lastWeek();

if (values["dry-run"]) {
  const email = digestEmail(period);
  console.log(`To: ${email.to.join(", ") || "(nobody: set DIGEST_TO or the recipients on the Settings page)"}`);
  console.log(`Subject: ${email.subject}`);
  for (const [name, value] of Object.entries(email.headers ?? {})) console.log(`${name}: ${value}`);
  console.log(`\n${email.text}\n\n--- HTML part ---\n${email.html}`);
} else {
  const result = await sendDigest(period);
  const said = {
    queued: "written to the outbox",
    "already-queued": "already written before; not sent again",
    "skipped-empty": "skipped: no new post-mortems, and the settings say to skip empty weeks",
    "no-recipients": "not sent: set DIGEST_TO or the recipients on the Settings page",
  }[result.outcome];
  console.log(`Digest ${result.period}: ${said}. Delivery: ${result.sent} sent, ${result.failed} failed.`);
  process.exitCode = result.failed > 0 || result.outcome === "no-recipients" ? 1 : 0;
}
