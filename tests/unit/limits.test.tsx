import { count, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createIncidentAtLimits, createUser, whyFields, RIES_CHAIN } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { statusOf } from "~/lib/http.server";
import { createAction } from "~/models/action.server";
import { LimitReached } from "~/models/errors";
import { incidentMarkdown } from "~/models/export.server";
import { getIncident, setPeople } from "~/models/incident.server";
import { FIELD_LIMITS, LIMITS, limitMessage } from "~/models/limits";
import { GLANCE, learningContent } from "~/models/learning.server";
import { republish, snapshotOf } from "~/models/publication.server";
import { linkIncidents } from "~/models/recurrence.server";
import { flatten } from "~/models/why-tree";
import { addTimelineEntry, listTimeline } from "~/models/timeline.server";
import { listIncidentActions } from "~/models/action.server";
import type { User } from "~/models/user.server";
import { addWhy, listWhys } from "~/models/why.server";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import * as editPage from "~/routes/incidents.$ref.edit";
import * as historyPage from "~/routes/incidents.$ref.history";
import * as newActionPage from "~/routes/incidents.$ref.actions.new";
import * as exportRoute from "~/routes/incidents.$ref.export[.]md";
import { caught, freshDatabase, recordQueries, sessionCookie } from "./helpers";
import { renderPage, type RouteModule } from "./render";

const { whys, timelineEntries, actions, incidentLinks } = schema;

/** The refusal a call at a limit throws: a 422 with the limit's message. */
async function refusal(fn: () => unknown): Promise<{ status: number; message: string }> {
  const error = (await caught(fn)) as LimitReached;
  expect(error).toBeInstanceOf(LimitReached);
  return { status: statusOf(error), message: error.message };
}

async function rows(table: typeof whys | typeof timelineEntries | typeof actions, incidentId: number): Promise<number> {
  return (await db().select({ n: count() }).from(table).where(eq(table.incidentId, incidentId)).get())!.n;
}

/** Whys stored directly, as a tree from before the limits would hold them: `parentOf(i)` gives each one's parent index. */
async function insertWhys(admin: User, incidentId: number, n: number, parentOf: (i: number, ids: number[]) => number | null): Promise<number[]> {
  const ids: number[] = [];
  await db().transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const parentId = parentOf(i, ids);
      const row = await tx
        .insert(whys)
        .values({ incidentId, parentId, position: 1, question: `Why ${i}?`, answer: `Because of step ${i}.`, createdById: admin.id, blameFindings: '{"items":[],"truncated":[]}' })
        .returning({ id: whys.id })
        .get();
      ids.push(row.id);
    }
  });
  return ids;
}

