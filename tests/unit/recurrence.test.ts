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
import * as incidentPage from "~/routes/incidents.$ref._index";

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

beforeEach(() => {
  freshDatabase();
});

const POOL = "The connection pool to the primary database was exhausted by long-running report queries.";

function scene() {
  const facilitator = createUser({ name: "Avery Facilitator" });
  const member = createUser({ name: "Morgan Member" });
  const admin = createUser({ name: "Ada Admin", role: "admin" });
  const earlier = createIncident(facilitator, { title: "Checkout slow", startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
  const [earlierWhy] = addWhyTree(facilitator, earlier.id, [
    { question: "Why was checkout slow?", answer: POOL, remediation: "Move report queries to a read replica." },
  ]);
  const unrelated = createIncident(facilitator, { title: "Emails late", startedAt: "2026-04-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
  addWhyTree(facilitator, unrelated.id, [{ question: "Why were emails late?", answer: "The mail provider throttled our sending domain." }]);
  const later = createIncident(facilitator, { title: "Checkout down", startedAt: "2026-10-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
  const [laterWhy] = addWhyTree(facilitator, later.id, [
    { question: "Why did checkout fail?", answer: "Report queries exhausted the database connection pool again.", remediation: "Cap report queries." },
  ]);
  return { facilitator, member, admin, earlier, earlierWhy, unrelated, later, laterWhy };
}

function similarFor(viewer: { id: number; role: "admin" | "member" }, incidentId: number) {
  const incident = getIncident(viewer, incidentId);
  return similarWhys(viewer, incident, listWhys(incidentId));
}

describe("seen before", () => {
  it("finds the why of an earlier incident with a similar answer, and not an unrelated one", () => {
    const { member, earlier, earlierWhy, later, laterWhy } = scene();
    const found = similarFor(member, later.id).get(laterWhy)!;
    expect(found.map((s) => s.reference)).toEqual([`INC-${earlier.id}`]);
    expect(found[0]).toMatchObject({ whyId: earlierWhy, title: "Checkout slow", earlier: true, related: false });
    expect(found[0].similarity).toBeGreaterThanOrEqual(0.5);
  });

  it("shows a glance at the other why on the incident page, not the whole of a long answer", async () => {
    const { facilitator, earlier, later } = scene();
    const long = `${POOL} ${"The report scheduler held each connection for the length of its query. ".repeat(50)}`.slice(0, 4_000);
    addWhyTree(facilitator, earlier.id, [{ question: "Why did the pool run out again?", answer: long }]);
    const { html } = await renderPage(facilitator.id, `/incidents/INC-${later.id}`, [
      { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
      { pattern: "", module: incidentPage as unknown as RouteModule, index: true },
    ]);
    expect(html).toContain(long.slice(0, GLANCE.textLength - 1));
    expect(html).not.toContain(long.slice(0, GLANCE.textLength + 1));
  });

  it("ranks the closer answer first (BM25)", () => {
    const { facilitator, member, later, laterWhy, earlier } = scene();
    const third = createIncident(facilitator, { title: "Reports timed out", startedAt: "2026-05-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    addWhyTree(facilitator, third.id, [{ question: "Why?", answer: "Report queries ran slowly on the database." }]);
    const found = similarFor(member, later.id).get(laterWhy)!;
    expect(found.map((s) => s.incidentId)).toEqual([earlier.id, third.id]);
  });

  it("never shows a restricted incident to someone who may not see it", () => {
    const { facilitator, member, admin, earlier, later, laterWhy } = scene();
    db().update(schema.incidents).set({ visibility: "restricted" }).where(eq(schema.incidents.id, earlier.id)).run();
    expect(similarFor(member, later.id).get(laterWhy)).toBeUndefined();
    expect(similarFor(admin, later.id).get(laterWhy)?.map((s) => s.incidentId)).toEqual([earlier.id]);
    expect(similarFor(facilitator, later.id).get(laterWhy)?.map((s) => s.incidentId)).toEqual([earlier.id]);
  });

  it("says the fix may not have worked when the earlier action was done before the cause came back", () => {
    const { facilitator, member, earlier, earlierWhy, later, laterWhy } = scene();
    const action = createAction(facilitator, earlier.id, earlierWhy, actionFields(facilitator.id, { title: "Read replica for reports" }));
    let [seen] = similarFor(member, later.id).get(laterWhy)!;
    expect(seen.actions).toMatchObject({ total: 1, done: 0 });
    expect(seen.fixMayNotHaveWorked).toBe(false);

    changeActionStatus(facilitator, action.id, "done");
    db().update(schema.actions).set({ completedAt: "2026-04-15T09:00:00.000Z" }).where(eq(schema.actions.id, action.id)).run();
    [seen] = similarFor(member, later.id).get(laterWhy)!;
    expect(seen.actions).toMatchObject({ total: 1, done: 1, finished: 1, lastDoneAt: "2026-04-15T09:00:00.000Z", titles: ["Read replica for reports"] });
    expect(seen.fixMayNotHaveWorked).toBe(true);

    // Looking back from the earlier incident, the later one is not a failed fix of its own.
    const [back] = similarFor(member, earlier.id).get(earlierWhy)!;
    expect(back).toMatchObject({ incidentId: later.id, earlier: false, fixMayNotHaveWorked: false });
  });

  it("reads hostile text as words, never as query syntax", () => {
    const { facilitator, member, later } = scene();
    const odd = createIncident(facilitator, { title: "Odd" });
    // Saving looks for similar whys: quotes, stars and operators must not reach FTS5 as syntax.
    expect(() =>
      addWhyTree(facilitator, odd.id, [{ question: "Why?", answer: 'NEAR("pool" * AND) -x: {body} OR "connection pool exhausted report queries' }]),
    ).not.toThrow();
    expect(similarFor(member, odd.id).size).toBe(1);
    expect([...similarFor(member, odd.id).values()][0].map((s) => s.incidentId)).toContain(later.id);
  });

  it("keeps a pair when the other why is edited and still alike, and drops it when it no longer is", () => {
    const { facilitator, member, earlier, earlierWhy, later, laterWhy } = scene();
    const edit = (answer: string, remediationMd?: string) => {
      const row = listWhys(earlier.id).find((w) => w.id === earlierWhy)!;
      updateWhy(facilitator, earlier.id, earlierWhy, row.version, { ...whyValuesOf(row), answer, remediationMd: remediationMd ?? row.remediationMd });
    };
    edit("Long-running report queries exhausted the connection pool of the primary database.");
    expect(similarFor(member, later.id).get(laterWhy)?.map((s) => s.whyId)).toEqual([earlierWhy]);
    edit("A certificate expired on the load balancer.", "Renew certificates automatically.");
    expect(similarFor(member, later.id).get(laterWhy)).toBeUndefined();
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
  it("leaves out a why that shares words but not a cause, and says what each match matched on", () => {
    const facilitator = createUser();
    const member = createUser();
    const status = createIncident(facilitator, { title: "Status page blank", startedAt: "2026-02-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    addWhyTree(facilitator, status.id, [
      { question: "Why was the status page blank?", answer: "The status dashboard depends on S3 and could not load during the S3 outage.", remediation: "Serve the status page from a second provider." },
    ]);
    const flaky = createIncident(facilitator, { title: "Release blocked by red CI", startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const [flakyWhy] = addWhyTree(facilitator, flaky.id, [
      { question: "Why did CI fail?", answer: "A flaky test relied on data left behind by another test; order-dependent tests pass alone.", remediation: "Reset shared test fixtures between tests." },
    ]);
    const later = createIncident(facilitator, { title: "CI red again", startedAt: "2026-06-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const [laterWhy] = addWhyTree(facilitator, later.id, [
      { question: "Why did CI fail?", answer: "The integration test depends on the order tests run in and fails when run after the S3 upload test.", remediation: "Isolate test state and reset shared fixtures between tests." },
    ]);
    const found = similarFor(member, later.id).get(laterWhy)!;
    expect(found.map((s) => s.incidentId)).toEqual([flaky.id]);
    expect(found[0].matchedOn).toEqual(["reset shared", "fixtures between tests", "order"]);
    // From the other side, in its own words.
    expect(similarFor(member, flaky.id).get(flakyWhy)![0].matchedOn).toEqual(["reset shared", "fixtures between tests", "order"]);
  });
});

describe("seen before, not for shared words alone", () => {
  it("does not list a dashboard that ran out of memory under a dashboard that hid a latency spike", () => {
    const facilitator = createUser();
    const member = createUser();
    const oom = createIncident(facilitator, { title: "Dashboards down", startedAt: "2026-02-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    addWhyTree(facilitator, oom.id, [
      { question: "Why did dashboards fail?", answer: "The dashboard service ran out of memory when a user opened a board with 200 panels.", remediation: "Limit panels per dashboard." },
    ]);
    const latency = createIncident(facilitator, { title: "Latency unnoticed", startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const [latencyWhy] = addWhyTree(facilitator, latency.id, [
      { question: "Why was the spike missed?", answer: "The Grafana dashboard showed averages, hiding the p99 latency spike.", remediation: "Add p99 panels to the service dashboard." },
    ]);
    expect(similarFor(member, latency.id).get(latencyWhy)).toBeUndefined();
  });
});

describe("related incidents", () => {
  it("links both ways in one click, records it on both, and unlinks", () => {
    const { facilitator, member, earlier, later } = scene();
    linkIncidents(facilitator, later.id, earlier.id);
    linkIncidents(facilitator, later.id, earlier.id);
    expect(listRelated(member, later.id).map((r) => r.id)).toEqual([earlier.id]);
    expect(listRelated(member, earlier.id).map((r) => r.id)).toEqual([later.id]);
    const events = db().select().from(schema.auditEvents).where(eq(schema.auditEvents.kind, "incident.linked")).all();
    expect(events.map((e) => e.incidentId).sort()).toEqual([earlier.id, later.id].sort());
    unlinkIncidents(facilitator, earlier.id, later.id);
    expect(listRelated(member, later.id)).toEqual([]);
  });

  it("is for people who may change the incident, and hides restricted links from others", () => {
    const { facilitator, member, admin, earlier, later } = scene();
    expect(caught(() => linkIncidents(member, later.id, earlier.id))).toBeInstanceOf(Forbidden);
    expect(caught(() => linkIncidents(facilitator, later.id, later.id))).toBeInstanceOf(Invalid);
    db().update(schema.incidents).set({ visibility: "restricted" }).where(eq(schema.incidents.id, earlier.id)).run();
    linkIncidents(admin, later.id, earlier.id);
    expect(listRelated(member, later.id)).toEqual([]);
    expect(listRelated(admin, later.id).map((r) => r.id)).toEqual([earlier.id]);
    // The org incident's history, which everyone reads, names the restricted one only to those who see it.
    const summaries = (viewer: typeof member) => listEvents(viewer, later.id).map((e) => e.summary);
    expect(summaries(member)).toContain("Marked an incident you cannot see as related");
    expect(summaries(member).join("\n")).not.toContain(`INC-${earlier.id}`);
    expect(summaries(admin)).toContain(`Marked INC-${earlier.id} as related`);
  });

  it("stop naming a related incident, in the history, the list and Seen before, once it becomes restricted", () => {
    const { facilitator, member, earlier, later, laterWhy } = scene();
    linkIncidents(facilitator, later.id, earlier.id);
    expect(listEvents(member, later.id).map((e) => e.summary)).toContain(`Marked INC-${earlier.id} as related`);
    const before = getIncident(facilitator, earlier.id);
    updateIncident(facilitator, earlier.id, before.version, incidentFields({ title: before.title, startedAt: before.startedAt, detectedAt: null, resolvedAt: null, visibility: "restricted" }));
    unlinkIncidents(facilitator, later.id, earlier.id);
    linkIncidents(facilitator, later.id, earlier.id);

    const history = listEvents(member, later.id).map((e) => e.summary);
    expect(history.join("\n")).not.toContain(`INC-${earlier.id}`);
    expect(history.join("\n")).not.toContain("Checkout slow");
    expect(history).toEqual(expect.arrayContaining(["Marked an incident you cannot see as related", "No longer related to an incident you cannot see"]));
    expect(history.filter((s) => s.includes("an incident you cannot see"))).toHaveLength(3);
    expect(listEvents(facilitator, later.id).map((e) => e.summary)).toEqual(expect.arrayContaining([`Marked INC-${earlier.id} as related`, `No longer related to INC-${earlier.id}`]));
    // The restricted incident's own history names the org-wide one to its people.
    expect(listEvents(facilitator, earlier.id).map((e) => e.summary)).toContain(`Marked INC-${later.id} as related`);
    expect(listRelated(member, later.id)).toEqual([]);
    expect(similarFor(member, later.id).get(laterWhy) ?? []).toEqual([]);
  });
});

describe("a why that many others resemble", () => {
  it("keeps only its best matches, and stays editable however many whys are written to look like it", () => {
    const facilitator = createUser();
    const hubIncident = createIncident(facilitator, { title: "Checkout slow" });
    const [hub] = addWhyTree(facilitator, hubIncident.id, [{ question: "Why was checkout slow?", answer: POOL, remediation: "Move report queries to a read replica." }]);
    for (let i = 0; i < 40; i++) {
      const copy = createIncident(facilitator, { title: `Copy ${i}` });
      // Its words, padded with numbers the search does not ask for: longer, so the hub ranks first.
      addWhyTree(facilitator, copy.id, [{ question: "Why?", answer: `${POOL} ${"2 ".repeat(300)}`, remediation: `Move report queries to a read replica. ${"2 ".repeat(300)}` }]);
    }
    const stored = (whyId: number) => db().select().from(schema.whySimilarities).where(eq(schema.whySimilarities.whyId, whyId)).all();
    expect(stored(hub).length).toBeGreaterThan(0);
    expect(stored(hub).length).toBeLessThanOrEqual(12);
    const row = listWhys(hubIncident.id)[0];
    updateWhy(facilitator, hubIncident.id, hub, row.version, { ...whyValuesOf(row), answer: `${POOL} Again.` });
    expect(stored(hub).length).toBeLessThanOrEqual(12);
  });
});
