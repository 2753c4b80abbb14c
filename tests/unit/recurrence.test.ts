import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, createIncident, createUser, incidentFields } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { Forbidden, Invalid } from "~/models/errors";
import { changeActionStatus, createAction } from "~/models/action.server";
import { listEvents } from "~/models/history.server";
import { getIncident, updateIncident } from "~/models/incident.server";
import { keywords, linkIncidents, listRelated, SAME_CAUSE, similarWhys, unlinkIncidents } from "~/models/recurrence.server";
import { GLANCE } from "~/models/learning.server";
import { relevance } from "~/models/relevance";
import { listWhys, updateWhy } from "~/models/why.server";
import type { WhyRow } from "~/models/why-tree";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";

const whyValuesOf = (row: WhyRow) => ({
  question: row.question,
  answer: row.answer,
  remediationMd: row.remediationMd,
  noRemediationReason: row.noRemediationReason,
  noActionReason: row.noActionReason,
  category: row.category,
  rootReached: row.rootReached,
});
import { caught, freshDatabase } from "./helpers";
import { renderPage, type RouteModule } from "./render";

beforeEach(async () => {
  await freshDatabase();
});

const POOL = "The connection pool to the primary database was exhausted by long-running report queries.";

async function scene() {
  const facilitator = await createUser({ name: "Avery Facilitator" });
  const member = await createUser({ name: "Morgan Member" });
  const admin = await createUser({ name: "Ada Admin", role: "admin" });
  const earlier = await createIncident(facilitator, { title: "Checkout slow", startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
  const [earlierWhy] = await addWhyTree(facilitator, earlier.id, [
    { question: "Why was checkout slow?", answer: POOL, remediation: "Move report queries to a read replica." },
  ]);
  const unrelated = await createIncident(facilitator, { title: "Emails late", startedAt: "2026-04-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
  await addWhyTree(facilitator, unrelated.id, [{ question: "Why were emails late?", answer: "The mail provider throttled our sending domain." }]);
  const later = await createIncident(facilitator, { title: "Checkout down", startedAt: "2026-10-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
  const [laterWhy] = await addWhyTree(facilitator, later.id, [
    { question: "Why did checkout fail?", answer: "Report queries exhausted the database connection pool again.", remediation: "Cap report queries." },
  ]);
  return { facilitator, member, admin, earlier, earlierWhy, unrelated, later, laterWhy };
}

async function similarFor(viewer: { id: number; role: "admin" | "member" }, incidentId: number) {
  const incident = await getIncident(viewer, incidentId);
  return await similarWhys(viewer, incident, await listWhys(incidentId));
}

describe("seen before", () => {
  it("finds the why of an earlier incident with a similar answer, and not an unrelated one", async () => {
    const { member, earlier, earlierWhy, later, laterWhy } = await scene();
    const found = (await similarFor(member, later.id)).get(laterWhy)!;
    expect(found.map((s) => s.reference)).toEqual([`INC-${earlier.id}`]);
    expect(found[0]).toMatchObject({ whyId: earlierWhy, title: "Checkout slow", earlier: true, related: false });
    expect(found[0].similarity).toBeGreaterThanOrEqual(0.5);
  });

  it("shows a glance at the other why on the incident page, not the whole of a long answer", async () => {
    const { facilitator, earlier, later } = await scene();
    const long = `${POOL} ${"The report scheduler held each connection for the length of its query. ".repeat(50)}`.slice(0, 4_000);
    await addWhyTree(facilitator, earlier.id, [{ question: "Why did the pool run out again?", answer: long }]);
    const { html } = await renderPage(facilitator.id, `/incidents/INC-${later.id}`, [
      { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
      { pattern: "", module: incidentPage as unknown as RouteModule, index: true },
    ]);
    expect(html).toContain(long.slice(0, GLANCE.textLength - 1));
    expect(html).not.toContain(long.slice(0, GLANCE.textLength + 1));
  });

  it("ranks the closer answer first (BM25)", async () => {
    const { facilitator, member, later, laterWhy, earlier } = await scene();
    const third = await createIncident(facilitator, { title: "Reports timed out", startedAt: "2026-05-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    await addWhyTree(facilitator, third.id, [{ question: "Why?", answer: "Report queries ran slowly on the database." }]);
    const found = (await similarFor(member, later.id)).get(laterWhy)!;
    expect(found.map((s) => s.incidentId)).toEqual([earlier.id, third.id]);
  });

  it("never shows a restricted incident to someone who may not see it", async () => {
    const { facilitator, member, admin, earlier, later, laterWhy } = await scene();
    await db().update(schema.incidents).set({ visibility: "restricted" }).where(eq(schema.incidents.id, earlier.id)).run();
    expect((await similarFor(member, later.id)).get(laterWhy)).toBeUndefined();
    expect((await similarFor(admin, later.id)).get(laterWhy)?.map((s) => s.incidentId)).toEqual([earlier.id]);
    expect((await similarFor(facilitator, later.id)).get(laterWhy)?.map((s) => s.incidentId)).toEqual([earlier.id]);
  });

  it("says the fix may not have worked when the earlier action was done before the cause came back", async () => {
    const { facilitator, member, earlier, earlierWhy, later, laterWhy } = await scene();
    const action = await createAction(facilitator, earlier.id, earlierWhy, actionFields(facilitator.id, { title: "Read replica for reports" }));
    let [seen] = (await similarFor(member, later.id)).get(laterWhy)!;
    expect(seen.actions).toMatchObject({ total: 1, done: 0 });
    expect(seen.fixMayNotHaveWorked).toBe(false);

    await changeActionStatus(facilitator, action.id, "done");
    await db().update(schema.actions).set({ completedAt: "2026-04-15T09:00:00.000Z" }).where(eq(schema.actions.id, action.id)).run();
    [seen] = (await similarFor(member, later.id)).get(laterWhy)!;
    expect(seen.actions).toMatchObject({ total: 1, done: 1, finished: 1, lastDoneAt: "2026-04-15T09:00:00.000Z", titles: ["Read replica for reports"] });
    expect(seen.fixMayNotHaveWorked).toBe(true);

    // Looking back from the earlier incident, the later one is not a failed fix of its own.
    const [back] = (await similarFor(member, earlier.id)).get(earlierWhy)!;
    expect(back).toMatchObject({ incidentId: later.id, earlier: false, fixMayNotHaveWorked: false });
  });

  it("reads hostile text as words, never as query syntax", async () => {
    const { facilitator, member, later } = await scene();
    const odd = await createIncident(facilitator, { title: "Odd" });
    // Saving looks for similar whys: quotes, stars and operators must not reach FTS5 as syntax.
    await expect(
      addWhyTree(facilitator, odd.id, [{ question: "Why?", answer: 'NEAR("pool" * AND) -x: {body} OR "connection pool exhausted report queries' }]),
    ).resolves.toBeDefined();
    expect((await similarFor(member, odd.id)).size).toBe(1);
    expect([...(await similarFor(member, odd.id)).values()][0].map((s) => s.incidentId)).toContain(later.id);
  });

  it("keeps a pair when the other why is edited and still alike, and drops it when it no longer is", async () => {
    const { facilitator, member, earlier, earlierWhy, later, laterWhy } = await scene();
    const edit = async (answer: string, remediationMd?: string) => {
      const row = (await listWhys(earlier.id)).find((w) => w.id === earlierWhy)!;
      await updateWhy(facilitator, earlier.id, earlierWhy, row.version, { ...whyValuesOf(row), answer, remediationMd: remediationMd ?? row.remediationMd });
    };
    await edit("Long-running report queries exhausted the connection pool of the primary database.");
    expect((await similarFor(member, later.id)).get(laterWhy)?.map((s) => s.whyId)).toEqual([earlierWhy]);
    await edit("A certificate expired on the load balancer.", "Renew certificates automatically.");
    expect((await similarFor(member, later.id)).get(laterWhy)).toBeUndefined();
  });

  it("does not call a two-word answer sharing one common word the same cause", () => {
    expect(relevance("Database overloaded.", "The database migration locked a table for an hour").score).toBeLessThan(SAME_CAUSE);
    expect(relevance("Disk full.", "The disk was full again").score).toBeGreaterThanOrEqual(SAME_CAUSE);
  });

  it("keeps distinctive words and drops the common ones", () => {
    expect(keywords("The pool was exhausted because the queries were slow")).toEqual(["pool", "exhausted", "queries", "slow"]);
    expect(relevance("connection pool exhausted", "the pool of connections was exhausted").score).toBe(1);
    expect(relevance("connection pool exhausted", "mail provider throttled").score).toBe(0);
  });
});

describe("seen before, only when the cause is alike", () => {
  it("leaves out a why that shares words but not a cause, and says what each match matched on", async () => {
    const facilitator = await createUser();
    const member = await createUser();
    const status = await createIncident(facilitator, { title: "Status page blank", startedAt: "2026-02-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    await addWhyTree(facilitator, status.id, [
      { question: "Why was the status page blank?", answer: "The status dashboard depends on S3 and could not load during the S3 outage.", remediation: "Serve the status page from a second provider." },
    ]);
    const flaky = await createIncident(facilitator, { title: "Release blocked by red CI", startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const [flakyWhy] = await addWhyTree(facilitator, flaky.id, [
      { question: "Why did CI fail?", answer: "A flaky test relied on data left behind by another test; order-dependent tests pass alone.", remediation: "Reset shared test fixtures between tests." },
    ]);
    const later = await createIncident(facilitator, { title: "CI red again", startedAt: "2026-06-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const [laterWhy] = await addWhyTree(facilitator, later.id, [
      { question: "Why did CI fail?", answer: "The integration test depends on the order tests run in and fails when run after the S3 upload test.", remediation: "Isolate test state and reset shared fixtures between tests." },
    ]);
    const found = (await similarFor(member, later.id)).get(laterWhy)!;
    expect(found.map((s) => s.incidentId)).toEqual([flaky.id]);
    expect(found[0].matchedOn).toEqual(["reset shared", "fixtures between tests", "order"]);
    // From the other side, in its own words.
    expect((await similarFor(member, flaky.id)).get(flakyWhy)![0].matchedOn).toEqual(["reset shared", "fixtures between tests", "order"]);
  });
});

describe("seen before, not for shared words alone", () => {
  it("does not list a dashboard that ran out of memory under a dashboard that hid a latency spike", async () => {
    const facilitator = await createUser();
    const member = await createUser();
    const oom = await createIncident(facilitator, { title: "Dashboards down", startedAt: "2026-02-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    await addWhyTree(facilitator, oom.id, [
      { question: "Why did dashboards fail?", answer: "The dashboard service ran out of memory when a user opened a board with 200 panels.", remediation: "Limit panels per dashboard." },
    ]);
    const latency = await createIncident(facilitator, { title: "Latency unnoticed", startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const [latencyWhy] = await addWhyTree(facilitator, latency.id, [
      { question: "Why was the spike missed?", answer: "The Grafana dashboard showed averages, hiding the p99 latency spike.", remediation: "Add p99 panels to the service dashboard." },
    ]);
    expect((await similarFor(member, latency.id)).get(latencyWhy)).toBeUndefined();
  });
});

describe("related incidents", () => {
  it("links both ways in one click, records it on both, and unlinks", async () => {
    const { facilitator, member, earlier, later } = await scene();
    await linkIncidents(facilitator, later.id, earlier.id);
    await linkIncidents(facilitator, later.id, earlier.id);
    expect((await listRelated(member, later.id)).map((r) => r.id)).toEqual([earlier.id]);
    expect((await listRelated(member, earlier.id)).map((r) => r.id)).toEqual([later.id]);
    const events = await db().select().from(schema.auditEvents).where(eq(schema.auditEvents.kind, "incident.linked")).all();
    expect(events.map((e) => e.incidentId).sort()).toEqual([earlier.id, later.id].sort());
    await unlinkIncidents(facilitator, earlier.id, later.id);
    expect(await listRelated(member, later.id)).toEqual([]);
  });

  it("is for people who may change the incident, and hides restricted links from others", async () => {
    const { facilitator, member, admin, earlier, later } = await scene();
    expect(await caught(() => linkIncidents(member, later.id, earlier.id))).toBeInstanceOf(Forbidden);
    expect(await caught(() => linkIncidents(facilitator, later.id, later.id))).toBeInstanceOf(Invalid);
    await db().update(schema.incidents).set({ visibility: "restricted" }).where(eq(schema.incidents.id, earlier.id)).run();
    await linkIncidents(admin, later.id, earlier.id);
    expect(await listRelated(member, later.id)).toEqual([]);
    expect((await listRelated(admin, later.id)).map((r) => r.id)).toEqual([earlier.id]);
    // The org incident's history, which everyone reads, names the restricted one only to those who see it.
    const summaries = async (viewer: typeof member) => (await listEvents(viewer, later.id)).map((e) => e.summary);
    expect(await summaries(member)).toContain("Marked an incident you cannot see as related");
    expect((await summaries(member)).join("\n")).not.toContain(`INC-${earlier.id}`);
    expect(await summaries(admin)).toContain(`Marked INC-${earlier.id} as related`);
  });

  it("stop naming a related incident, in the history, the list and Seen before, once it becomes restricted", async () => {
    const { facilitator, member, earlier, later, laterWhy } = await scene();
    await linkIncidents(facilitator, later.id, earlier.id);
    expect((await listEvents(member, later.id)).map((e) => e.summary)).toContain(`Marked INC-${earlier.id} as related`);
    const before = await getIncident(facilitator, earlier.id);
    await updateIncident(facilitator, earlier.id, before.version, incidentFields({ title: before.title, startedAt: before.startedAt, detectedAt: null, resolvedAt: null, visibility: "restricted" }));
    await unlinkIncidents(facilitator, later.id, earlier.id);
    await linkIncidents(facilitator, later.id, earlier.id);

    const history = (await listEvents(member, later.id)).map((e) => e.summary);
    expect(history.join("\n")).not.toContain(`INC-${earlier.id}`);
    expect(history.join("\n")).not.toContain("Checkout slow");
    expect(history).toEqual(expect.arrayContaining(["Marked an incident you cannot see as related", "No longer related to an incident you cannot see"]));
    expect(history.filter((s) => s.includes("an incident you cannot see"))).toHaveLength(3);
    expect((await listEvents(facilitator, later.id)).map((e) => e.summary)).toEqual(expect.arrayContaining([`Marked INC-${earlier.id} as related`, `No longer related to INC-${earlier.id}`]));
    // The restricted incident's own history names the org-wide one to its people.
    expect((await listEvents(facilitator, earlier.id)).map((e) => e.summary)).toContain(`Marked INC-${later.id} as related`);
    expect(await listRelated(member, later.id)).toEqual([]);
    expect((await similarFor(member, later.id)).get(laterWhy) ?? []).toEqual([]);
  });
});

describe("a why that many others resemble", () => {
  it("keeps only its best matches, and stays editable however many whys are written to look like it", async () => {
    const facilitator = await createUser();
    const hubIncident = await createIncident(facilitator, { title: "Checkout slow" });
    const [hub] = await addWhyTree(facilitator, hubIncident.id, [{ question: "Why was checkout slow?", answer: POOL, remediation: "Move report queries to a read replica." }]);
    for (let i = 0; i < 40; i++) {
      const copy = await createIncident(facilitator, { title: `Copy ${i}` });
      // Its words, padded with numbers the search does not ask for: longer, so the hub ranks first.
      await addWhyTree(facilitator, copy.id, [{ question: "Why?", answer: `${POOL} ${"2 ".repeat(300)}`, remediation: `Move report queries to a read replica. ${"2 ".repeat(300)}` }]);
    }
    const stored = (whyId: number) => db().select().from(schema.whySimilarities).where(eq(schema.whySimilarities.whyId, whyId)).all();
    expect((await stored(hub)).length).toBeGreaterThan(0);
    expect((await stored(hub)).length).toBeLessThanOrEqual(12);
    const row = (await listWhys(hubIncident.id))[0];
    await updateWhy(facilitator, hubIncident.id, hub, row.version, { ...whyValuesOf(row), answer: `${POOL} Again.` });
    expect((await stored(hub)).length).toBeLessThanOrEqual(12);
  });
});