/** An incident page inside the incident layout: the analysis (index) or a tab such as "history". */
const INCIDENT_ROUTES = (page: RouteModule, tab?: string) => [
  { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
  tab ? { pattern: tab, module: page } : { pattern: "", module: page, index: true },
];

// Each case builds hundreds of rows: explicit limits, so a busy machine does not decide them.
describe("limits on what one incident holds", { timeout: 60_000 }, () => {
  let admin: User;
  beforeEach(async () => {
    await freshDatabase();
    admin = await createUser({ role: "admin" });
  });

  it("refuses a why past the limit per incident with its message, and stores nothing", async () => {
    const incident = await createIncident(admin);
    await insertWhys(admin, incident.id, LIMITS.whysPerIncident - 1, () => null);
    await addWhy(admin, incident.id, null, whyFields({ question: "Why one more?" }));
    expect(await refusal(() => addWhy(admin, incident.id, null, whyFields({ question: "Why past the limit?" })))).toEqual({
      status: 422,
      message: limitMessage("whysPerIncident"),
    });
    expect(await rows(whys, incident.id)).toBe(LIMITS.whysPerIncident);
  });

  it("refuses a level deeper than the limit, and stores nothing", async () => {
    const incident = await createIncident(admin);
    let parentId: number | null = null;
    for (let level = 1; level <= LIMITS.depth; level++) parentId = (await addWhy(admin, incident.id, parentId, whyFields({ question: `Why at level ${level}?` }))).id;
    expect(await refusal(() => addWhy(admin, incident.id, parentId, whyFields({ question: "Why deeper still?" })))).toEqual({ status: 422, message: limitMessage("depth") });
    // Another answer at the deepest level is still welcome.
    const deepest = (await listWhys(incident.id)).find((w) => w.id === parentId)!;
    await addWhy(admin, incident.id, deepest.parentId, whyFields({ question: "Why at level 15, another cause?" }));
    expect(await rows(whys, incident.id)).toBe(LIMITS.depth + 1);
  });

  it("refuses a timeline entry, an action, a person and a related incident past their limits", async () => {
    const incident = await createIncident(admin);
    const at = incident.startedAt;
    await db().insert(timelineEntries).values(Array.from({ length: LIMITS.timelineEntriesPerIncident }, () => ({ incidentId: incident.id, at, bodyMd: "Paged.", bodyHtml: "<p>Paged.</p>", createdById: admin.id }))).run();
    expect((await refusal(() => addTimelineEntry(admin, incident.id, { at, bodyMd: "One more." }))).message).toBe(limitMessage("timelineEntriesPerIncident"));
    expect(await rows(timelineEntries, incident.id)).toBe(LIMITS.timelineEntriesPerIncident);

    await db().insert(actions).values(Array.from({ length: LIMITS.actionsPerIncident }, () => ({ incidentId: incident.id, title: "Task", ownerId: admin.id, dueDate: "2026-12-01", priority: "P2" as const, createdById: admin.id }))).run();
    expect((await refusal(() => createAction(admin, incident.id, null, actionFields(admin.id)))).message).toBe(limitMessage("actionsPerIncident"));
    expect(await rows(actions, incident.id)).toBe(LIMITS.actionsPerIncident);

    const people: User[] = [];
    for (let i = 0; i < LIMITS.peoplePerIncident; i++) people.push(await createUser());
    await setPeople(admin, incident.id, people[0].id, people.slice(1, LIMITS.peoplePerIncident - 1).map((p) => p.id));
    expect((await refusal(() => setPeople(admin, incident.id, people[0].id, [...people.slice(1), admin].map((p) => p.id)))).message).toBe(limitMessage("peoplePerIncident"));
    await setPeople(admin, incident.id, people[0].id, people.slice(1).map((p) => p.id));
    expect((await getIncident(admin, incident.id)).participantIds).toHaveLength(LIMITS.peoplePerIncident - 1);

    for (let i = 0; i < LIMITS.relatedPerIncident; i++) await linkIncidents(admin, incident.id, (await createIncident(admin)).id);
    expect((await refusal(async () => linkIncidents(admin, incident.id, (await createIncident(admin)).id))).message).toBe(limitMessage("relatedPerIncident"));
    expect((await db().select({ n: count() }).from(incidentLinks).where(eq(incidentLinks.incidentId, incident.id)).get())!.n).toBe(LIMITS.relatedPerIncident);
  });

  it("refuses a publication past the limit, so republishing cannot fill the disk with snapshots", async () => {
    const incident = await createIncident(admin, { summaryMd: "What happened." });
    await addWhyTree(admin, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on queue depth.", noActionReason: "Done in the response." }]);
    await advanceTo(admin, incident.id, "published");
    for (let i = 1; i < LIMITS.publicationsPerIncident; i++) await republish(admin, incident.id);
    const refused = await refusal(() => republish(admin, incident.id));
    expect(refused.message).toBe(limitMessage("publicationsPerIncident"));
    expect((await db().select({ n: count() }).from(schema.publications).where(eq(schema.publications.incidentId, incident.id)).get())!.n).toBe(LIMITS.publicationsPerIncident);
  });

  it("keeps data already above a limit: it renders, and may shrink but not grow", async () => {
    const incident = await createIncident(admin);
    await insertWhys(admin, incident.id, LIMITS.whysPerIncident + 20, () => null);
    const people: User[] = [];
    for (let i = 0; i < LIMITS.peoplePerIncident + 5; i++) people.push(await createUser());
    await db().insert(schema.participants).values(people.map((p) => ({ incidentId: incident.id, userId: p.id }))).run();
    const page = await renderPage(admin.id, `/incidents/${incident.reference}`, INCIDENT_ROUTES(incidentPage as unknown as RouteModule));
    expect(page.html.includes(`Why ${LIMITS.whysPerIncident + 19}?`)).toBe(true);
    expect(page.html.includes(limitMessage("whysPerIncident"))).toBe(true);
    expect((await refusal(() => addWhy(admin, incident.id, null, whyFields({ question: "Why more?" })))).message).toBe(limitMessage("whysPerIncident"));
    await setPeople(admin, incident.id, admin.id, people.slice(1).map((p) => p.id));
    expect((await getIncident(admin, incident.id)).participantIds).toHaveLength(LIMITS.peoplePerIncident + 4);
  }, 60_000);
});

describe("a tree deeper than the depth limit, stored before it existed", () => {
  // Where a deeper tree once broke every viewer's page (the stack ran out while rendering).
  const DEEP = 1_600;
  let admin: User;
  let reference: string;
  beforeAll(async () => {
    await freshDatabase();
    admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin);
    reference = incident.reference;
    await insertWhys(admin, incident.id, DEEP, (i, ids) => (i === 0 ? null : ids[i - 1]));
  }, 60_000);

  it("renders its page and export, nested no deeper than the limit", async () => {
    const page = await renderPage(admin.id, `/incidents/${reference}`, INCIDENT_ROUTES(incidentPage as unknown as RouteModule));
    expect(page.html.includes(`Why ${DEEP - 1}?`)).toBe(true);
    expect(page.html.includes(`Question (level ${DEEP})`)).toBe(true);
    // How deep the lists of whys nest: never more than the limit.
    let depth = 0;
    let deepest = 0;
    for (const tag of page.html.matchAll(/<(\/?)ol\b/g)) {
      depth += tag[1] ? -1 : 1;
      deepest = Math.max(deepest, depth);
    }
    expect(deepest).toBe(LIMITS.depth + 1);

    const incident = await getIncident(admin, Number(reference.slice(4)));
    const markdown = await incidentMarkdown(incident, await listWhys(incident.id), [], []);
    const indents = [...markdown.matchAll(/^( *)\d+\. \*\*Why/gm)].map((m) => m[1].length);
    expect(indents).toHaveLength(DEEP);
    expect(Math.max(...indents)).toBe(3 * LIMITS.depth);
    // One line of a why and one of its remediation: the export grows with the whys, not with their depth squared.
    expect(markdown.length).toBeLessThan(DEEP * 200);
  }, 120_000);
});

describe("an incident at every limit", () => {
  let admin: User;
  let member: User;
  let facilitator: User;
  let full: string;
  let small: string;
  beforeAll(async () => {
    await freshDatabase();
    admin = await createUser({ role: "admin" });
    member = await createUser();
    const built = await createIncidentAtLimits(admin, { blame: true });
    full = built.incident.reference;
    facilitator = built.people[0] as User;
    const few = await createIncident(admin, { facilitatorId: facilitator.id });
    await addWhyTree(facilitator, few.id, RIES_CHAIN);
    await createAction(facilitator, few.id, null, actionFields(facilitator.id));
    await addTimelineEntry(facilitator, few.id, { at: few.startedAt, bodyMd: "Paged." });
    small = few.reference;
  }, 180_000);

  it("holds every limit", async () => {
    const incident = await getIncident(admin, Number(full.slice(4)));
    expect(await listWhys(incident.id)).toHaveLength(LIMITS.whysPerIncident);
    expect(await listTimeline(incident.id)).toHaveLength(LIMITS.timelineEntriesPerIncident);
    expect(await listIncidentActions(incident.id)).toHaveLength(LIMITS.actionsPerIncident);
    expect(1 + incident.participantIds.length).toBe(LIMITS.peoplePerIncident);
    expect(incident.services).toHaveLength(FIELD_LIMITS.servicesPerIncident);
  });

  const pages: { name: string; tab?: string; module: RouteModule; maxBytes: number }[] = [
    { name: "incident page", module: incidentPage as unknown as RouteModule, maxBytes: 20_000_000 },
    { name: "history", tab: "history", module: historyPage as unknown as RouteModule, maxBytes: 500_000 },
    { name: "edit page", tab: "edit", module: editPage as unknown as RouteModule, maxBytes: 500_000 },
    { name: "new action page", tab: "actions/new", module: newActionPage as unknown as RouteModule, maxBytes: 500_000 },
  ];

  for (const { name, tab, module, maxBytes } of pages) {
    const path = (ref: string) => `/incidents/${ref}${tab ? `/${tab}` : ""}`;
    it(`serves its ${name} with the statements of a small incident, no wording check, and a bounded size`, async () => {
      for (const viewer of [facilitator, member]) {
        const few = await renderPage(viewer.id, path(small), INCIDENT_ROUTES(module, tab)).catch((e: unknown) => e);
        const many = await renderPage(viewer.id, path(full), INCIDENT_ROUTES(module, tab)).catch((e: unknown) => e);
        if (few instanceof Response || many instanceof Response) {
          // A page a reader may not open is refused alike for both.
          expect((few as Response).status).toBe((many as Response).status);
          continue;
        }
        if (few instanceof Error || many instanceof Error) throw few instanceof Error ? few : many;
        const [a, b] = [few as Awaited<ReturnType<typeof renderPage>>, many as Awaited<ReturnType<typeof renderPage>>];
        expect(b.queries.length, `${name} as ${viewer === member ? "a reader" : "the facilitator"}`).toBe(a.queries.length);
        expect(b.scans).toBe(0);
        console.log(`${name} at every limit as ${viewer === member ? "a reader" : "the facilitator"}: ${b.html.length} bytes of HTML, ${b.data.length} of data`);
        expect(b.html.length + b.data.length).toBeLessThan(maxBytes);
        // The wording check in the browser gets the names of the incident's people, never the directory's addresses.
        if (!tab) expect(/[\w.+-]+@example\.com/.test(b.data), "an email address in the page's data").toBe(false);
      }
    }, 120_000);
  }

  it("is published to the feeds and the digest as a glance of bounded size", async () => {
    const incident = await getIncident(admin, Number(full.slice(4)));
    const snapshot = await snapshotOf(db(), incident);
    expect(JSON.stringify(snapshot).length).toBeGreaterThan(2_000_000);
    const content = learningContent(snapshot);
    expect(flatten(content.whys)).toHaveLength(GLANCE.whys);
    expect(content.whyCount).toBe(LIMITS.whysPerIncident);
    expect(Math.max(...flatten(content.whys).map((w) => w.text.length))).toBeLessThanOrEqual(GLANCE.textLength);
    expect(content.remediations).toHaveLength(GLANCE.remediations);
    // The deepest levels' remediations: the farthest-reaching fixes.
    expect(Math.min(...content.remediations.map((r) => r.level))).toBeGreaterThanOrEqual(LIMITS.depth - 1);
    expect(JSON.stringify(content).length).toBeLessThan(150_000);
  });

  it("exports the incident as Markdown with the statements of a small incident, in a bounded size", async () => {
    const cookie = await sessionCookie(member.id);
    const exported = async (ref: string) =>
      recordQueries(async () => {
        const response = (await exportRoute.loader({ request: new Request(`http://localhost/incidents/${ref}.md`, { headers: { cookie } }), params: { ref }, context: {} } as never)) as Response;
        return response.text();
      });
    const few = await exported(small);
    const many = await exported(full);
    expect(many.queries.length).toBe(few.queries.length);
    expect(many.result.startsWith(`# ${full}:`)).toBe(true);
    expect(many.result.length).toBeLessThan(6_000_000);
  });
});
