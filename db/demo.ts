// The demo incidents (db/seed-data/incidents.json) and their people, so a newcomer sees a real
// analysis at once. Safe to load twice: people and incidents already present are left alone.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import type { Severity, Status } from "~/models/incident";
import { setPeople } from "~/models/incident.server";
import type { Role } from "~/models/user.server";
import { addDays } from "~/lib/time";
import type { ActionStatus } from "~/models/action";
import { changeActionStatus, createAction, today } from "~/models/action.server";
import { listWhys } from "~/models/why.server";
import { actionFields, addTimeline, addWhyTree, advanceTo, createIncident, createUser, keepFlaggedWording, userByEmail, withoutNotificationEmails, type WhySpec } from "./factories";

const DEMO_PASSWORD = "hindsight-demo";

type Sample = {
  users: { name: string; email: string; role: Role; team: string }[];
  incidents: {
    title: string;
    severity: Severity;
    status: Status;
    publishedDaysAgo?: number;
    services: string[];
    startedAt: string;
    detectedAt?: string;
    resolvedAt?: string;
    facilitator: string;
    participants: string[];
    impact: string;
    summary: string;
    timeline: { at: string; text: string }[];
    whys: WhySpec[];
    actions: { title: string; owner: string; dueInDays: number; status: ActionStatus; remediates: string }[];
    /** The reason for keeping flagged wording as written (the blameless check shows it as acknowledged). */
    keepWording?: string;
  }[];
};

const sample: Sample = JSON.parse(fs.readFileSync(path.resolve("db/seed-data/incidents.json"), "utf8"));
const iso = (t?: string) => (t ? new Date(t).toISOString() : null);

/** Loads the demo; returns how many incidents it added and a line per demo sign-in. */
export async function loadDemo(): Promise<{ loaded: number; logins: string[] }> {
  const logins: string[] = [];
  for (const person of sample.users) {
    if (await userByEmail(person.email)) {
      logins.push(`  ${person.email.padEnd(22)} (already existed; password unchanged)`);
      continue;
    }
    await createUser({ ...person, password: DEMO_PASSWORD });
    logins.push(`  ${person.email.padEnd(22)} ${DEMO_PASSWORD}   ${person.role}, ${person.team}`);
  }

  let loaded = 0;
  // Made-up people: nothing is emailed to them.
  await withoutNotificationEmails(async () => {
    for (const item of sample.incidents) {
      if (await db().select().from(schema.incidents).where(eq(schema.incidents.title, item.title)).get()) continue;
      const facilitator = (await userByEmail(item.facilitator))!;
      const incident = await createIncident(facilitator, {
        title: item.title,
        severity: item.severity,
        startedAt: iso(item.startedAt)!,
        detectedAt: iso(item.detectedAt),
        resolvedAt: iso(item.resolvedAt),
        services: item.services,
        impactMd: item.impact,
        summaryMd: item.summary,
        visibility: "org",
      });
      const participantIds: number[] = [];
      for (const email of item.participants) participantIds.push((await userByEmail(email))!.id);
      await setPeople(facilitator, incident.id, facilitator.id, participantIds);
      await addTimeline(facilitator, incident.id, item.timeline);
      const whyIds = await addWhyTree(facilitator, incident.id, item.whys);
      const rows = await listWhys(incident.id);
      for (const spec of item.actions) {
        const why = rows.find((w) => w.question === spec.remediates && whyIds.includes(w.id));
        const owner = (await userByEmail(spec.owner))!;
        const action = await createAction(facilitator, incident.id, why?.id ?? null, {
          ...actionFields(owner.id, { title: spec.title, priority: "P2" }),
          dueDate: addDays(await today(), spec.dueInDays),
        });
        if (spec.status === "in_progress" || spec.status === "done") await changeActionStatus(owner, action.id, spec.status);
      }
      if (item.keepWording) await keepFlaggedWording(facilitator, incident.id, item.keepWording);
      if (item.status !== "draft") {
        const publishedAt = new Date(Date.now() - (item.publishedDaysAgo ?? 0) * 86_400_000);
        await advanceTo(facilitator, incident.id, item.status, publishedAt);
      }
      loaded += 1;
    }
  });
  return { loaded, logins };
}
