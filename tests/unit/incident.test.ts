import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addTimeline, addWhyTree, createIncident, createUser, incidentFields, keepFlaggedWording, RIES_CHAIN } from "../../db/factories";
import * as incidentList from "~/routes/incidents._index";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import { Conflict, DomainError, Forbidden, Invalid, NotFound, PublishBlocked, StateConflict } from "~/models/errors";
import { createAction } from "~/models/action.server";
import { canContribute, canManage, canView } from "~/models/authorization";
import { listEvents } from "~/models/history.server";
import {
  getIncident,
  type IncidentPage,
  listIncidents,
  moveIncident,
  reportIncident,
  setPeople,
  updateIncident,
} from "~/models/incident.server";
import { publishProblems } from "~/models/why-tree";
import { COUNT_LIMIT } from "~/models/paging";
import { caught, freshDatabase, fullScans, queryPlan, recordQueries, type RecordedQuery, sessionCookie } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

describe("reporting", () => {
  it("stores the fields, renders markdown, and makes the reporter a participant", async () => {
    const reporter = await createUser({ name: "Blake" });
    const facilitator = await createUser({ name: "Avery" });
    const incident = await reportIncident(reporter, {
      ...incidentFields({ impactMd: "**49 minutes** down", services: ["web", "api"] }),
      facilitatorId: facilitator.id,
    });
    expect(incident.reference).toBe(`INC-${incident.id}`);
    expect(incident.impactHtml).toBe("<p><strong>49 minutes</strong> down</p>");
    expect(incident.facilitator.name).toBe("Avery");
    expect(incident.participants.map((p) => p.name)).toEqual(["Blake"]);
    expect(incident.services).toEqual(["api", "web"]);
    expect(incident.status).toBe("draft");
    expect((await listEvents(facilitator, incident.id)).map((e) => e.kind)).toEqual(["incident.reported"]);
  });

  it("refuses a resolution before the start", async () => {
    const reporter = await createUser();
    const error = await caught(() =>
      reportIncident(reporter, incidentFields({ startedAt: "2026-10-06T14:00:00.000Z", detectedAt: null, resolvedAt: "2026-10-06T13:00:00.000Z" })),
    );
    expect(error).toBeInstanceOf(Invalid);
    expect((error as DomainError).field).toBe("resolvedAt");
  });
});

describe("restricted incidents", () => {
  it("are visible only to the facilitator, participants and admins, in lists and pages", async () => {
    const facilitator = await createUser();
    const participant = await createUser();
    const bystander = await createUser();
    const admin = await createUser({ role: "admin" });
    const open = await createIncident(facilitator, { title: "Open one" });
    const secret = await createIncident(facilitator, { title: "Security incident", visibility: "restricted" });
    await setPeople(facilitator, secret.id, facilitator.id, [participant.id]);

    const titles = async (user: typeof bystander) => (await listIncidents(user, {})).items.map((i) => i.title).sort();
    expect(await titles(bystander)).toEqual(["Open one"]);
    expect(await titles(participant)).toEqual(["Open one", "Security incident"]);
    expect(await titles(facilitator)).toEqual(["Open one", "Security incident"]);
    expect(await titles(admin)).toEqual(["Open one", "Security incident"]);
    expect((await listIncidents(bystander, {})).total).toBe(1);

    const notFound = await caught(() => getIncident(bystander, secret.id));
    expect(notFound).toBeInstanceOf(NotFound);
    expect((await getIncident(participant, secret.id)).title).toBe("Security incident");
    expect((await getIncident(bystander, open.id)).title).toBe("Open one");
  });

  it("refuse every change from someone who may not see them, as not found", async () => {
    const facilitator = await createUser();
    const bystander = await createUser();
    const secret = await createIncident(facilitator, { visibility: "restricted" });
    for (const attempt of [
      () => updateIncident(bystander, secret.id, 1, incidentFields()),
      () => moveIncident(bystander, secret.id, "analysis"),
      () => setPeople(bystander, secret.id, bystander.id, []),
    ]) {
      const error = await caught(attempt);
      expect(error).toBeInstanceOf(NotFound);
    }
  });
});

