import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, createIncident, createUser, type WhySpec } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import type { Viewer } from "~/models/authorization";
import { changeActionStatus, completionFigures, createAction } from "~/models/action.server";
import { renameCategory } from "~/models/category.server";
import type { IncidentFields } from "~/models/incident.server";
import { setPeople } from "~/models/incident.server";
import { INCIDENTS_PER_CAUSE, insightsFor, MAX_MONTHS, resolvePeriod } from "~/models/insights.server";
import { freshDatabase } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

// A fixed "now", so the default period and overdue do not depend on the day the tests run.
const NOW = new Date("2026-11-24T12:00:00Z");
const YEAR_2026 = { from: "2026-01-01", to: "2026-12-31" };

function whysIn(...categories: string[]): WhySpec[] {
  return categories.map((category, i) => ({ question: `Why ${i}?`, answer: `Because ${i}`, category }));
}

async function incidentOn(actor: Viewer, startedAt: string, overrides: Partial<IncidentFields> & { facilitatorId?: number } = {}) {
  const start = new Date(startedAt);
  const minutes = (m: number) => new Date(start.getTime() + m * 60_000).toISOString();
  return await createIncident(actor, { startedAt: start.toISOString(), detectedAt: minutes(5), resolvedAt: minutes(60), ...overrides });
}

async function setActionTimes(id: number, times: { createdAt?: string; completedAt?: string }) {
  await db().update(schema.actions).set(times).where(eq(schema.actions.id, id)).run();
}

describe("the Pareto of cause categories", () => {
  it("counts whys per category, most first, with the cumulative share and the incidents they appear in", async () => {
    const facilitator = await createUser();
    const first = await incidentOn(facilitator, "2026-03-02T10:00:00Z");
    const second = await incidentOn(facilitator, "2026-04-02T10:00:00Z");
    await addWhyTree(facilitator, first.id, whysIn("config", "config", "testing", ""));
    await addWhyTree(facilitator, second.id, whysIn("config", "testing", "capacity", ""));

    const { causes, whyCount } = await insightsFor(facilitator, YEAR_2026, NOW);
    expect(causes.bars.map((b) => [b.label, b.whys, b.incidents])).toEqual([
      ["Configuration", 3, 2],
      ["Testing gap", 2, 2],
      ["Capacity", 1, 1],
    ]);
    expect(causes.bars.map((b) => Number((b.cumulative * 100).toFixed(1)))).toEqual([50, 83.3, 100]);
    expect(causes.bars[0].share).toBe(0.5);
    expect(causes.categorised).toBe(6);
    expect(causes.uncategorised).toBe(2);
    expect(whyCount).toBe(8);
  });

  it("labels categories as the admins named them", async () => {
    const admin = await createUser({ role: "admin" });
    const incident = await incidentOn(admin, "2026-03-02T10:00:00Z");
    await addWhyTree(admin, incident.id, whysIn("config"));
    await renameCategory(admin, "config", "Configuration drift");
    expect((await insightsFor(admin, YEAR_2026, NOW)).causes.bars[0]).toMatchObject({ slug: "config", label: "Configuration drift" });
  });

  it("has no bars when nothing is categorised", async () => {
    const facilitator = await createUser();
    await addWhyTree(facilitator, (await incidentOn(facilitator, "2026-03-02T10:00:00Z")).id, whysIn("", ""));
    const { causes } = await insightsFor(facilitator, YEAR_2026, NOW);
    expect(causes).toEqual({ bars: [], categorised: 0, uncategorised: 2 });
  });
});

