import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { HttpError } from "~/lib/http.server";
import { defaultDueDate, DEFAULT_DUE_POLICY, isOverdue, progressLabel } from "~/models/action";
import {
  actionProgress,
  changeActionStatus,
  completionFigures,
  countActions,
  createAction,
  listActions,
  updateAction,
} from "~/models/action.server";
import { listEvents } from "~/models/audit.server";
import { getIncident, moveIncident, PublishBlocked } from "~/models/incident.server";
import { updateSettings } from "~/models/settings.server";
import { updateWhy } from "~/models/why.server";
import { caught, freshDatabase } from "./helpers";

beforeEach(() => {
  freshDatabase();
});

function analysed() {
  const facilitator = createUser({ name: "Avery", team: "SRE" });
  const owner = createUser({ name: "Blake", team: "Web" });
  const incident = createIncident(facilitator, { summaryMd: "What happened.", severity: "SEV1" });
  const [whyId] = addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "Because", remediation: "Add a test", rootReached: true }]);
  return { facilitator, owner, incident, whyId };
}

describe("the due-date policy", () => {
  it("gives SEV1/P1 two weeks and lower priorities four or eight", () => {
    expect(defaultDueDate(DEFAULT_DUE_POLICY, "SEV1", "P1", "2026-11-23")).toBe("2026-12-07");
    expect(defaultDueDate(DEFAULT_DUE_POLICY, "SEV1", "P2", "2026-11-23")).toBe("2026-12-21");
    expect(defaultDueDate(DEFAULT_DUE_POLICY, "SEV4", "P1", "2026-11-23")).toBe("2027-01-18");
  });

  it("is what admins set", () => {
    const admin = createUser({ role: "admin" });
    const policy = { ...DEFAULT_DUE_POLICY, SEV1: { P1: 7, P2: 14, P3: 28 } };
    const saved = updateSettings(admin, { duePolicy: policy });
    expect(defaultDueDate(saved.duePolicy, "SEV1", "P1", "2026-11-23")).toBe("2026-11-30");
    expect(() => updateSettings(createUser(), { reminderHour: 3 })).toThrow(HttpError);
  });
});

describe("an action's status", () => {
  it("goes open → in progress → done, recording who and when, and can be reopened", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const action = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    expect(action.status).toBe("open");
    expect(changeActionStatus(owner, action.id, "in_progress").status).toBe("in_progress");
    const done = changeActionStatus(owner, action.id, "done");
    expect(done.status).toBe("done");
    expect(done.completedAt).not.toBeNull();
    const reopened = changeActionStatus(owner, action.id, "open");
    expect(reopened).toMatchObject({ status: "open", completedAt: null });
    expect(listEvents(incident.id)[0].summary).toBe(`Reopened the action “${action.title}”`);
  });

  it("needs a reason to become won't do", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const action = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    const refused = caught(() => changeActionStatus(owner, action.id, "wont_do", "  "));
    expect((refused as HttpError).detail.field).toBe("wontDoReason");
    expect(changeActionStatus(owner, action.id, "wont_do", "Replaced by the new pipeline").wontDoReason).toBe("Replaced by the new pipeline");
  });

  it("refuses a move the workflow does not have", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const action = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    changeActionStatus(owner, action.id, "done");
    expect((caught(() => changeActionStatus(owner, action.id, "in_progress")) as HttpError).status).toBe(409);
  });

  it("may be changed by the owner, the facilitator and admins only", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const participant = createUser();
    const action = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    expect((caught(() => changeActionStatus(participant, action.id, "done")) as HttpError).status).toBe(403);
    expect((caught(() => updateAction(participant, action.id, action.version, actionFields(owner.id, { title: "x" }))) as HttpError).status).toBe(403);
    expect(changeActionStatus(facilitator, action.id, "in_progress").status).toBe("in_progress");
    expect(changeActionStatus(createUser({ role: "admin" }), action.id, "done").status).toBe("done");
  });

  it("makes the owner a participant, so a restricted incident is theirs to see", () => {
    const facilitator = createUser();
    const owner = createUser();
    const incident = createIncident(facilitator, { visibility: "restricted" });
    createAction(facilitator, incident.id, null, actionFields(owner.id));
    expect(getIncident(owner, incident.id).participantIds).toContain(owner.id);
  });
});