describe("permissions", () => {
  const people = { visibility: "org" as const, facilitatorId: 1, participantIds: [2] };
  const member = (id: number) => ({ id, role: "member" as const });
  it("let everyone view org incidents, the involved contribute, the facilitator and admins manage", () => {
    expect(canView(member(9), people)).toBe(true);
    expect(canContribute(member(9), people)).toBe(false);
    expect(canContribute(member(2), people)).toBe(true);
    expect(canManage(member(2), people)).toBe(false);
    expect(canManage(member(1), people)).toBe(true);
    expect(canManage({ id: 9, role: "admin" }, people)).toBe(true);
    expect(canView(member(9), { ...people, visibility: "restricted" })).toBe(false);
  });

  it("keep participants from changing visibility or people, and from moving the lifecycle", async () => {
    const facilitator = await createUser();
    const participant = await createUser();
    const incident = await createIncident(facilitator);
    await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
    expect(await caught(() => moveIncident(participant, incident.id, "analysis"))).toBeInstanceOf(Forbidden);
    expect(await caught(() => setPeople(participant, incident.id, participant.id, []))).toBeInstanceOf(Forbidden);
    const current = await getIncident(participant, incident.id);
    const visibility = await caught(() => updateIncident(participant, incident.id, current.version, incidentFields({ visibility: "restricted" })));
    expect((visibility as DomainError).field).toBe("visibility");
    expect((await updateIncident(participant, incident.id, current.version, incidentFields({ title: "Renamed" }))).title).toBe("Renamed");
  });

  it("have exactly one facilitator, who is never also listed as a participant", async () => {
    const a = await createUser();
    const b = await createUser();
    const incident = await createIncident(a);
    const updated = await setPeople(a, incident.id, b.id, [a.id, b.id]);
    expect(updated.facilitatorId).toBe(b.id);
    expect(updated.participantIds).toEqual([a.id]);
  });
});

describe("editing an incident", () => {
  it("refuses a stale edit and keeps the stored version", async () => {
    const facilitator = await createUser();
    const incident = await createIncident(facilitator, { title: "Original" });
    await updateIncident(facilitator, incident.id, 1, incidentFields({ title: "First edit" }));
    const conflict = await caught(() => updateIncident(facilitator, incident.id, 1, incidentFields({ title: "Second edit" })));
    expect(conflict).toBeInstanceOf(Conflict);
    expect((conflict as Conflict).current).toMatchObject({ title: "First edit", version: "2" });
    expect((await getIncident(facilitator, incident.id)).title).toBe("First edit");
  });

  it("records who changed what in the history", async () => {
    const facilitator = await createUser({ name: "Avery" });
    const incident = await createIncident(facilitator, { severity: "SEV3" });
    await updateIncident(facilitator, incident.id, 1, incidentFields({ severity: "SEV1" }));
    const [latest] = await listEvents(facilitator, incident.id);
    expect(latest).toMatchObject({ kind: "incident.updated", actorName: "Avery", afterPublication: false });
    expect(latest.changes.severity).toEqual(["SEV3", "SEV1"]);
  });
});