describe("incidents per month", () => {
  it("lists every month of the period, zero where nothing happened, by severity", async () => {
    const facilitator = await createUser();
    await incidentOn(facilitator, "2026-02-10T10:00:00Z", { severity: "SEV1" });
    await incidentOn(facilitator, "2026-02-20T10:00:00Z", { severity: "SEV3" });
    await incidentOn(facilitator, "2026-05-31T23:59:00Z", { severity: "SEV3" });
    await incidentOn(facilitator, "2026-07-01T00:00:00Z", { severity: "SEV2" }); // after the period

    const insights = await insightsFor(facilitator, { from: "2026-01-01", to: "2026-06-30" }, NOW);
    expect(insights.severityByMonth.map((m) => [m.month, m.total])).toEqual([
      ["2026-01", 0],
      ["2026-02", 2],
      ["2026-03", 0],
      ["2026-04", 0],
      ["2026-05", 1],
      ["2026-06", 0],
    ]);
    expect(insights.severityByMonth[1].counts).toEqual({ SEV1: 1, SEV2: 0, SEV3: 1, SEV4: 0 });
    expect(insights.incidentCount).toBe(3);
  });

  it("covers the last twelve months up to today unless told otherwise", async () => {
    const facilitator = await createUser();
    await incidentOn(facilitator, "2025-11-30T10:00:00Z"); // the month before the period
    await incidentOn(facilitator, "2025-12-01T00:00:00Z");
    await incidentOn(facilitator, "2026-11-24T08:00:00Z");
    const { period, incidentCount, severityByMonth } = await insightsFor(facilitator, {}, NOW);
    expect(period.from).toBe("2025-12-01");
    expect(period.to).toBe("2026-11-24");
    expect(period.months).toHaveLength(12);
    expect(severityByMonth[0].month).toBe("2025-12");
    expect(severityByMonth[11].month).toBe("2026-11");
    expect(incidentCount).toBe(2);
  });

  it("swaps dates given the wrong way round and cuts periods that are too long", () => {
    expect(resolvePeriod({ from: "2026-06-30", to: "2026-01-01" }, "2026-11-24")).toMatchObject({
      period: { from: "2026-01-01", to: "2026-06-30" },
      notices: ["The start date was after the end date, so the two were swapped."],
    });
    const long = resolvePeriod({ from: "1990-01-01", to: "2026-11-24" }, "2026-11-24");
    expect(long.period.months).toHaveLength(MAX_MONTHS);
    expect(long.period.from).toBe("2016-12-01");
    expect(long.notices).toHaveLength(1);
    expect(resolvePeriod({ from: "2026-02-30", to: "nonsense" }, "2026-11-24").period).toMatchObject({ from: "2025-12-01", to: "2026-11-24" });
  });
});