describe("publishing and closing", () => {
  it("requires an action or a 'no action needed' reason for every remediation", () => {
    const { facilitator, incident, whyId } = analysed();
    advanceTo(facilitator, incident.id, "review");
    const blocked = caught(() => moveIncident(facilitator, incident.id, "published")) as PublishBlocked;
    expect(blocked.problems.map((p) => p.field)).toEqual(["actions"]);
    const why = { question: "Why?", answer: "Because", remediationMd: "Add a test", noRemediationReason: "", category: "", rootReached: true };
    updateWhy(facilitator, incident.id, whyId, 1, { ...why, noActionReason: "Done during the incident" });
    expect(moveIncident(facilitator, incident.id, "published").status).toBe("published");
  });

  it("closes when every action is done or won't do, and reopens when one is reopened", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const first = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    const second = createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Second" }));
    advanceTo(facilitator, incident.id, "published");
    changeActionStatus(owner, first.id, "done");
    expect(getIncident(owner, incident.id).status).toBe("published");
    changeActionStatus(owner, second.id, "wont_do", "Superseded");
    expect(getIncident(owner, incident.id).status).toBe("closed");
    changeActionStatus(owner, first.id, "open");
    expect(getIncident(owner, incident.id).status).toBe("published");
    expect(listEvents(incident.id).map((e) => e.kind).slice(0, 3)).toEqual(["incident.reopened", "action.status", "incident.closed"]);
  });

  it("does not close an incident that is still being analysed", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const action = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    changeActionStatus(owner, action.id, "done");
    expect(getIncident(owner, incident.id).status).toBe("draft");
  });
});

describe("lists", () => {
  it("show overdue first, never actions of restricted incidents to outsiders, and progress per incident", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const secret = createIncident(facilitator, { visibility: "restricted", title: "Secret" });
    const now = new Date("2026-11-23T12:00:00Z");
    createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Later", dueDate: "2026-12-30" }));
    createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Overdue", dueDate: "2026-11-20" }));
    createAction(facilitator, incident.id, whyId, actionFields(owner.id, { title: "Due today", dueDate: "2026-11-23" }));
    createAction(facilitator, secret.id, null, actionFields(facilitator.id, { title: "Secret fix" }));
    const outsider = createUser();

    const mine = listActions(owner, { ownerId: owner.id, status: "unfinished" }, { now });
    expect(mine.items.map((a) => [a.title, a.overdue])).toEqual([
      ["Overdue", true],
      ["Due today", false],
      ["Later", false],
    ]);
    expect(listActions(outsider, {}, { now }).items.map((a) => a.title)).not.toContain("Secret fix");
    expect(listActions(facilitator, {}, { now }).items.map((a) => a.title)).toContain("Secret fix");
    expect(listActions(outsider, { overdue: true }, { now }).items.map((a) => a.title)).toEqual(["Overdue"]);
    expect(countActions(outsider, { team: "Web" }, { now })).toEqual({ total: 3, capped: false });
    expect(mine.items[0].whyQuestion).toBe("Why?");

    const progress = actionProgress([incident.id, secret.id], "2026-11-23");
    expect(progressLabel(progress.get(incident.id)!)).toBe("0/3 done, 1 overdue");
  });

  it("count due today as not overdue, and yesterday as overdue", () => {
    expect(isOverdue({ status: "open", dueDate: "2026-11-23" }, "2026-11-23")).toBe(false);
    expect(isOverdue({ status: "open", dueDate: "2026-11-22" }, "2026-11-23")).toBe(true);
    expect(isOverdue({ status: "done", dueDate: "2026-11-22" }, "2026-11-23")).toBe(false);
  });

  it("give completion figures by team", () => {
    const { facilitator, owner, incident, whyId } = analysed();
    const a = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    const b = createAction(facilitator, incident.id, whyId, actionFields(owner.id));
    createAction(facilitator, incident.id, whyId, actionFields(facilitator.id, { dueDate: "2020-01-01" }));
    changeActionStatus(owner, a.id, "done");
    changeActionStatus(owner, b.id, "wont_do", "Not needed");
    const [all, sre, web] = completionFigures(facilitator);
    expect(all).toMatchObject({ team: "All teams", total: 3, done: 1, wontDo: 1, open: 1, overdue: 1, completionRate: 0.5 });
    expect(sre).toMatchObject({ team: "SRE", total: 1, overdue: 1, completionRate: null, medianDaysToDone: null });
    expect(web.team).toBe("Web");
    expect(web.medianDaysToDone).toBeGreaterThanOrEqual(0);
  });
});
