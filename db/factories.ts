import { and, eq, gt, like, sql } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import { hashPassword, newToken } from "~/lib/password.server";
import type { Viewer } from "~/models/authorization";
import type { ActionFields } from "~/models/action.server";
import type { Status } from "~/models/incident";
import { createAction } from "~/models/action.server";
import { FIELD_LIMITS, LIMITS } from "~/models/limits";
import { getIncident, moveIncident, reportIncident, setPeople, type IncidentFields } from "~/models/incident.server";
import { linkIncidents } from "~/models/recurrence.server";
import { addTimelineEntry } from "~/models/timeline.server";
import { openFindingsOf } from "~/models/blame.server";
import { acknowledgeFinding, addWhy, type WhyFields } from "~/models/why.server";
import type { Role, User } from "~/models/user.server";

// The factories that build demo data (db/seed.ts) and test data alike.

let counter = 0;

export async function createUser(input: Partial<{ name: string; email: string; team: string; role: Role; password: string }> = {}): Promise<User> {
  counter += 1;
  const { password, ...rest } = input;
  return await db()
    .insert(schema.users)
    .values({
      name: `Person ${counter}`,
      email: `person${counter}@example.com`,
      team: "Platform",
      role: "member",
      ...rest,
      passwordHash: password ? hashPassword(password) : null,
      // As for an account made in the app: its private feed link is made with it.
      feedToken: newToken().token,
    })
    .returning({
      id: schema.users.id,
      email: schema.users.email,
      name: schema.users.name,
      team: schema.users.team,
      role: schema.users.role,
    })
    .get();
}

/**
 * Runs `build` and drops the emails it made the app write to people about what concerns them (made
 * facilitator, given an action, …): the people of demo and benchmark data are made up, and their
 * addresses must get nothing.
 */
export async function withoutNotificationEmails<T>(build: () => Promise<T>): Promise<T> {
  const before = (await db().select({ id: sql<number>`coalesce(max(${schema.outbox.id}), 0)` }).from(schema.outbox).get())?.id ?? 0;
  const built = await build();
  await db().delete(schema.outbox).where(and(gt(schema.outbox.id, before), like(schema.outbox.kind, "notify-%"))).run();
  return built;
}

export function incidentFields(overrides: Partial<IncidentFields> = {}): IncidentFields {
  return {
    title: "Website down",
    severity: "SEV2",
    startedAt: "2026-10-06T14:02:00.000Z",
    detectedAt: "2026-10-06T14:09:00.000Z",
    resolvedAt: "2026-10-06T14:51:00.000Z",
    services: ["web"],
    impactMd: "Sign-ups failed.",
    summaryMd: "",
    visibility: "org",
    ...overrides,
  };
}

export async function createIncident(actor: Viewer, overrides: Partial<IncidentFields> & { facilitatorId?: number } = {}) {
  return reportIncident(actor, { ...incidentFields(overrides), facilitatorId: overrides.facilitatorId });
}

export type WhySpec = {
  question: string;
  answer?: string;
  remediation?: string;
  noRemediationReason?: string;
  noActionReason?: string;
  category?: string;
  rootReached?: boolean;
  children?: WhySpec[];
};

export function whyFields(spec: WhySpec): WhyFields {
  return {
    question: spec.question,
    answer: spec.answer ?? "",
    remediationMd: spec.remediation ?? "",
    noRemediationReason: spec.noRemediationReason ?? "",
    noActionReason: spec.noActionReason ?? "",
    category: spec.category ?? "",
    rootReached: spec.rootReached ?? false,
  };
}

/** Adds a tree of whys as written in the spec (children are "asked why again"). Returns ids in order. */
export async function addWhyTree(actor: Viewer, incidentId: number, specs: WhySpec[], parentId: number | null = null): Promise<number[]> {
  const ids: number[] = [];
  for (const spec of specs) {
    const row = await addWhy(actor, incidentId, parentId, whyFields(spec));
    ids.push(row.id, ...(await addWhyTree(actor, incidentId, spec.children ?? [], row.id)));
  }
  return ids;
}

export async function addTimeline(actor: Viewer, incidentId: number, entries: { at: string; text: string }[]) {
  for (const entry of entries) await addTimelineEntry(actor, incidentId, { at: new Date(entry.at).toISOString(), bodyMd: entry.text });
}

