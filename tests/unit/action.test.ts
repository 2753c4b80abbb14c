import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { Conflict, DomainError, Forbidden, NotFound, PublishBlocked, StateConflict } from "~/models/errors";
import { defaultDueDate, DEFAULT_DUE_POLICY, isOverdue, progressLabel } from "~/models/action";
import {
  ACTION_SORTS,
  actionProgress,
  changeActionStatus,
  completionFigures,
  countActions,
  createAction,
  listActions,
  oldestOverdue,
  openActionCounts,
  overdueOwners,
  pageOfActions,
  pastDueRefusal,
  replanAction,
  today,
  updateAction,
  type ActionFilters,
} from "~/models/action.server";
import { listEvents } from "~/models/history.server";
import { getIncident, moveIncident, setPeople } from "~/models/incident.server";
import { updateSettings } from "~/models/settings.server";
import { updateWhy } from "~/models/why.server";
import * as myActions from "~/routes/actions._index";
import * as allActions from "~/routes/actions.all";
import * as overduePage from "~/routes/actions.overdue";
import { caught, freshDatabase, fullScans, queryPlan, recordQueries, type RecordedQuery, sessionCookie } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

async function analysed() {
  const facilitator = await createUser({ name: "Avery", team: "SRE" });
  const owner = await createUser({ name: "Blake", team: "Web" });
  const incident = await createIncident(facilitator, { summaryMd: "What happened.", severity: "SEV1" });
  const [whyId] = await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "Because", remediation: "Add a test", rootReached: true }]);
  return { facilitator, owner, incident, whyId };
}

describe("the due-date policy", () => {
  it("gives SEV1/P1 two weeks and lower priorities four or eight", () => {
    expect(defaultDueDate(DEFAULT_DUE_POLICY, "SEV1", "P1", "2026-11-23")).toBe("2026-12-07");
    expect(defaultDueDate(DEFAULT_DUE_POLICY, "SEV1", "P2", "2026-11-23")).toBe("2026-12-21");
    expect(defaultDueDate(DEFAULT_DUE_POLICY, "SEV4", "P1", "2026-11-23")).toBe("2027-01-18");
  });

  it("is what admins set", async () => {
    const admin = await createUser({ role: "admin" });
    const policy = { ...DEFAULT_DUE_POLICY, SEV1: { P1: 7, P2: 14, P3: 28 } };
    const saved = await updateSettings(admin, { duePolicy: policy });
    expect(defaultDueDate(saved.duePolicy, "SEV1", "P1", "2026-11-23")).toBe("2026-11-30");
    await expect(updateSettings(await createUser(), { reminderHour: 3 })).rejects.toThrow(Forbidden);
  });
});