describe("lifecycle", () => {
  it("moves draft → analysis → review → published when the analysis is complete", async () => {
    const facilitator = await createUser({ name: "Avery" });
    const incident = await createIncident(facilitator, { summaryMd: "A loop reached production." });
    for (const whyId of await addWhyTree(facilitator, incident.id, RIES_CHAIN)) {
      await createAction(facilitator, incident.id, whyId, actionFields(facilitator.id));
    }
    await keepFlaggedWording(facilitator, incident.id, "Quoted from Ries's example");
    await moveIncident(facilitator, incident.id, "analysis");
    await moveIncident(facilitator, incident.id, "review");
    const published = await moveIncident(facilitator, incident.id, "published");
    expect(published.status).toBe("published");
    expect(published.publishedByName).toBe("Avery");
    expect(published.publishedAt).not.toBeNull();
  });

  it("refuses skipping a state", async () => {
    const facilitator = await createUser();
    const incident = await createIncident(facilitator);
    expect(await caught(() => moveIncident(facilitator, incident.id, "published"))).toBeInstanceOf(StateConflict);
  });

  it("blocks publishing with every failing check listed, and changes nothing", async () => {
    const facilitator = await createUser();
    const incident = await createIncident(facilitator, { resolvedAt: null, summaryMd: "" });
    await addWhyTree(facilitator, incident.id, [
      { question: "Why was it down?", answer: "CPU", remediation: "Restart", children: [{ question: "Why CPU?", answer: "" }] },
    ]);
    await moveIncident(facilitator, incident.id, "analysis");
    await moveIncident(facilitator, incident.id, "review");
    const blocked = await caught(() => moveIncident(facilitator, incident.id, "published"));
    expect(blocked).toBeInstanceOf(PublishBlocked);
    const messages = (blocked as PublishBlocked).problems.map((p) => p.message);
    expect(messages).toEqual([
      "Write a summary for readers who were not there.",
      "Record when the incident was resolved.",
      "Level 1 (“Why was it down?”): the remediation needs a follow-up action, or a reason why no action is needed.",
      "Level 2 (“Why CPU?”) has no answer.",
      "Level 2 (“Why CPU?”) needs a remediation, or a reason why none is needed.",
    ]);
    expect((await getIncident(facilitator, incident.id)).status).toBe("review");
  });

  it("accepts an explicit reason instead of a remediation", () => {
    const problems = publishProblems({
      summaryMd: "s",
      resolvedAt: "2026-01-01T00:00:00.000Z",
      actionsByWhy: {},
      whys: [
        { id: 1, parentId: null, position: 1, question: "Why?", answer: "A", remediationMd: "", remediationHtml: "", noRemediationReason: "Covered by level 2", noActionReason: "", category: "", rootReached: true, version: 1 },
      ],
    });
    expect(problems).toEqual([]);
  });

  it("requires at least one why", () => {
    expect(publishProblems({ summaryMd: "s", resolvedAt: "x", whys: [], actionsByWhy: {} }).map((p) => p.field)).toEqual(["whys"]);
  });

  it("marks edits made after publishing in the history", async () => {
    const facilitator = await createUser();
    const incident = await createIncident(facilitator, { summaryMd: "Summary" });
    await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "A", remediation: "Fix", noActionReason: "Fixed on the day", rootReached: true }]);
    await keepFlaggedWording(facilitator, incident.id, "Quoted from Ries's example");
    await moveIncident(facilitator, incident.id, "analysis");
    await moveIncident(facilitator, incident.id, "review");
    const published = await moveIncident(facilitator, incident.id, "published");
    await updateIncident(facilitator, incident.id, published.version, incidentFields({ summaryMd: "Summary, corrected" }));
    const [latest, publishing] = await listEvents(facilitator, incident.id);
    expect(latest.afterPublication).toBe(true);
    expect(publishing.kind).toBe("incident.published");
    expect(publishing.afterPublication).toBe(false);
  });
});