/** Eric Ries's five-level example: one chain, a remediation at every level. */
export const RIES_CHAIN: WhySpec[] = [
  {
    question: "Why was the website down?",
    answer: "CPU utilisation on all front-end servers went to 100%.",
    remediation: "Bring the site back up.",
    category: "capacity",
    children: [
      {
        question: "Why did CPU usage spike?",
        answer: "A new bit of code contained an infinite loop.",
        remediation: "Remove the bad code.",
        category: "code",
        children: [
          {
            question: "Why did that code get written?",
            answer: "So-and-so made a mistake.",
            remediation: "Help the engineer understand why the code doesn't work as written.",
            category: "knowledge",
            children: [
              {
                question: "Why did the mistake get checked in?",
                answer: "The feature had no unit test.",
                remediation: "Train the engineer in the principles of TDD.",
                category: "testing",
                children: [
                  {
                    question: "Why was there no unit test?",
                    answer: "New engineers are not trained in TDD during orientation.",
                    remediation: "Change new-engineer orientation to include TDD.",
                    category: "process",
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
];

/** Keeps every wording the blame-language check flags on the incident, for `reason`, as its facilitator would. */
export async function keepFlaggedWording(actor: Viewer, incidentId: number, reason: string) {
  for (const [whyId, findings] of await openFindingsOf(incidentId)) {
    for (const f of findings) await acknowledgeFinding(actor, incidentId, whyId, f.field, f.match, reason);
  }
}

export async function userByEmail(email: string) {
  return await db().select().from(schema.users).where(eq(schema.users.email, email)).get();
}

/** Moves an incident through the lifecycle to `status`, as its facilitator would. */
export async function advanceTo(actor: Viewer, incidentId: number, status: Status, publishedAt?: Date) {
  const path: Status[] = ["analysis", "review", "published"];
  for (const step of path.slice(0, path.indexOf(status) + 1)) await moveIncident(actor, incidentId, step);
  if (status === "published" && publishedAt) {
    const at = publishedAt.toISOString();
    // The history moves back with the publication, each event by the same span, so what led up
    // to publishing stays before it: otherwise every event would count as a change since then.
    const publishedNow = (
      await db()
        .select({ at: sql<string>`max(${schema.publications.publishedAt})` })
        .from(schema.publications)
        .where(eq(schema.publications.incidentId, incidentId))
        .get()
    )?.at;
    const shiftMs = publishedNow ? publishedAt.getTime() - Date.parse(publishedNow) : 0;
    if (shiftMs !== 0) {
      for (const event of await db().select({ id: schema.auditEvents.id, createdAt: schema.auditEvents.createdAt }).from(schema.auditEvents).where(eq(schema.auditEvents.incidentId, incidentId)).all()) {
        const createdAt = new Date(Date.parse(event.createdAt) + shiftMs).toISOString();
        await db().update(schema.auditEvents).set({ createdAt }).where(eq(schema.auditEvents.id, event.id)).run();
      }
    }
    await db().update(schema.incidents).set({ publishedAt: at }).where(eq(schema.incidents.id, incidentId)).run();
    await db().update(schema.publications).set({ publishedAt: at }).where(eq(schema.publications.incidentId, incidentId)).run();
    await db().update(schema.learnings).set({ firstPublishedAt: at, publishedAt: at }).where(eq(schema.learnings.incidentId, incidentId)).run();
    await db().update(schema.learningServices).set({ firstPublishedAt: at }).where(eq(schema.learningServices.incidentId, incidentId)).run();
    await db().update(schema.learningCategories).set({ firstPublishedAt: at }).where(eq(schema.learningCategories.incidentId, incidentId)).run();
  }
}

export function actionFields(ownerId: number, overrides: Partial<ActionFields> = {}): ActionFields {
  return {
    title: "Add a unit test for the widget",
    descriptionMd: "",
    ownerId,
    dueDate: "2026-12-07",
    priority: "P2",
    trackerUrl: "",
    ...overrides,
  };
}

/**
 * Text of exactly `length` characters, in words, so it wraps and reads like a long field; each
 * `seed` gives other text, as different fields of a real incident would be.
 */
export function longText(length: number, seed: number | string = 0): string {
  const words = ["the", "queue", "consumer", "retried", "batch", "while", "lease", "expired", "and", "backlog", "grew", "on", "replica", "during", "failover"];
  let text = "";
  for (let i = 0; text.length < length; i++) text += `${words[(i * 7 + Number(String(seed).length) + i * i) % words.length]}${i % 11 === 0 ? ` ${seed}-${i}` : ""} `;
  return text.slice(0, length);
}

/**
 * An incident holding as much as the limits allow (LIMITS in app/models/limits.ts) with every
 * field at its longest: 100 people, 300 whys (one branch 15 levels deep, the rest contributing
 * causes), 300 actions, 500 timeline entries, 50 related incidents. Built through the models in
 * one transaction, as people would build it.
 */
export async function createIncidentAtLimits(admin: Viewer, options: { blame?: boolean } = {}) {
  return await withoutNotificationEmails(() => db().transaction(async () => {
    const people: User[] = [];
    for (let i = 0; i < LIMITS.peoplePerIncident; i++) {
      people.push(await createUser({ name: `Participant ${i} ${longText(80, i)}`.slice(0, 100), team: longText(60, `team${i % 15}`) }));
    }
    const services = Array.from({ length: FIELD_LIMITS.servicesPerIncident }, (_, i) => `${String(i).padStart(2, "0")}-${longText(FIELD_LIMITS.service, i)}`.slice(0, FIELD_LIMITS.service).trim());
    const markdown = (length: number, seed: number | string) => `## Heading\n\n- ${longText(length - 40, seed)}\n\n**bold** [link](https://example.com)`.slice(0, length);
    const incident = await createIncident(admin, {
      title: longText(FIELD_LIMITS.incidentTitle, "title"),
      services,
      impactMd: markdown(FIELD_LIMITS.impact, "impact"),
      summaryMd: markdown(FIELD_LIMITS.summary, "summary"),
      facilitatorId: people[0].id,
    });
    await setPeople(admin, incident.id, people[0].id, people.slice(1).map((p) => p.id));
    // Wording the check flags, in every field of every why, when asked for.
    const blame = options.blame ? "Obviously the engineer made a mistake and was careless. " : "";
    const fields = (level: number, i: number): WhyFields => ({
      question: `${blame}Why ${level}.${i}: ${longText(FIELD_LIMITS.question, `q${i}`)}`.slice(0, FIELD_LIMITS.question),
      answer: `${blame}${longText(FIELD_LIMITS.answer, `a${i}`)}`.slice(0, FIELD_LIMITS.answer),
      remediationMd: `${options.blame ? "Be more careful. " : ""}${markdown(FIELD_LIMITS.remediation, `r${i}`)}`.slice(0, FIELD_LIMITS.remediation),
      noRemediationReason: longText(FIELD_LIMITS.reason, `n${i}`),
      noActionReason: longText(FIELD_LIMITS.reason, `x${i}`),
      category: "",
      rootReached: false,
    });
    const whyIds: number[] = [];
    let parentId: number | null = null;
    for (let level = 1; level <= LIMITS.depth; level++) {
      parentId = (await addWhy(admin, incident.id, parentId, fields(level, 0))).id;
      whyIds.push(parentId);
    }
    for (let i = whyIds.length; i < LIMITS.whysPerIncident; i++) {
      // Contributing causes spread over the levels of the deep branch.
      const level = i % (LIMITS.depth - 1);
      whyIds.push((await addWhy(admin, incident.id, whyIds[level], fields(level + 2, i))).id);
    }
    for (let i = 0; i < LIMITS.actionsPerIncident; i++) {
      await createAction(admin, incident.id, whyIds[i % whyIds.length], {
        ...actionFields(people[i % people.length].id),
        title: longText(FIELD_LIMITS.actionTitle, `action${i}`),
        descriptionMd: markdown(FIELD_LIMITS.actionDescription, `d${i}`),
        trackerUrl: `https://tracker.example.com/${"x".repeat(FIELD_LIMITS.trackerUrl - 40)}${i}`,
      });
    }
    for (let i = 0; i < LIMITS.timelineEntriesPerIncident; i++) {
      await addTimelineEntry(admin, incident.id, { at: new Date(Date.parse(incident.startedAt) + i * 60_000).toISOString(), bodyMd: markdown(FIELD_LIMITS.timelineEntry, `t${i}`) });
    }
    for (let i = 0; i < LIMITS.relatedPerIncident; i++) {
      await linkIncidents(admin, incident.id, (await createIncident(admin, { title: `Related ${i}` })).id);
    }
    return { incident: await getIncident(admin, incident.id), people, whyIds };
  }));
}