describe("an action's status", () => {
  it("goes open → in progress → done, recording who and when, and can be reopened", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const action = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    expect(action.status).toBe("open");
    expect((await changeActionStatus(owner, action.id, "in_progress")).status).toBe("in_progress");
    const done = await changeActionStatus(owner, action.id, "done");
    expect(done.status).toBe("done");
    expect(done.completedAt).not.toBeNull();
    const reopened = await changeActionStatus(owner, action.id, "open");
    expect(reopened).toMatchObject({ status: "open", completedAt: null });
    expect((await listEvents(facilitator, incident.id))[0].summary).toBe(`Reopened the action “${action.title}”`);
  });

  it("needs a reason to become won't do", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const action = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    const refused = await caught(() => changeActionStatus(owner, action.id, "wont_do", "  "));
    expect((refused as DomainError).field).toBe("wontDoReason");
    expect((await changeActionStatus(owner, action.id, "wont_do", "Replaced by the new pipeline")).wontDoReason).toBe("Replaced by the new pipeline");
  });

  it("refuses a move the workflow does not have", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const action = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    await changeActionStatus(owner, action.id, "done");
    expect(await caught(() => changeActionStatus(owner, action.id, "in_progress"))).toBeInstanceOf(StateConflict);
  });

  it("may be changed by the owner, the facilitator and admins only", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const participant = await createUser();
    const action = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    expect(await caught(() => changeActionStatus(participant, action.id, "done"))).toBeInstanceOf(Forbidden);
    expect(await caught(() => updateAction(participant, action.id, action.version, actionFields(owner.id, { title: "x" })))).toBeInstanceOf(Forbidden);
    expect((await changeActionStatus(facilitator, action.id, "in_progress")).status).toBe("in_progress");
    expect((await changeActionStatus(await createUser({ role: "admin" }), action.id, "done")).status).toBe("done");
  });

  it("is replanned from its incident's page: owner, due date and priority, by the same rules as an edit", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const action = await createAction(facilitator, incident.id, whyId, actionFields(owner.id, { descriptionMd: "Why it matters", trackerUrl: "https://t.example/1" }));
    const participant = await createUser();
    const plan = { ownerId: facilitator.id, dueDate: "2027-01-15", priority: "P1" as const };
    expect(await caught(() => replanAction(participant, incident.id, action.id, action.version, plan))).toBeInstanceOf(Forbidden);
    const other = await createIncident(facilitator);
    expect(await caught(() => replanAction(facilitator, other.id, action.id, action.version, plan))).toBeInstanceOf(NotFound);
    const replanned = await replanAction(owner, incident.id, action.id, action.version, plan);
    expect(replanned).toMatchObject({ ...plan, title: action.title, descriptionMd: "Why it matters", trackerUrl: "https://t.example/1", version: action.version + 1 });
    // Based on the version read: a second replan of the old version is refused with the stored one.
    const stale = await caught(() => replanAction(facilitator, incident.id, action.id, action.version, { ...plan, priority: "P3" }));
    expect(stale).toBeInstanceOf(Conflict);
    expect((stale as Conflict).current.priority).toBe("P1");
    // An empty due date is the policy's, as on the full form.
    expect((await replanAction(facilitator, incident.id, action.id, replanned.version, { ...plan, dueDate: "" })).dueDate).not.toBe("");
  });

  it("asks to confirm a due date already past on a new action, once", async () => {
    expect(await pastDueRefusal("2000-01-01", false)).toMatch(/^This date has already passed/);
    expect(await pastDueRefusal("2000-01-01", true)).toBeUndefined();
    expect(await pastDueRefusal(await today(), false)).toBeUndefined();
    expect(await pastDueRefusal("", false)).toBeUndefined();
  });

  it("makes the owner a participant, so a restricted incident is theirs to see", async () => {
    const facilitator = await createUser();
    const owner = await createUser();
    const incident = await createIncident(facilitator, { visibility: "restricted" });
    await createAction(facilitator, incident.id, null, actionFields(owner.id));
    expect((await getIncident(owner, incident.id)).participantIds).toContain(owner.id);
  });
});

describe("publishing and closing", () => {
  it("requires an action or a 'no action needed' reason for every remediation", async () => {
    const { facilitator, incident, whyId } = await analysed();
    await advanceTo(facilitator, incident.id, "review");
    const blocked = await caught(() => moveIncident(facilitator, incident.id, "published")) as PublishBlocked;
    expect(blocked.problems.map((p) => p.field)).toEqual(["actions"]);
    const why = { question: "Why?", answer: "Because", remediationMd: "Add a test", noRemediationReason: "", category: "", rootReached: true };
    await updateWhy(facilitator, incident.id, whyId, 1, { ...why, noActionReason: "Done during the incident" });
    expect((await moveIncident(facilitator, incident.id, "published")).status).toBe("published");
  });

  it("closes when every action is done or won't do, and reopens when one is reopened", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const first = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    const second = await createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Second" }));
    await advanceTo(facilitator, incident.id, "published");
    await changeActionStatus(owner, first.id, "done");
    expect((await getIncident(owner, incident.id)).status).toBe("published");
    await changeActionStatus(owner, second.id, "wont_do", "Superseded");
    expect((await getIncident(owner, incident.id)).status).toBe("closed");
    await changeActionStatus(owner, first.id, "open");
    expect((await getIncident(owner, incident.id)).status).toBe("published");
    expect((await listEvents(facilitator, incident.id)).map((e) => e.kind).slice(0, 3)).toEqual(["incident.reopened", "action.status", "incident.closed"]);
  });

  it("does not close an incident that is still being analysed", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const action = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    await changeActionStatus(owner, action.id, "done");
    expect((await getIncident(owner, incident.id)).status).toBe("draft");
  });
});