describe("incident list and page: statements", () => {
  // Every list and page runs a fixed number of statements, however many rows it shows (no N+1),
  // and none of them reads the whole incidents, whys or actions table.
  const DAY = 86_400_000;

  async function world(n: number) {
    const admin = await createUser({ role: "admin" });
    const member = await createUser();
    const facilitator = await createUser();
    let shown = 0;
    for (let i = 0; i < n; i++) {
      const start = Date.UTC(2026, 0, 1) + i * DAY;
      const incident = await createIncident(facilitator, {
        title: `Queue backlog ${i}`,
        severity: i % 2 ? "SEV2" : "SEV3",
        services: ["web", i % 2 ? "api" : "db"],
        visibility: i % 5 === 0 ? "restricted" : "org",
        startedAt: new Date(start).toISOString(),
        detectedAt: new Date(start + 300_000).toISOString(),
        resolvedAt: new Date(start + 1_800_000).toISOString(),
      });
      if (i % 5 === 0) await setPeople(facilitator, incident.id, facilitator.id, [member.id]);
      const whys = await addWhyTree(facilitator, incident.id, [
        { question: "Why did the queue back up?", answer: `The consumer pool of worker ${i} was too small for the backlog.`, remediation: "Scale the consumer pool on queue depth.", children: [{ question: "Why was it too small?", answer: "Its size was fixed when traffic was lower." }] },
      ]);
      await createAction(facilitator, incident.id, whys[0], actionFields(member.id));
      shown = incident.id;
    }
    return { admin, member, facilitator, incidentId: shown };
  }
  type World = Awaited<ReturnType<typeof world>>;

  async function statements<T>(n: number, run: (w: World) => Promise<T>) {
    await freshDatabase();
    const w = await world(n);
    return (await recordQueries(() => run(w))).queries;
  }

  async function loaderStatements(n: number, route: { loader: (args: never) => unknown }, path: (w: World) => string, as: "member" | "facilitator") {
    await freshDatabase();
    const w = await world(n);
    const cookie = (await sessionCookie(w[as].id));
    const url = `http://localhost${path(w)}`;
    const ref = new URL(url).pathname.split("/")[2];
    return (await recordQueries(async () => route.loader({ request: new Request(url, { headers: { cookie } }), params: { ref }, context: {} } as never))).queries;
  }

  function expectIndexed(queries: RecordedQuery[]) {
    for (const query of queries) expect(fullScans(query), `${query.sql}\n${queryPlan(query).join("\n")}`).toEqual([]);
  }

  const filters = [{}, { status: "draft" }, { severity: "SEV2" }, { service: "api" }, { service: "db", severity: "SEV3" }, { after: 2 }, { before: 2 }] as const;

  for (const f of filters) {
    it(`lists incidents with ${JSON.stringify(f)} in the same statements for 3 or 30, none scanning a table`, async () => {
      for (const as of ["member", "admin"] as const) {
        const few = await statements(3, (w) => listIncidents(w[as], f));
        const many = await statements(30, (w) => listIncidents(w[as], f));
        expect(many.length).toBe(few.length);
        expectIndexed(many);
      }
    });
  }

  it("pages through every visible incident by keyset, older and back newer, each once", async () => {
    const w = await world(60);
    for (const as of ["member", "admin"] as const) {
      const seen: number[] = [];
      const pages: IncidentPage[] = [];
      let page = await listIncidents(w[as], {});
      expect(page.newer).toBeNull();
      for (;;) {
        seen.push(...page.items.map((i) => i.id));
        pages.push(page);
        if (page.older === null) break;
        page = await listIncidents(w[as], { after: page.older });
      }
      const expected = (await listIncidents(w[as], {})).total;
      expect(seen).toHaveLength(expected);
      expect(new Set(seen).size).toBe(expected);
      const started: string[] = [];
      for (const id of seen) started.push((await getIncident(w.admin, id)).startedAt);
      expect(started).toEqual([...started].sort().reverse());
      // Back from the last page, newer pages are the same pages.
      let back = pages.at(-1)!;
      for (let i = pages.length - 2; i >= 0; i--) {
        back = await listIncidents(w[as], { before: back.newer! });
        expect(back.items.map((x) => x.id)).toEqual((await listIncidents(w[as], i === 0 ? {} : { after: pages[i - 1].older! })).items.map((x) => x.id));
      }
      expect(back.newer).toBeNull();
    }
    // A member sees the 48 org incidents and the 12 restricted ones they take part in.
    expect((await listIncidents(w.member, {})).total).toBe(60);
    expect((await listIncidents(await createUser(), {})).total).toBe(48);
  });

  it("counts matches up to a limit and says so beyond it", async () => {
    const w = await world(3);
    expect(await listIncidents(w.member, {})).toMatchObject({ total: 3, capped: false });
    expect(await listIncidents(w.member, { severity: "SEV2" })).toMatchObject({ total: 1, capped: false });
    for (let i = 0; i < COUNT_LIMIT - 3; i++) await createIncident(w.facilitator, { title: `Disk full ${i}` });
    expect(await listIncidents(w.member, {})).toMatchObject({ total: COUNT_LIMIT, capped: false });
    await createIncident(w.facilitator, { title: "One more" });
    expect(await listIncidents(w.member, {})).toMatchObject({ total: COUNT_LIMIT, capped: true });
  });

  it("loads the incident list page in the same statements for 3 or 30 incidents", async () => {
    const few = await loaderStatements(3, incidentList, () => "/incidents", "member");
    const many = await loaderStatements(30, incidentList, () => "/incidents", "member");
    expect(many.length).toBe(few.length);
    expectIndexed(many);
  });

  it("loads an incident page in the same statements whatever its size, for a reader and its facilitator", async () => {
    for (const as of ["member", "facilitator"] as const) {
      const small = await loaderStatements(3, incidentPage, (w) => `/incidents/INC-${w.incidentId}`, as);
      await freshDatabase();
      const w = await world(3);
      const ids = await addWhyTree(w.facilitator, w.incidentId, Array.from({ length: 18 }, (_, i) => ({ question: `Why ${i}?`, answer: `The consumer pool of worker ${i} was too small.`, remediation: "Scale it." })));
      for (const whyId of ids.slice(0, 9)) await createAction(w.facilitator, w.incidentId, whyId, actionFields(w.member.id));
      await addTimeline(w.facilitator, w.incidentId, [{ at: "2026-01-03T10:00:00Z", text: "Paged." }, { at: "2026-01-03T10:05:00Z", text: "Scaled up." }]);
      const cookie = (await sessionCookie(w[as].id));
      const request = new Request(`http://localhost/incidents/INC-${w.incidentId}`, { headers: { cookie } });
      const large = (await recordQueries(async () => incidentPage.loader({ request, params: { ref: `INC-${w.incidentId}` }, context: {} } as never))).queries;
      expect(large.length, as).toBe(small.length);
      expectIndexed(large);
    }
  });
});