describe("time to detect and to resolve", () => {
  it("takes the median per month and over the period, and leaves months without times empty", async () => {
    const facilitator = await createUser();
    const at = async (start: string, detect: number, resolve: number | null) => {
      const t = new Date(start).getTime();
      await createIncident(facilitator, {
        startedAt: start,
        detectedAt: new Date(t + detect * 60_000).toISOString(),
        resolvedAt: resolve === null ? null : new Date(t + resolve * 60_000).toISOString(),
      });
    };
    // March: three incidents (odd count), April: two (even count), May: none, June: no times.
    await at("2026-03-01T10:00:00.000Z", 5, 60);
    await at("2026-03-02T10:00:00.000Z", 30, 240);
    await at("2026-03-03T10:00:00.000Z", 10, 90);
    await at("2026-04-01T10:00:00.000Z", 4, 100);
    await at("2026-04-02T10:00:00.000Z", 8, null);
    await createIncident(facilitator, { startedAt: "2026-06-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });

    const { times } = await insightsFor(facilitator, { from: "2026-03-01", to: "2026-06-30" }, NOW);
    expect(times.byMonth).toEqual([
      { month: "2026-03", detectMinutes: 10, resolveMinutes: 90, detected: 3, resolved: 3 },
      { month: "2026-04", detectMinutes: 6, resolveMinutes: 100, detected: 2, resolved: 1 },
      { month: "2026-05", detectMinutes: null, resolveMinutes: null, detected: 0, resolved: 0 },
      { month: "2026-06", detectMinutes: null, resolveMinutes: null, detected: 0, resolved: 0 },
    ]);
    // Over the period: detect 4, 5, 8, 10, 30 → 8; resolve 60, 90, 100, 240 → 95.
    expect(times.detectMinutes).toBe(8);
    expect(times.resolveMinutes).toBe(95);
  });
});

describe("action completion", () => {
  it("is done ÷ (done + won't do), with the median days to done and the overdue count, as on the actions summary", async () => {
    const facilitator = await createUser();
    const incident = await incidentOn(facilitator, "2026-09-01T10:00:00Z");
    const march = await incidentOn(facilitator, "2026-03-01T10:00:00Z");
    const add = (incidentId: number, dueDate = "2026-12-31") => createAction(facilitator, incidentId, null, actionFields(facilitator.id, { dueDate }));
    const done = [await add(incident.id), await add(incident.id), await add(march.id)];
    const dropped = await add(incident.id);
    await add(incident.id, "2026-11-01"); // open and overdue
    await add(incident.id, "2026-11-24"); // due today: not overdue yet
    for (const a of done) await changeActionStatus(facilitator, a.id, "done");
    await changeActionStatus(facilitator, dropped.id, "wont_do", "Superseded");
    await db().update(schema.actions).set({ createdAt: "2026-11-20T09:00:00.000Z" }).run();
    // 2, 4 and 9 days from creation to done: the median is 4.
    for (const [i, days] of [2, 4, 9].entries()) {
      await setActionTimes(done[i].id, { createdAt: "2026-09-01T00:00:00.000Z", completedAt: new Date(Date.parse("2026-09-01T00:00:00Z") + days * 86_400_000).toISOString() });
    }

    const { actions } = await insightsFor(facilitator, YEAR_2026, NOW);
    expect(actions).toMatchObject({ total: 6, done: 3, wontDo: 1, open: 2, overdue: 1, doneShare: 0.5, doneRatherThanDropped: 0.75, medianDaysToDone: 4 });
    const summary = (await completionFigures(facilitator, NOW))[0];
    expect([actions.doneShare, actions.doneRatherThanDropped, actions.medianDaysToDone, actions.overdue]).toEqual([summary.doneShare, summary.doneRatherThanDropped, summary.medianDaysToDone, summary.overdue]);
    // By the month each action was created: the three done ones in September, the others in November.
    const byMonth = Object.fromEntries(actions.byMonth.map((m) => [m.month, m]));
    expect(byMonth["2026-09"]).toMatchObject({ total: 3, done: 3, wontDo: 0, doneShare: 1, doneRatherThanDropped: 1 });
    expect(byMonth["2026-11"]).toMatchObject({ total: 3, done: 0, wontDo: 1, doneShare: 0, doneRatherThanDropped: 0 });
    expect(byMonth["2026-01"]).toMatchObject({ total: 0, doneShare: null, doneRatherThanDropped: null });
    // Actions created after the period still count, in months of their own.
    const spring = (await insightsFor(facilitator, { from: "2026-03-01", to: "2026-03-31" }, NOW)).actions;
    expect(spring).toMatchObject({ total: 1, done: 1, doneShare: 1, doneRatherThanDropped: 1, medianDaysToDone: 9 });
    expect(spring.byMonth.map((m) => [m.month, m.total])).toEqual([
      ["2026-03", 0],
      ["2026-04", 0],
      ["2026-05", 0],
      ["2026-06", 0],
      ["2026-07", 0],
      ["2026-08", 0],
      ["2026-09", 1],
    ]);
  });

  it("has no rate or median while nothing is finished", async () => {
    const facilitator = await createUser();
    const incident = await incidentOn(facilitator, "2026-09-01T10:00:00Z");
    await createAction(facilitator, incident.id, null, actionFields(facilitator.id));
    expect((await insightsFor(facilitator, YEAR_2026, NOW)).actions).toMatchObject({ total: 1, doneShare: 0, doneRatherThanDropped: null, medianDaysToDone: null });
  });
});

describe("filters", () => {
  it("keep the incidents of a team (facilitator or participant), of a service, and of the period", async () => {
    const platform = await createUser({ team: "Platform" });
    const payments = await createUser({ team: "Payments" });
    const mobile = await createUser({ team: "Mobile" });
    const byPlatform = await incidentOn(platform, "2026-03-01T10:00:00Z", { services: ["api"] });
    const byPayments = await incidentOn(payments, "2026-04-01T10:00:00Z", { services: ["billing", "api"] });
    const joined = await incidentOn(mobile, "2026-05-01T10:00:00Z", { services: ["app"] });
    await setPeople(mobile, joined.id, mobile.id, [payments.id]);
    await incidentOn(payments, "2025-05-01T10:00:00Z", { services: ["billing"] });
    const admin = await createUser({ role: "admin" });
    for (const i of [byPlatform, byPayments, joined]) await addWhyTree(admin, i.id, whysIn("config"));

    const count = async (filters: object) => (await insightsFor(platform, { ...YEAR_2026, ...filters }, NOW)).incidentCount;
    expect(await count({})).toBe(3);
    expect(await count({ team: "Platform" })).toBe(1);
    expect(await count({ team: "Payments" })).toBe(2); // facilitated one, took part in another
    expect(await count({ team: "Mobile" })).toBe(1);
    expect(await count({ team: "Nobody" })).toBe(0);
    expect(await count({ service: "api" })).toBe(2);
    expect(await count({ service: "api", team: "Payments" })).toBe(1);
    expect(await count({ from: "2026-04-01", to: "2026-04-30" })).toBe(1);
    expect(await count({ from: "2025-01-01", to: "2026-12-31", service: "billing" })).toBe(2);
    expect((await insightsFor(platform, { ...YEAR_2026, team: "Payments" }, NOW)).causes.bars[0]).toMatchObject({ whys: 2, incidents: 2 });
  });

  it("count restricted incidents only for admins and the people involved", async () => {
    const facilitator = await createUser();
    const participant = await createUser();
    const outsider = await createUser();
    const admin = await createUser({ role: "admin" });
    const open = await incidentOn(facilitator, "2026-03-01T10:00:00Z", { severity: "SEV3" });
    const secret = await incidentOn(facilitator, "2026-03-05T10:00:00Z", { visibility: "restricted", severity: "SEV1" });
    await setPeople(facilitator, secret.id, facilitator.id, [participant.id]);
    await addWhyTree(facilitator, open.id, whysIn("config"));
    await addWhyTree(facilitator, secret.id, whysIn("config", "testing"));
    await createAction(facilitator, secret.id, null, actionFields(participant.id));

    const seenBy = (viewer: Viewer) => insightsFor(viewer, YEAR_2026, NOW);
    expect(await seenBy(outsider)).toMatchObject({ incidentCount: 1, whyCount: 1, actions: { total: 0 } });
    expect((await seenBy(outsider)).severityByMonth[2].counts.SEV1).toBe(0);
    expect((await seenBy(outsider)).recurring).toEqual([]);
    for (const insider of [admin, facilitator, participant]) {
      expect(await seenBy(insider)).toMatchObject({ incidentCount: 2, whyCount: 3, actions: { total: 1 } });
    }
    expect((await seenBy(admin)).recurring.map((r) => r.slug)).toEqual(["config"]);
  });
});

describe("recurring causes", () => {
  it("lists the categories found in more than one incident, with those incidents, most recent first", async () => {
    const facilitator = await createUser();
    const older = await incidentOn(facilitator, "2026-02-01T10:00:00Z", { title: "Older" });
    const newer = await incidentOn(facilitator, "2026-06-01T10:00:00Z", { title: "Newer" });
    const middle = await incidentOn(facilitator, "2026-04-01T10:00:00Z", { title: "Middle" });
    await addWhyTree(facilitator, older.id, whysIn("config", "config", "capacity"));
    await addWhyTree(facilitator, newer.id, whysIn("config", "testing"));
    await addWhyTree(facilitator, middle.id, whysIn("config", "testing", "testing", "testing"));

    const { recurring } = await insightsFor(facilitator, YEAR_2026, NOW);
    expect(recurring.map((r) => [r.label, r.incidentCount, r.whyCount])).toEqual([
      ["Configuration", 3, 4],
      ["Testing gap", 2, 4],
    ]);
    expect(recurring[0].incidents.map((i) => [i.reference, i.title])).toEqual([
      [`INC-${newer.id}`, "Newer"],
      [`INC-${middle.id}`, "Middle"],
      [`INC-${older.id}`, "Older"],
    ]);
  });

  it(`lists at most ${INCIDENTS_PER_CAUSE} incidents under a cause`, async () => {
    const facilitator = await createUser();
    for (let day = 1; day <= INCIDENTS_PER_CAUSE + 2; day++) {
      const incident = await incidentOn(facilitator, `2026-03-${String(day).padStart(2, "0")}T10:00:00Z`);
      await addWhyTree(facilitator, incident.id, whysIn("dependency"));
    }
    const [cause] = (await insightsFor(facilitator, YEAR_2026, NOW)).recurring;
    expect(cause.incidentCount).toBe(INCIDENTS_PER_CAUSE + 2);
    expect(cause.incidents).toHaveLength(INCIDENTS_PER_CAUSE);
    expect(cause.incidents[0].startedAt).toBe("2026-03-10T10:00:00.000Z");
  });
});