describe("lists", () => {
  it("show overdue first, never actions of restricted incidents to outsiders, and progress per incident", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const secret = await createIncident(facilitator, { visibility: "restricted", title: "Secret" });
    const now = new Date("2026-11-23T12:00:00Z");
    await createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Later", dueDate: "2026-12-30" }));
    await createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Overdue", dueDate: "2026-11-20" }));
    await createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Due today", dueDate: "2026-11-23" }));
    await createAction(facilitator, secret.id, null, actionFields(facilitator.id, { title: "Secret fix" }));
    const outsider = await createUser();

    const mine = await listActions(owner, { ownerId: owner.id, status: "unfinished" }, { now });
    expect(mine.items.map((a) => [a.title, a.overdue])).toEqual([
      ["Overdue", true],
      ["Due today", false],
      ["Later", false],
    ]);
    expect((await listActions(outsider, {}, { now })).items.map((a) => a.title)).not.toContain("Secret fix");
    expect((await listActions(facilitator, {}, { now })).items.map((a) => a.title)).toContain("Secret fix");
    expect((await listActions(outsider, { overdue: true }, { now })).items.map((a) => a.title)).toEqual(["Overdue"]);
    expect(await countActions(outsider, { team: "Web" }, { now })).toEqual({ total: 3, capped: false });
    expect(mine.items[0].whyQuestion).toBe("Why?");

    const progress = await actionProgress([incident.id, secret.id], "2026-11-23");
    expect(progressLabel(progress.get(incident.id)!)).toBe("0 of 3 done, 3 open, 1 overdue");
  });

  it("count due today as not overdue, and yesterday as overdue", () => {
    expect(isOverdue({ status: "open", dueDate: "2026-11-23" }, "2026-11-23")).toBe(false);
    expect(isOverdue({ status: "open", dueDate: "2026-11-22" }, "2026-11-23")).toBe(true);
    expect(isOverdue({ status: "done", dueDate: "2026-11-22" }, "2026-11-23")).toBe(false);
  });

  it("give completion figures by team", async () => {
    const { facilitator, owner, incident, whyId } = await analysed();
    const a = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    const b = await createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    await createAction(facilitator, incident.id, whyId, actionFields(facilitator.id, { dueDate: "2020-01-01" }));
    await changeActionStatus(owner, a.id, "done");
    await changeActionStatus(owner, b.id, "wont_do", "Not needed");
    const [all, sre, web] = await completionFigures(facilitator);
    expect(all).toMatchObject({ team: "All teams", total: 3, done: 1, wontDo: 1, open: 1, overdue: 1, doneShare: 1 / 3, doneRatherThanDropped: 0.5 });
    expect(sre).toMatchObject({ team: "SRE", total: 1, overdue: 1, doneShare: 0, doneRatherThanDropped: null, medianDaysToDone: null });
    expect(web.team).toBe("Web");
    expect(web.medianDaysToDone).toBeGreaterThanOrEqual(0);
  });
});

