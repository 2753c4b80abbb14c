// The deploy gate: its rules case by case on plain facts (gate.ts), then the same rules read from
// the database (gate.server.ts): policies, exceptions and their history, and what each caller may
// read of a restricted incident.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { startOfDayIn } from "~/lib/time";
import { createAction } from "~/models/action.server";
import { EVERYONE, type Audience } from "~/models/authorization";
import { Conflict, Forbidden, Invalid, NotFound, StateConflict } from "~/models/errors";
import {
  decide,
  decisionComment,
  describeReason,
  formatRepositoryServices,
  heldServices,
  holdLine,
  holdsOf,
  parseRepositoryServices,
  remedyText,
  policyFor,
  RESTRICTED_INCIDENT,
  serviceOfRepository,
  type GateExceptionRow,
  type GateIncident,
  type GatePolicy,
} from "~/models/gate";
import {
  createPolicy,
  decideGate,
  deletePolicy,
  endGateException,
  grantGateException,
  incidentGate,
  listPolicies,
  setRepositoryServices,
  updatePolicy,
} from "~/models/gate.server";
import { listEvents } from "~/models/history.server";
import { getIncident } from "~/models/incident.server";
import { gatePolicyInput } from "~/models/inputs";
import { updateSettings } from "~/models/settings.server";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import { caught, freshDatabase, fullScans, recordQueries } from "./helpers";
import { renderPage, type RouteModule } from "./render";

const APP = "https://hindsight.example.com";
const STARTED = "2026-10-06T12:00:00.000Z";
const hoursAfter = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000);

const ADMIN = { id: 1, role: "admin" } as const;
const FACILITATOR = { id: 2, role: "member" } as const;
const PARTICIPANT = { id: 3, role: "member" } as const;
const OUTSIDER = { id: 4, role: "member" } as const;

function policy(overrides: Partial<GatePolicy> = {}): GatePolicy {
  return { id: 1, service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true, version: 1, ...overrides };
}

function incident(overrides: Partial<GateIncident> = {}): GateIncident {
  return {
    id: 7,
    title: "Checkout down",
    severity: "SEV2",
    status: "analysis",
    startedAt: STARTED,
    services: ["checkout"],
    visibility: "org",
    facilitatorId: FACILITATOR.id,
    participantIds: [PARTICIPANT.id],
    overdueP1: { count: 0, since: null },
    exceptions: [],
    ...overrides,
  };
}

function exception(overrides: Partial<GateExceptionRow> = {}): GateExceptionRow {
  return {
    id: 1,
    reason: "The fix for this incident must ship",
    grantedByName: "Avery",
    createdAt: hoursAfter(STARTED, 50).toISOString(),
    expiresAt: hoursAfter(STARTED, 54).toISOString(),
    endedAt: null,
    ...overrides,
  };
}

function decideAt(hours: number, incidents: GateIncident[], options: { policy?: GatePolicy | null; viewer?: Audience; service?: string } = {}) {
  return decide({
    viewer: options.viewer ?? ADMIN,
    service: options.service ?? "checkout",
    policy: options.policy === undefined ? policy() : options.policy,
    incidents,
    now: hoursAfter(STARTED, hours),
    appUrl: APP,
  });
}

