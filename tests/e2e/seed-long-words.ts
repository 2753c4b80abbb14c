// Writes a database where every field a person fills holds one long unbroken word (as long as its
// limit allows, 200 characters where it allows more): people, teams, an incident published with
// its whys, actions, timeline and learning, a restricted one in analysis, a cause category, and
// flagged wording in the restricted one's whys, reminder emails in the outbox, digest #1 sent to the owner, who subscribed, and a
// webhook endpoint with a failed test event. For the layout and accessibility specs, which serve it.
//   node --import tsx tests/e2e/seed-long-words.ts --dir <data folder>
// into the database the environment names as the server's (DATABASE_URL, else DATABASE_PATH),
// which must be new, signed with the server's SESSION_SECRET when it has one.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

export const LONG_WORDS_ADMIN = { email: "long-words-admin@example.com", password: "long-words-password" };

/** One unbroken word of exactly `length` characters, starting with `stem`. */
export function unbroken(stem: string, length = 200): string {
  return (stem + "Unbrokenword".repeat(Math.ceil(length / 12))).slice(0, length);
}

/** The file in the data folder that holds the seeded subscriber's unsubscribe path. */
export const UNSUBSCRIBE_PATH_FILE = "unsubscribe-path";

/** A word every seeded text field holds, so a search finds each kind of hit. */
export const SEARCH_WORD = "checkout";

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, "seed-long-words.ts")) {
  const { values } = parseArgs({ options: { dir: { type: "string" } } });
  const dataDir = path.resolve(values.dir!);
  const file = process.env.DATABASE_PATH;
  if (!process.env.DATABASE_URL && (!file || fs.existsSync(file))) throw new Error(`DATABASE_PATH must name a new file (${file})`);
  const { actionFields, advanceTo, addTimeline, addWhyTree, createIncident, createUser } = await import("../../db/factories");
  const { closeDatabase, db, openAppDatabase } = await import("~/lib/db.server");
  const { DATA_MIGRATIONS } = await import("~/models/data-migrations.server");
  await openAppDatabase(DATA_MIGRATIONS);
  const { addCategory } = await import("~/models/category.server");
  const { createAction } = await import("~/models/action.server");
  const { setPeople } = await import("~/models/incident.server");
  const { createPolicy } = await import("~/models/gate.server");
  const { addDays } = await import("~/lib/time");
  const { runReminders } = await import("~/models/reminder.server");
  const { sendDigest } = await import("~/models/digest.server");
  const { subscribe, unsubscribeUrl } = await import("~/models/subscription.server");

  const text = (stem: string) => `${SEARCH_WORD} ${unbroken(stem)}`;
  const admin = await createUser({ name: unbroken("Admin", 100), team: unbroken("Team", 60), role: "admin", ...LONG_WORDS_ADMIN });
  const owner = await createUser({ name: unbroken("Owner", 100), team: unbroken("Ownerteam", 60), email: "long-words-owner@example.com" });
  const category = await addCategory(admin, unbroken("Category", 60));
  const services = ["Serviceone", "Servicetwo", "Servicethree"].map((s) => unbroken(s, 60));
  const todayDate = new Date().toISOString().slice(0, 10);

  const published = await createIncident(admin, {
    title: unbroken("Title"),
    services,
    impactMd: `${text("Impact")}\n\nhttps://example.com/${unbroken("Impactlink")}`,
    summaryMd: `${text("Summary")}\n\n\`${unbroken("Summarycode")}\``,
    facilitatorId: admin.id,
  });
  await setPeople(admin, published.id, admin.id, [owner.id]);
  const [firstWhy, secondWhy] = await addWhyTree(admin, published.id, [
    {
      question: `Why ${text("Question")}?`,
      answer: text("Answer"),
      remediation: text("Remediation"),
      category: category.slug,
      children: [{ question: `Why ${text("Deeperquestion")}?`, answer: text("Deeperanswer"), remediation: text("Deeperremediation"), category: category.slug }],
    },
  ]);
  await createAction(admin, published.id, firstWhy, {
    ...actionFields(owner.id),
    title: unbroken("Overdueaction"),
    descriptionMd: text("Description"),
    dueDate: addDays(todayDate, -3),
    trackerUrl: `https://tracker.example.com/${unbroken("Tracker")}`,
  });
  await createAction(admin, published.id, secondWhy, { ...actionFields(admin.id), title: unbroken("Openaction"), descriptionMd: text("Otherdescription"), dueDate: addDays(todayDate, 20) });
  await addTimeline(admin, published.id, [{ at: "2026-10-06T14:05:00Z", text: text("Timeline") }]);
  await advanceTo(admin, published.id, "published");

  const restricted = await createIncident(admin, { title: unbroken("Restrictedtitle"), services, visibility: "restricted", impactMd: text("Restrictedimpact"), facilitatorId: admin.id });
  await advanceTo(admin, restricted.id, "analysis");
  // Two whys whose wording the check flags: each finding's controls must say which one they act on.
  await addWhyTree(admin, restricted.id, [
    { question: `Why ${text("Restrictedquestion")}?`, answer: "Because the on-call engineer was careless with the deploy.", remediation: "Add a deploy lock." },
    { question: `Why ${text("Otherquestion")}?`, answer: "Because the reviewer was careless with the config.", remediation: "Validate the config in CI." },
  ]);

  // The restricted incident's analysis is late: it holds deploys of a service with a long name, and
  // of every other, so its page shows the gate's notice and the form to let deploys through.
  await createPolicy(admin, { service: services[0], minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true });
  await createPolicy(admin, { service: null, minSeverity: "SEV2", analysisHours: 72, holdOnOverdueP1: true });

  await runReminders();
  // Digest #1, sent to a subscriber; the pages of a past digest and of its unsubscribe link.
  await subscribe(owner);
  await sendDigest({ trigger: "command" });
  fs.writeFileSync(path.join(dataDir, UNSUBSCRIBE_PATH_FILE), new URL(unsubscribeUrl(owner.id)).pathname);
  // A webhook endpoint with a long URL and description, added last so no change above is sent to
  // it, and a test event it did not take (nothing listens there), for the Webhooks and Outbox pages.
  const { createEndpoint, sendTestEvent, setWebhooksAllowPrivate } = await import("~/models/webhook.server");
  await setWebhooksAllowPrivate(admin, true);
  const { endpoint } = await createEndpoint(admin, {
    url: `http://127.0.0.1:9/${unbroken("Hookpath", 1500)}`,
    description: unbroken("Endpoint", 200),
    format: "standard",
    eventTypes: ["incident.moved"],
  });
  await sendTestEvent(admin, endpoint.id);
  await closeDatabase(db());
}