describe("action lists: queries", () => {
  // Every list runs a fixed number of statements however many actions match (no N+1), and none
  // of them reads the whole incidents, whys or actions table.
  const NOW = new Date("2026-11-23T12:00:00Z");

  /** `n` overdue open actions of a Web member on one SEV2 incident, among others that match less. */
  async function world(n: number) {
    const admin = await createUser({ role: "admin", team: "SRE" });
    const member = await createUser({ team: "Web" });
    const facilitator = await createUser({ team: "SRE" });
    const incident = await createIncident(facilitator, { severity: "SEV2" });
    const [whyId] = await addWhyTree(facilitator, incident.id, [{ question: "Why did the queue back up?", answer: "The pool was too small", remediation: "Scale it" }]);
    for (let i = 0; i < n; i++) {
      await createAction(facilitator, incident.id, whyId, actionFields(member.id, { title: `Scale the pool ${i}`, dueDate: `2026-10-${String(1 + (i % 28)).padStart(2, "0")}` }));
    }
    // A restricted incident the member takes part in, one they do not, finished and later work.
    const theirs = await createIncident(facilitator, { severity: "SEV1", visibility: "restricted" });
    await setPeople(facilitator, theirs.id, facilitator.id, [member.id]);
    const secret = await createIncident(facilitator, { severity: "SEV2", visibility: "restricted" });
    await createAction(facilitator, theirs.id, null, actionFields(member.id, { dueDate: "2026-09-01" }));
    await createAction(facilitator, secret.id, null, actionFields(facilitator.id, { dueDate: "2026-09-01" }));
    const done = await createAction(facilitator, incident.id, whyId, actionFields(member.id, { dueDate: "2026-08-01" }));
    await changeActionStatus(member, done.id, "done");
    await createAction(facilitator, incident.id, whyId, actionFields(facilitator.id, { dueDate: "2027-01-10", priority: "P1" }));
    return { admin, member, incidentId: incident.id };
  }

  type World = Awaited<ReturnType<typeof world>>;

  async function statements(n: number, run: (w: World) => Promise<unknown>) {
    await freshDatabase();
    const w = await world(n);
    return (await recordQueries(() => run(w))).queries;
  }

  function expectIndexed(queries: RecordedQuery[]) {
    for (const query of queries) expect(fullScans(query), `${query.sql}\n${queryPlan(query).join("\n")}`).toEqual([]);
  }

  const pages: [string, (w: World) => ActionFilters][] = [
    ["overdue", () => ({ overdue: true })],
    ["overdue, one owner", (w) => ({ overdue: true, ownerId: w.member.id })],
    ["a status", () => ({ status: "open" })],
    ["not finished", () => ({ status: "unfinished" })],
    ["an owner", (w) => ({ ownerId: w.member.id })],
    ["a team", () => ({ team: "Web" })],
    ["a severity", () => ({ severity: "SEV2" })],
    ["an incident", (w) => ({ incidentId: w.incidentId })],
    ["a team, by owner", () => ({ team: "Web", sort: "owner" })],
    ["a status, by priority", () => ({ status: "done", sort: "priority" })],
    ...ACTION_SORTS.map((sort): [string, () => ActionFilters] => [`everything by ${sort}`, () => ({ sort })]),
  ];

  for (const [name, filters] of pages) {
    it(`pages through ${name} in the same statements for 3 or 30 matching actions, none scanning a table`, async () => {
      for (const as of ["member", "admin"] as const) {
        const few = await statements(3, (w) => pageOfActions(w[as], filters(w), 1, { now: NOW }));
        const many = await statements(30, (w) => pageOfActions(w[as], filters(w), 1, { now: NOW }));
        expect(many.length).toBe(few.length);
        expectIndexed(many);
      }
    });
  }

  it("lists my actions, and the overdue ones by owner, in the same statements for 3 or 30, none scanning a table", async () => {
    const mine = async (w: World) => {
      await listActions(w.member, { ownerId: w.member.id, status: "unfinished", sort: "due" }, { limit: 25, now: NOW });
      await listActions(w.member, { ownerId: w.member.id, status: "done", sort: "completed" }, { limit: 10, now: NOW });
      await openActionCounts(w.member, w.member.id, { now: NOW });
    };
    const overdue = async (w: World) => {
      await overdueOwners(w.member, { now: NOW });
      await oldestOverdue(w.member, "Web", { perOwner: 3, now: NOW });
    };
    const everything = (w: World) => listActions(w.member, { overdue: true }, { now: NOW });
    for (const run of [mine, overdue, everything]) {
      const few = await statements(3, run);
      const many = await statements(30, run);
      expect(many.length).toBe(few.length);
      expectIndexed(many);
    }
  });

  it("give the overdue page counts by owner and each one's oldest, without what the viewer may not see", async () => {
    await freshDatabase();
    const w = await world(5);
    const outsider = await createUser({ team: "Web" });
    const counts = async (viewer: typeof outsider) => (await overdueOwners(viewer, { now: NOW })).map((o) => [o.team, o.count]);
    // The member sees their 5 and the one in the restricted incident they take part in.
    expect(await counts(w.member)).toEqual([["Web", 6]]);
    expect(await counts(outsider)).toEqual([["Web", 5]]);
    expect((await counts(w.admin)).sort()).toEqual([["SRE", 1], ["Web", 6]]);
    const oldest = await oldestOverdue(w.member, "Web", { perOwner: 3, now: NOW });
    expect(oldest.map((a) => a.dueDate)).toEqual(["2026-09-01", "2026-10-01", "2026-10-02"]);
    expect((await oldestOverdue(outsider, "Web", { perOwner: 3, now: NOW })).map((a) => a.dueDate)).toEqual(["2026-10-01", "2026-10-02", "2026-10-03"]);
    expect(await openActionCounts(outsider, w.member.id, { now: NOW })).toEqual({ open: 5, overdue: 5 });
    expect(await openActionCounts(w.member, w.member.id, { now: NOW })).toEqual({ open: 6, overdue: 6 });
  });

  it("count up to the limit, and pages stay within what is counted", async () => {
    await freshDatabase();
    const w = await world(30);
    expect(await countActions(w.member, { overdue: true }, { now: NOW })).toEqual({ total: 31, capped: false });
    const last = await pageOfActions(w.member, { overdue: true }, 99, { now: NOW });
    expect([last.page, last.pageCount, last.items.length]).toEqual([2, 2, 6]);
    const all = [...(await pageOfActions(w.member, { overdue: true }, 1, { now: NOW })).items, ...last.items].map((a) => a.id);
    expect(new Set(all).size).toBe(31);
  });

  it("run the three pages' loaders in the same statements for 3 or 30", async () => {
    async function loaderStatements(n: number, route: { loader: (args: never) => unknown }, path: string) {
      await freshDatabase();
      const w = await world(n);
      const cookie = (await sessionCookie(w.member.id));
      const request = new Request(`http://localhost${path}`, { headers: { cookie } });
      return (await recordQueries(async () => route.loader({ request, params: {}, context: {} } as never))).queries;
    }
    for (const [route, path] of [
      [myActions, "/actions"],
      [allActions, "/actions/all?overdue=on"],
      [overduePage, "/actions/overdue"],
    ] as const) {
      const few = await loaderStatements(3, route, path);
      const many = await loaderStatements(30, route, path);
      expect(many.length).toBe(few.length);
      expectIndexed(many);
    }
  });
});