describe("the gate's rules", () => {
  it("is open when no policy applies", () => {
    const decision = decideAt(100, [incident()], { policy: null });
    expect(decision).toMatchObject({ service: "checkout", open: true, policy: null, reasons: [] });
  });

  it("holds for incidents at or above the policy's severity, not below", () => {
    for (const [severity, held] of [["SEV1", true], ["SEV2", true], ["SEV3", false], ["SEV4", false]] as const) {
      expect(decideAt(49, [incident({ severity })]).open, severity).toBe(!held);
    }
    expect(decideAt(49, [incident({ severity: "SEV2" })], { policy: policy({ minSeverity: "SEV1" }) }).open).toBe(true);
    expect(decideAt(49, [incident({ severity: "SEV4" })], { policy: policy({ minSeverity: "SEV4" }) }).open).toBe(false);
  });

  it("holds once the analysis is that many hours late, since the deadline", () => {
    expect(decideAt(47.99, [incident()]).open).toBe(true);
    const held = decideAt(48, [incident()]);
    expect(held.open).toBe(false);
    expect(held.reasons).toEqual([
      expect.objectContaining({ why: "analysis-overdue", hours: 48, since: "2026-10-08T12:00:00.000Z", holding: true, exception: null }),
    ]);
    expect(held.checkedAt).toBe("2026-10-08T12:00:00.000Z");
    // No deadline in the policy: an unpublished analysis is no reason.
    expect(decideAt(1000, [incident()], { policy: policy({ analysisHours: null }) }).open).toBe(true);
  });

  it("counts an analysis as published once the incident is published or closed, whatever else", () => {
    for (const status of ["draft", "analysis", "review"] as const) expect(decideAt(100, [incident({ status })]).open, status).toBe(false);
    for (const status of ["published", "closed"] as const) expect(decideAt(100, [incident({ status })]).open, status).toBe(true);
  });

  it("holds while P1 actions are overdue, whatever the analysis", () => {
    const overdue = { count: 2, since: "2026-10-20T00:00:00.000Z" };
    const held = decideAt(400, [incident({ status: "published", overdueP1: overdue })]);
    expect(held.open).toBe(false);
    expect(held.reasons).toEqual([expect.objectContaining({ why: "overdue-p1-actions", count: 2, since: overdue.since, holding: true })]);
    expect(decideAt(400, [incident({ status: "published", overdueP1: overdue })], { policy: policy({ holdOnOverdueP1: false }) }).open).toBe(true);
    // Both at once: one reason each.
    expect(decideAt(400, [incident({ overdueP1: overdue })]).reasons.map((r) => r.why)).toEqual(["analysis-overdue", "overdue-p1-actions"]);
  });

  it("lets an incident through while an exception is in force, and lists it as not holding", () => {
    const open = decideAt(51, [incident({ exceptions: [exception()] })]);
    expect(open.open).toBe(true);
    expect(open.reasons).toEqual([
      expect.objectContaining({
        holding: false,
        exception: { grantedBy: "Avery", until: "2026-10-08T18:00:00.000Z", reason: "The fix for this incident must ship" },
      }),
    ]);
    // Before it was granted, once it expired, once it was ended: the incident holds.
    expect(decideAt(49, [incident({ exceptions: [exception()] })]).open).toBe(false);
    expect(decideAt(54, [incident({ exceptions: [exception()] })]).open).toBe(false);
    const ended = exception({ endedAt: hoursAfter(STARTED, 52).toISOString() });
    expect(decideAt(51.5, [incident({ exceptions: [ended] })]).open).toBe(true);
    expect(decideAt(52, [incident({ exceptions: [ended] })]).open).toBe(false);
  });

  it("holds for any incident holding, even when another is let through", () => {
    const decision = decideAt(51, [incident({ exceptions: [exception()] }), incident({ id: 8, title: "Payments slow" })]);
    expect(decision.open).toBe(false);
    expect(decision.reasons.map((r) => [r.label, r.holding])).toEqual([
      ["INC-8: Payments slow", true],
      ["INC-7: Checkout down", false],
    ]);
  });

  it("looks only at incidents listing the service under a service's policy, at every incident under the policy for all", () => {
    const elsewhere = incident({ services: ["search"] });
    const none = incident({ id: 9, services: [] });
    expect(decideAt(49, [elsewhere, none]).open).toBe(true);
    const all = policy({ service: null });
    const held = decideAt(49, [elsewhere, none], { policy: all });
    expect(held.open).toBe(false);
    expect(held.reasons.map((r) => r.label)).toEqual(["INC-7: Checkout down", "INC-9: Checkout down"]);
    expect(held.policy).toMatchObject({ service: null });
  });

  it("gives a service its own policy before the policy for all services", () => {
    const own = policy({ id: 1, service: "checkout" });
    const all = policy({ id: 2, service: null });
    expect(policyFor([all, own], "checkout")).toBe(own);
    expect(policyFor([all, own], "search")).toBe(all);
    expect(policyFor([own], "search")).toBeNull();
  });

  describe("a restricted incident", () => {
    const restricted = incident({ visibility: "restricted", exceptions: [exception()] });
    const other = incident({ id: 8, visibility: "restricted" });

    it("holds deploys whoever asks, and is named only to those who may see it", () => {
      for (const viewer of [ADMIN, FACILITATOR, PARTICIPANT]) {
        const decision = decideAt(51, [restricted, other], { viewer });
        expect(decision.open).toBe(false);
        expect(decision.reasons.find((r) => r.incident?.reference === "INC-7")).toMatchObject({
          label: "INC-7: Checkout down",
          incident: { reference: "INC-7", title: "Checkout down", url: `${APP}/incidents/INC-7` },
          exception: { grantedBy: "Avery", reason: "The fix for this incident must ship" },
        });
      }
      for (const viewer of [OUTSIDER, EVERYONE] as Audience[]) {
        const decision = decideAt(51, [restricted, other], { viewer });
        expect(decision.open).toBe(false);
        expect(decision.reasons).toHaveLength(2);
        for (const reason of decision.reasons) {
          expect(reason.incident).toBeNull();
          expect(reason.label).toBe(RESTRICTED_INCIDENT);
        }
        expect(decision.reasons.find((r) => !r.holding)!.exception).toEqual({ grantedBy: null, until: "2026-10-08T18:00:00.000Z", reason: null });
        expect(JSON.stringify(decision)).not.toMatch(/Checkout down|INC-7|INC-8|Avery|must ship/);
      }
    });

    it("is named in the comment GitHub shows only as a restricted incident", () => {
      const comment = decisionComment(decideAt(51, [restricted, other, incident({ id: 10, title: "Search down" })], { viewer: EVERYONE }));
      expect(comment).toContain("holds deploys of checkout (the policy for checkout)");
      expect(comment).toContain(`INC-10 (Search down), SEV2: its analysis was not published within 2 days of the start, since 2026-10-08 12:00 UTC. ${APP}/incidents/INC-10`);
      expect(comment).toContain(`${RESTRICTED_INCIDENT}, SEV2: its analysis was not published within 2 days of the start; let through until 2026-10-08 18:00 UTC by an exception.`);
      expect(comment).not.toMatch(/Checkout down|INC-7|INC-8|Avery/);
    });
  });

  it("writes the answer for a pipeline in a few lines, cut short with a count of the rest", () => {
    const many = Array.from({ length: 40 }, (_, i) => incident({ id: i + 1, title: `Incident number ${i + 1} with a longish title` }));
    const comment = decisionComment(decideAt(49, many, { viewer: EVERYONE }), 1000);
    expect(comment.length).toBeLessThanOrEqual(1000);
    expect(comment).toMatch(/\n- and \d+ more\.$/);
    expect(decisionComment(decideAt(10, [incident()]))).toBe("Hindsight's deploy gate is open for checkout (the policy for checkout).");
    expect(decisionComment(decideAt(10, [], { policy: null }))).toBe("Hindsight's deploy gate is open for checkout: no policy applies to it.");
    expect(describeReason(decideAt(49, [incident({ overdueP1: { count: 1, since: STARTED } })]).reasons.find((r) => r.why === "overdue-p1-actions")!)).toBe(
      "INC-7 (Checkout down), SEV2: 1 P1 action is overdue, since 2026-10-06 12:00 UTC.",
    );
  });

  it("says which services an incident holds, policy by policy", () => {
    const policies = [policy({ id: 1, service: "checkout" }), policy({ id: 2, service: "payments", minSeverity: "SEV1" }), policy({ id: 3, service: null, analysisHours: 24, holdOnOverdueP1: false })];
    const holds = holdsOf(policies, incident({ services: ["checkout", "payments"], overdueP1: { count: 1, since: STARTED } }), hoursAfter(STARTED, 49));
    expect(holds.map((h) => h.policy.id)).toEqual([1, 3]);
    expect(heldServices(holds)).toBe("checkout, and of every service without a policy of its own");
    expect(holds.map(holdLine)).toEqual([
      "checkout (SEV2 and above): its analysis was not published within 2 days of the start; 1 P1 action is overdue.",
      "Every service without a policy of its own (SEV2 and above): its analysis was not published within 24 hours of the start.",
    ]);
    expect(heldServices(holdsOf([policy({ service: "a" }), policy({ id: 2, service: "b" })], incident({ services: ["a", "b"] }), hoursAfter(STARTED, 49)))).toBe("a and b");
    expect(remedyText(holds)).toBe("The gate opens by itself once its analysis is published and its overdue P1 actions are done.");
    expect(remedyText(holdsOf([policy({ analysisHours: null })], incident({ overdueP1: { count: 1, since: STARTED } }), hoursAfter(STARTED, 49)))).toBe(
      "The gate opens by itself once its overdue P1 actions are done.",
    );
  });

  it("maps a repository to the service of its name unless an admin mapped it", () => {
    expect(serviceOfRepository({ fullName: "acme/Checkout", name: "Checkout" }, {})).toBe("checkout");
    expect(serviceOfRepository({ fullName: "Acme/Storefront", name: "Storefront" }, { "acme/storefront": "checkout" })).toBe("checkout");
    const parsed = parseRepositoryServices("acme/storefront = checkout\n\n Acme/Pay.API: Payments API \n");
    expect(parsed).toEqual({ mapping: { "acme/storefront": "checkout", "acme/pay.api": "payments-api" } });
    expect(formatRepositoryServices((parsed as { mapping: Record<string, string> }).mapping)).toBe("acme/pay.api = payments-api\nacme/storefront = checkout");
    expect(parseRepositoryServices("acme/storefront checkout")).toEqual({ error: expect.stringContaining("Line 1: write it as owner/repository = service") });
    expect(parseRepositoryServices("a/b = x\nA/B = y")).toEqual({ error: "Line 2: A/B is mapped twice." });
    expect(parseRepositoryServices("a/b = x, y")).toEqual({ error: expect.stringContaining("Line 1") });
    expect(parseRepositoryServices(Array.from({ length: 201 }, (_, i) => `a/r${i} = s`).join("\n"))).toEqual({ error: expect.stringContaining("at most 200") });
  });

  it("reads a policy form: one service or none, a reason to hold, whole hours within the limit", () => {
    expect(gatePolicyInput.parse({ service: " Checkout API ", minSeverity: "SEV1", analysisHours: 72, holdOnOverdueP1: false })).toEqual({
      service: "checkout-api",
      minSeverity: "SEV1",
      analysisHours: 72,
      holdOnOverdueP1: false,
    });
    expect(gatePolicyInput.parse({ service: "", minSeverity: "SEV2" })).toMatchObject({ service: null, analysisHours: null, holdOnOverdueP1: true });
    const refused = (input: Record<string, unknown>) => gatePolicyInput.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(refused({ service: "a, b", minSeverity: "SEV2" })).toEqual(["service: One service per policy: add another policy for the next one."]);
    expect(refused({ minSeverity: "SEV2", analysisHours: null, holdOnOverdueP1: false })).toEqual([
      "analysisHours: Give the analysis a deadline, or hold on overdue P1 actions: a policy without either holds nothing.",
    ]);
    expect(refused({ minSeverity: "SEV2", analysisHours: 721 })).toEqual(["analysisHours: At most 720 hours (30 days)."]);
    expect(refused({ minSeverity: "SEV2", analysisHours: 1.5 })).toEqual(["analysisHours: Enter whole hours."]);
  });
});

describe("the gate, read from the database", () => {
  const NOW = new Date("2026-10-10T12:00:00.000Z");

  beforeEach(async () => {
    await freshDatabase();
  });

  async function people() {
    const admin = await createUser({ role: "admin", name: "Casey" });
    const facilitator = await createUser({ name: "Avery" });
    const participant = await createUser({ name: "Blake" });
    const outsider = await createUser({ name: "Drew" });
    return { admin, facilitator, participant, outsider };
  }

  it("holds a service for an incident listing it whose analysis is late, until it is published", async () => {
    const { admin, facilitator } = await people();
    await createPolicy(admin, { service: "checkout", minSeverity: "SEV2", analysisHours: 72, holdOnOverdueP1: true });
    const incident = await createIncident(facilitator, { services: ["checkout", "web"], startedAt: "2026-10-06T12:00:00.000Z", summaryMd: "What happened." });
    await createIncident(facilitator, { title: "Search slow", services: ["search"], startedAt: "2026-10-01T12:00:00.000Z" });
    const held = await decideGate(admin, "Checkout", NOW);
    expect(held).toMatchObject({ service: "checkout", open: false, policy: { service: "checkout", analysisHours: 72 } });
    expect(held.reasons).toEqual([
      expect.objectContaining({ label: `${incident.reference}: Website down`, why: "analysis-overdue", since: "2026-10-09T12:00:00.000Z", holding: true }),
    ]);
    expect((await decideGate(admin, "web", NOW)).open).toBe(true);
    expect((await decideGate(admin, "checkout", new Date("2026-10-09T11:59:59.000Z"))).open).toBe(true);
    // Published (or closed): the analysis is out.
    await db().update(schema.incidents).set({ status: "published" }).where(eq(schema.incidents.id, incident.id)).run();
    expect((await decideGate(admin, "checkout", NOW)).open).toBe(true);
  });

  it("holds for overdue P1 actions from the day after their due date, in the time zone of due dates", async () => {
    const { admin, facilitator, participant } = await people();
    await updateSettings(admin, { timeZone: "Europe/Berlin" });
    await createPolicy(admin, { service: null, minSeverity: "SEV2", analysisHours: null, holdOnOverdueP1: true });
    const incident = await createIncident(facilitator, { services: [] });
    await createAction(facilitator, incident.id, null, actionFields(participant.id, { priority: "P1", dueDate: "2026-10-08" }));
    await createAction(facilitator, incident.id, null, actionFields(participant.id, { priority: "P1", dueDate: "2026-10-09" }));
    await createAction(facilitator, incident.id, null, actionFields(participant.id, { priority: "P2", dueDate: "2026-10-01" }));
    await createAction(facilitator, incident.id, null, actionFields(participant.id, { priority: "P1", dueDate: "2026-10-10" }));
    const held = await decideGate(EVERYONE, "anything", NOW);
    expect(held.reasons).toEqual([expect.objectContaining({ why: "overdue-p1-actions", count: 2, since: startOfDayIn("Europe/Berlin", "2026-10-09") })]);
    expect(startOfDayIn("Europe/Berlin", "2026-10-09")).toBe("2026-10-08T22:00:00.000Z");
    expect((await decideGate(EVERYONE, "anything", new Date("2026-10-08T21:59:00.000Z"))).open).toBe(true);
    const p1s = await db().select().from(schema.actions).where(eq(schema.actions.priority, "P1")).all();
    for (const a of p1s) await db().update(schema.actions).set({ status: "done" }).where(eq(schema.actions.id, a.id)).run();
    expect((await decideGate(EVERYONE, "anything", NOW)).open).toBe(true);
  });

  it("answers a member, an admin and nobody in particular each as they may read a restricted incident", async () => {
    const { admin, facilitator, participant, outsider } = await people();
    await createPolicy(admin, { service: "checkout", minSeverity: "SEV1", analysisHours: 24, holdOnOverdueP1: false });
    const secret = await createIncident(facilitator, { title: "Card data exposed", severity: "SEV1", services: ["checkout"], visibility: "restricted" });
    await db().insert(schema.participants).values({ incidentId: secret.id, userId: participant.id }).run();
    for (const viewer of [admin, facilitator, participant]) {
      const decision = await decideGate(viewer, "checkout", NOW);
      expect(decision.open).toBe(false);
      expect(decision.reasons[0].incident).toMatchObject({ reference: secret.reference, title: "Card data exposed" });
    }
    for (const viewer of [outsider, EVERYONE] as const) {
      const decision = await decideGate(viewer, "checkout", NOW);
      expect(decision.open).toBe(false);
      expect(decision.reasons[0]).toMatchObject({ incident: null, label: RESTRICTED_INCIDENT, severity: "SEV1" });
      expect(JSON.stringify(decision)).not.toContain("Card data");
    }
  });

  it("reads only the incidents that may break the policy, through indexes", async () => {
    const { admin, facilitator } = await people();
    await createPolicy(admin, { service: null, minSeverity: "SEV3", analysisHours: 48, holdOnOverdueP1: true });
    for (let i = 0; i < 5; i++) await createIncident(facilitator, { title: `Incident ${i}` });
    const { result, queries } = await recordQueries(() => decideGate(admin, "web", NOW));
    expect(result.reasons).toHaveLength(5);
    for (const query of queries) expect(fullScans(query), query.sql).toEqual([]);
  });

  it("refuses a service that is not one name", async () => {
    expect(await caught(() => decideGate(EVERYONE, " , "))).toBeInstanceOf(Invalid);
    expect(await caught(() => decideGate(EVERYONE, "a, b"))).toBeInstanceOf(Invalid);
    expect(await caught(() => decideGate(EVERYONE, "x".repeat(61)))).toBeInstanceOf(Invalid);
  });

  describe("exceptions", () => {
    async function holding() {
      const cast = await people();
      await createPolicy(cast.admin, { service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true });
      const incident = await createIncident(cast.facilitator, { services: ["checkout"] });
      await db().insert(schema.participants).values({ incidentId: incident.id, userId: cast.participant.id }).run();
      return { ...cast, incident: await getIncident(cast.admin, incident.id) };
    }

    it("are granted by the facilitator or an admin, open the gate until they expire, and are recorded in the history", async () => {
      const { admin, facilitator, participant, outsider, incident } = await holding();
      expect(await caught(() => grantGateException(participant, incident.id, { reason: "Hotfix", hours: 4 }, NOW))).toBeInstanceOf(Forbidden);
      expect(await caught(() => grantGateException(outsider, incident.id, { reason: "Hotfix", hours: 4 }, NOW))).toBeInstanceOf(Forbidden);
      const granted = await grantGateException(facilitator, incident.id, { reason: "The fix for the outage must ship", hours: 4 }, NOW);
      expect(granted).toMatchObject({ grantedByName: "Avery", createdAt: NOW.toISOString(), expiresAt: "2026-10-10T16:00:00.000Z", endedAt: null });
      const during = await decideGate(participant, "checkout", new Date("2026-10-10T13:00:00.000Z"));
      expect(during.open).toBe(true);
      expect(during.reasons[0]).toMatchObject({ holding: false, exception: { grantedBy: "Avery", until: "2026-10-10T16:00:00.000Z", reason: "The fix for the outage must ship" } });
      expect((await decideGate(participant, "checkout", new Date("2026-10-10T16:00:00.000Z"))).open).toBe(false);
      const events = await listEvents(admin, incident.id);
      expect(events[0]).toMatchObject({ kind: "gate.exception-granted", actorName: "Avery", summary: "Let deploys through the gate until 10 Oct 2026, 16:00 UTC: The fix for the outage must ship" });
      // Another while it is in force is refused; so is one for 100 hours.
      expect(await caught(() => grantGateException(admin, incident.id, { reason: "Again", hours: 4 }, NOW))).toBeInstanceOf(StateConflict);
      expect(await caught(() => grantGateException(admin, incident.id, { reason: "Long", hours: 100 }, NOW))).toBeInstanceOf(Invalid);
    });

    it("are ended early by the same people, and the gate holds again", async () => {
      const { admin, facilitator, participant, incident } = await holding();
      const granted = await grantGateException(admin, incident.id, { reason: "Hotfix", hours: 24 }, NOW);
      expect(await caught(() => endGateException(participant, incident.id, granted.id, NOW))).toBeInstanceOf(Forbidden);
      expect(await caught(() => endGateException(facilitator, incident.id + 1, granted.id, NOW))).toBeInstanceOf(NotFound);
      const later = new Date("2026-10-10T14:00:00.000Z");
      await endGateException(facilitator, incident.id, granted.id, later);
      expect((await decideGate(admin, "checkout", later)).open).toBe(false);
      expect(await caught(() => endGateException(facilitator, incident.id, granted.id, later))).toBeInstanceOf(StateConflict);
      const stored = await db().select().from(schema.gateExceptions).where(eq(schema.gateExceptions.id, granted.id)).get();
      expect(stored).toMatchObject({ endedAt: later.toISOString(), endedById: facilitator.id });
      expect((await listEvents(admin, incident.id))[0]).toMatchObject({ kind: "gate.exception-ended", actorName: "Avery" });
      // Ended, another may be granted.
      await grantGateException(facilitator, incident.id, { reason: "Second hotfix", hours: 1 }, later);
    });

    it("are refused for an incident that holds no deploys", async () => {
      const { admin, facilitator, incident } = await holding();
      const calm = await createIncident(facilitator, { services: ["docs"] });
      expect(await caught(() => grantGateException(admin, calm.id, { reason: "Hotfix", hours: 1 }, NOW))).toMatchObject({
        message: `${calm.reference} holds no deploys now: there is nothing to let through.`,
      });
      expect(await caught(() => grantGateException(admin, incident.id, { reason: "Too early", hours: 1 }, new Date("2026-10-06T14:02:00.000Z")))).toBeInstanceOf(StateConflict);
    });

    it("are limited per incident", async () => {
      const { admin, incident } = await holding();
      const rows = Array.from({ length: 50 }, (_, i) => ({ incidentId: incident.id, reason: `r${i}`, grantedById: admin.id, createdAt: "2026-10-09T00:00:00.000Z", expiresAt: "2026-10-09T01:00:00.000Z" }));
      await db().insert(schema.gateExceptions).values(rows).run();
      expect(await caught(() => grantGateException(admin, incident.id, { reason: "One more", hours: 1 }, NOW))).toMatchObject({ kind: "limit-reached" });
    });
  });

  it("shows an incident's holds and its exception in one statement", async () => {
    const { admin, facilitator, participant } = await people();
    await createPolicy(admin, { service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true });
    await createPolicy(admin, { service: null, minSeverity: "SEV1", analysisHours: 24, holdOnOverdueP1: false });
    const created = await createIncident(facilitator, { services: ["checkout"] });
    await createAction(facilitator, created.id, null, actionFields(participant.id, { priority: "P1", dueDate: "2026-10-08" }));
    const incident = await getIncident(admin, created.id);
    const { result, queries } = await recordQueries(() => incidentGate(incident, NOW));
    expect(queries).toHaveLength(1);
    expect(result.exception).toBeNull();
    expect(result.holds.map(holdLine)).toEqual(["checkout (SEV2 and above): its analysis was not published within 2 days of the start; 1 P1 action is overdue."]);
    await grantGateException(admin, created.id, { reason: "Hotfix", hours: 1 }, NOW);
    expect((await incidentGate(incident, NOW)).exception).toMatchObject({ reason: "Hotfix", grantedByName: "Casey" });
  });

  describe("policies", () => {
    it("are kept by admins: one per service and one for all services", async () => {
      const { admin, facilitator } = await people();
      expect(await caught(() => createPolicy(facilitator, { service: null, minSeverity: "SEV1", analysisHours: 24, holdOnOverdueP1: true }))).toBeInstanceOf(Forbidden);
      const all = await createPolicy(admin, { service: null, minSeverity: "SEV1", analysisHours: 24, holdOnOverdueP1: true });
      const checkout = await createPolicy(admin, { service: "checkout", minSeverity: "SEV2", analysisHours: null, holdOnOverdueP1: true });
      expect(await caught(() => createPolicy(admin, { service: null, minSeverity: "SEV3", analysisHours: 1, holdOnOverdueP1: true }))).toMatchObject({
        kind: "state-conflict",
        field: "service",
        message: "There is already a policy for all services: edit it instead.",
      });
      expect(await caught(() => createPolicy(admin, { service: "checkout", minSeverity: "SEV3", analysisHours: 1, holdOnOverdueP1: true }))).toMatchObject({
        message: "checkout already has a policy: edit it instead.",
      });
      expect((await listPolicies(admin)).map((p) => p.service)).toEqual([null, "checkout"]);
      expect(await caught(() => listPolicies(facilitator))).toBeInstanceOf(Forbidden);
      expect(all.version).toBe(1);
      expect(checkout.analysisHours).toBeNull();
    });

    it("are edited on the version that was read: a stale edit is refused with the stored rules", async () => {
      const { admin } = await people();
      const created = await createPolicy(admin, { service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true });
      const edited = await updatePolicy(admin, created.id, 1, { minSeverity: "SEV1", analysisHours: 24, holdOnOverdueP1: false });
      expect(edited).toMatchObject({ minSeverity: "SEV1", analysisHours: 24, holdOnOverdueP1: false, version: 2, service: "checkout" });
      const stale = await caught(() => updatePolicy(admin, created.id, 1, { minSeverity: "SEV3", analysisHours: 1, holdOnOverdueP1: true }));
      expect(stale).toBeInstanceOf(Conflict);
      expect((stale as Conflict).current).toEqual({ minSeverity: "SEV1", analysisHours: "24", holdOnOverdueP1: "", version: "2" });
      await deletePolicy(admin, created.id);
      expect(await caught(() => deletePolicy(admin, created.id))).toBeInstanceOf(NotFound);
      expect(await caught(() => updatePolicy(admin, created.id, 2, edited))).toBeInstanceOf(NotFound);
    });

    it("are limited in number", async () => {
      const { admin } = await people();
      const rows = Array.from({ length: 200 }, (_, i) => ({ service: `s${i}`, minSeverity: "SEV2" as const, analysisHours: 1, createdById: admin.id }));
      await db().insert(schema.gatePolicies).values(rows).run();
      expect(await caught(() => createPolicy(admin, { service: "one-more", minSeverity: "SEV2", analysisHours: 1, holdOnOverdueP1: true }))).toMatchObject({ kind: "limit-reached" });
    });
  });

  it("keeps the repository mapping an admin typed, or refuses it with the line to correct", async () => {
    const { admin, facilitator } = await people();
    expect(await setRepositoryServices(admin, "acme/storefront = checkout")).toEqual({ "acme/storefront": "checkout" });
    expect(await caught(() => setRepositoryServices(admin, "nonsense"))).toMatchObject({ kind: "invalid", field: "repositories" });
    expect(await caught(() => setRepositoryServices(facilitator as never, "a/b = c"))).toBeInstanceOf(Forbidden);
  });

  describe("on the incident page", () => {
    const page = (userId: number, reference: string) =>
      renderPage(userId, `/incidents/${reference}`, [
        { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
        { pattern: "", module: incidentPage as unknown as RouteModule, index: true },
      ]);

    it("says that the incident holds deploys, since when and why; only its facilitator and admins get the form to let them through", async () => {
      const { admin, facilitator, participant } = await people();
      await createPolicy(admin, { service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true });
      const incident = await createIncident(facilitator, { services: ["checkout"], startedAt: "2026-10-06T12:00:00.000Z" });
      await db().insert(schema.participants).values({ incidentId: incident.id, userId: participant.id }).run();
      const read = await page(participant.id, incident.reference);
      // The text as read: React marks where one text node ends and the next begins.
      const text = read.html.replace(/<!-- -->/g, "");
      expect(text).toContain("Holding deploys");
      expect(text).toContain("This incident is holding deploys of <strong>checkout</strong> since 8 Oct 2026, 12:00 UTC.");
      expect(text).toContain("checkout (SEV2 and above): its analysis was not published within 2 days of the start.");
      expect(read.html).not.toContain("grant-gate-exception");
      const led = await page(facilitator.id, incident.reference);
      expect(led.html).toMatch(/name="intent" value="grant-gate-exception"/);
      await grantGateException(facilitator, incident.id, { reason: "Ship the fix", hours: 72 });
      const excepted = await page(participant.id, incident.reference);
      expect(excepted.html).toContain("Deploys let through the gate");
      expect(excepted.html).not.toContain("end-gate-exception");
      expect((await page(admin.id, incident.reference)).html).toMatch(/name="intent" value="end-gate-exception"/);
      // No policy broken, no notice.
      const calm = await createIncident(facilitator, { services: ["docs"] });
      expect((await page(facilitator.id, calm.reference)).html).not.toContain("deploy-gate");
    });
  });
});
