import { and, asc, count, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { db, rowOf, schema, type Tx } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { dateIn, formatTime, startOfDayIn } from "~/lib/time";
import type { Audience, Viewer } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { recordEvent } from "./audit.server";
import { Conflict, Invalid, LimitReached, NotFound, StateConflict } from "./errors";
import {
  decide,
  exceptionInForce,
  GATE_LIMITS,
  holdsOf,
  parseRepositoryServices,
  policyFor,
  policyValues,
  severitiesFrom,
  type GateDecision,
  type GateExceptionRow,
  type GateIncident,
  type GatePolicy,
  type IncidentHold,
} from "./gate";
import { parseServices, type Severity, type Status, type Visibility } from "./incident";
import { requireIncident } from "./incident.server";
import type { GateExceptionGrant, GatePolicyInput } from "./inputs";
import { FIELD_LIMITS } from "./limits";
import { getSettings, updateSettings } from "./settings.server";
import type { User } from "./user.server";
import { jsonArrayOf, jsonTuple, timestampText } from "./sql/index.server";

// The deploy gate's reads and changes: the policies (admins), the exceptions (an incident's
// facilitator or an admin, recorded in its history), and the decision for a service, which the
// rules in gate.ts make from what is read here. docs/decisions/0030-deploy-gate.md

const { actions, gateExceptions, gatePolicies, incidents, incidentServices, users } = schema;

/** Statuses whose analysis is not published yet. */
const UNPUBLISHED: Status[] = ["draft", "analysis", "review"];
/** Statuses of an unfinished action. */
const UNFINISHED = ["open", "in_progress"] as const;

function toPolicy(row: typeof gatePolicies.$inferSelect): GatePolicy {
  return {
    id: row.id,
    service: row.service,
    minSeverity: row.minSeverity,
    analysisHours: row.analysisHours,
    holdOnOverdueP1: row.holdOnOverdueP1,
    version: row.version,
  };
}

/** A service named as incidents name theirs ("Checkout API" → "checkout-api"); one, or a refusal. */
export function serviceName(service: string): string {
  const names = parseServices(service);
  if (names.length !== 1) throw new Invalid("Name one service, e.g. checkout.", "service");
  if (names[0].length > FIELD_LIMITS.service) throw new Invalid(`A service name is at most ${FIELD_LIMITS.service} characters.`, "service");
  return names[0];
}

/** When the first of these overdue due dates became overdue: the start of the next day, in the time zone of due dates. */
function overdueSince(timeZone: string, earliestDue: string | null): string | null {
  if (!earliestDue) return null;
  const next = new Date(`${earliestDue}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return startOfDayIn(timeZone, next.toISOString().slice(0, 10));
}

type ExceptionTuple = [number, string, string, string, string, string | null];

function exceptionRows(json: string | null): GateExceptionRow[] {
  return (JSON.parse(json ?? "[]") as ExceptionTuple[]).map(([id, reason, grantedByName, createdAt, expiresAt, endedAt]) => ({
    id,
    reason,
    grantedByName,
    createdAt,
    expiresAt,
    endedAt,
  }));
}

/** An incident's exceptions that have not expired or ended by `at`, with who granted them, as one JSON value. */
function exceptionsJson(incidentId: unknown, at: string) {
  return sql<string>`(select ${jsonArrayOf(jsonTuple(sql`e.id`, sql`e.reason`, sql`u.name`, timestampText(sql`e.created_at`), timestampText(sql`e.expires_at`), timestampText(sql`e.ended_at`)))}
    from gate_exceptions e join users u on u.id = e.granted_by_id
    where e.incident_id = ${incidentId} and e.ended_at is null and e.expires_at > ${at})`;
}

/**
 * The incidents that may break `policy` for `service` at `now`, with what the rules read of
 * them. Only candidates are read: unpublished ones past the deadline (by status and start) and
 * ones with overdue P1 actions (by priority and due date), at the policy's severities.
 */
async function incidentsBreaking(policy: GatePolicy, service: string, now: Date): Promise<GateIncident[]> {
  const { timeZone } = await getSettings();
  const today = dateIn(timeZone, now);
  const at = now.toISOString();
  const candidates = [];
  if (policy.analysisHours !== null) {
    const cutoff = new Date(now.getTime() - policy.analysisHours * 3_600_000).toISOString();
    candidates.push(
      inArray(incidents.id, db().select({ id: incidents.id }).from(incidents).where(and(inArray(incidents.status, UNPUBLISHED), lte(incidents.startedAt, cutoff)))),
    );
  }
  if (policy.holdOnOverdueP1) {
    candidates.push(
      inArray(
        incidents.id,
        db()
          .select({ id: actions.incidentId })
          .from(actions)
          .where(and(eq(actions.priority, "P1"), lt(actions.dueDate, today), inArray(actions.status, [...UNFINISHED]))),
      ),
    );
  }
  if (candidates.length === 0) return [];
  const rows = await db()
    .select({
      id: incidents.id,
      title: incidents.title,
      severity: incidents.severity,
      status: incidents.status,
      visibility: incidents.visibility,
      startedAt: incidents.startedAt,
      facilitatorId: incidents.facilitatorId,
      participantIds: sql<string>`(select ${jsonArrayOf(sql`p.user_id`)} from participants p where p.incident_id = incidents.id)`,
      services: sql<string>`(select ${jsonArrayOf(sql`s.service`)} from incident_services s where s.incident_id = incidents.id)`,
      overdueP1: sql<string>`(select ${jsonTuple(sql`count(*)`, sql`min(a.due_date)`)} from actions a
        where a.incident_id = incidents.id and a.priority = 'P1' and a.status in ('open', 'in_progress') and a.due_date < ${today})`,
      exceptions: exceptionsJson(sql`incidents.id`, at),
    })
    .from(incidents)
    .where(
      and(
        inArray(incidents.severity, severitiesFrom(policy.minSeverity)),
        policy.service === null
          ? undefined
          : inArray(incidents.id, db().select({ id: incidentServices.incidentId }).from(incidentServices).where(eq(incidentServices.service, service))),
        or(...candidates),
      ),
    )
    .orderBy(asc(incidents.id))
    .all();
  return rows.map((row) => {
    const [p1Count, earliestDue] = JSON.parse(row.overdueP1) as [number, string | null];
    return {
      ...row,
      participantIds: JSON.parse(row.participantIds) as number[],
      services: JSON.parse(row.services) as string[],
      overdueP1: { count: p1Count, since: overdueSince(timeZone, earliestDue) },
      exceptions: exceptionRows(row.exceptions),
    };
  });
}

/**
 * Whether deploys of `service` may go ahead at `now`, and why not, as `viewer` may read it (a
 * person, or EVERYONE for callers that are no one in particular, like GitHub). The policy is the
 * service's own or the one for all services; with none, the gate is open.
 */
export async function decideGate(viewer: Audience, service: string, now: Date = new Date()): Promise<GateDecision> {
  const name = serviceName(service);
  const rows = await db()
    .select()
    .from(gatePolicies)
    .where(or(eq(gatePolicies.service, name), isNull(gatePolicies.service)))
    .all();
  const policy = policyFor(rows.map(toPolicy), name);
  const found = policy ? await incidentsBreaking(policy, name, now) : [];
  return decide({ viewer, service: name, policy, incidents: found, now, appUrl: env().APP_URL });
}

// --- One incident and the gate -----------------------------------------------------------------

export type IncidentGate = {
  /** Each policy the incident breaks, and how; empty when it holds nothing. */
  holds: IncidentHold[];
  /** The exception letting deploys through despite it, if one is in force. */
  exception: GateExceptionRow | null;
};

type IncidentGateRow = { policies: string; p1Due: string; exceptions: string | null; timeZone: string | null };

/**
 * What the incident does to the gate at `now`: the policies it breaks, and the exception in
 * force. One statement (the incident page is read often): every policy, the due dates of the
 * incident's unfinished P1 actions, its exceptions not yet over, and the time zone of due dates.
 */
export async function incidentGate(
  incident: { id: number; title: string; severity: Severity; status: Status; startedAt: string; services: readonly string[]; visibility: Visibility; facilitatorId: number; participantIds: readonly number[] },
  now: Date = new Date(),
  tx: Tx = db(),
): Promise<IncidentGate> {
  const at = now.toISOString();
  const row = (await rowOf<IncidentGateRow>(
    tx,
    sql`select
      (select ${jsonArrayOf(jsonTuple(sql`id`, sql`service`, sql`min_severity`, sql`analysis_hours`, sql`hold_on_overdue_p1`, sql`version`))} from gate_policies) as policies,
      (select ${jsonArrayOf(sql`due_date`)} from actions where incident_id = ${incident.id} and priority = 'P1' and status in ('open', 'in_progress')) as "p1Due",
      ${exceptionsJson(incident.id, at)} as exceptions,
      (select value from settings where key = 'timeZone') as "timeZone"`,
  ))!;
  const policies = (JSON.parse(row.policies) as [number, string | null, Severity, number | null, number | boolean, number][]).map(
    ([id, service, minSeverity, analysisHours, holdOnOverdueP1, version]): GatePolicy => ({ id, service, minSeverity, analysisHours, holdOnOverdueP1: Boolean(holdOnOverdueP1), version }),
  );
  const timeZone = row.timeZone ? (JSON.parse(row.timeZone) as string) : "UTC";
  const today = dateIn(timeZone, now);
  const overdue = (JSON.parse(row.p1Due) as string[]).filter((due) => due < today).sort();
  const facts: GateIncident = {
    ...incident,
    overdueP1: { count: overdue.length, since: overdueSince(timeZone, overdue[0] ?? null) },
    exceptions: exceptionRows(row.exceptions),
  };
  return { holds: holdsOf(policies, facts, now), exception: exceptionInForce(facts.exceptions, now) };
}

/**
 * Lets deploys through the gate despite the incident for `hours`, with the reason; its
 * facilitator or an admin, while it holds deploys and no other exception is in force. Recorded in
 * the incident's history.
 */
export async function grantGateException(actor: Viewer, incidentId: number, grant: GateExceptionGrant, now: Date = new Date()): Promise<GateExceptionRow> {
  if (grant.hours > GATE_LIMITS.exceptionHours) throw new Invalid(`An exception lasts at most ${GATE_LIMITS.exceptionHours} hours.`, "hours");
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "manage");
    const gate = await incidentGate(incident, now, tx);
    if (gate.exception) {
      throw new StateConflict(`Deploys are already let through until ${formatTime(gate.exception.expiresAt)}. End that exception first to grant another.`);
    }
    if (gate.holds.length === 0) throw new StateConflict(`${incident.reference} holds no deploys now: there is nothing to let through.`);
    const granted = (await tx.select({ n: count() }).from(gateExceptions).where(eq(gateExceptions.incidentId, incidentId)).get())?.n ?? 0;
    if (granted >= GATE_LIMITS.exceptionsPerIncident) {
      throw new LimitReached(
        `${incident.reference} has been let through the gate ${GATE_LIMITS.exceptionsPerIncident} times already. Publish its analysis or finish its P1 actions instead, or ask an admin to change the policy.`,
      );
    }
    const expiresAt = new Date(now.getTime() + grant.hours * 3_600_000).toISOString();
    const row = await tx
      .insert(gateExceptions)
      .values({ incidentId, reason: grant.reason, grantedById: actor.id, createdAt: now.toISOString(), expiresAt })
      .returning()
      .get();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "gate.exception-granted",
      summary: `Let deploys through the gate until ${formatTime(expiresAt)}: ${grant.reason}`,
      changes: { gateException: [null, { until: expiresAt, reason: grant.reason }] },
    });
    const grantedBy = (await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.id)).get())?.name ?? "";
    return { id: row.id, reason: row.reason, grantedByName: grantedBy, createdAt: row.createdAt, expiresAt: row.expiresAt, endedAt: null };
  });
}

/** Ends an exception before it expires: the incident holds deploys again. The same people as grant one. */
export async function endGateException(actor: Viewer, incidentId: number, exceptionId: number, now: Date = new Date()): Promise<void> {
  await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "manage");
    const exception = await tx
      .select()
      .from(gateExceptions)
      .where(and(eq(gateExceptions.id, exceptionId), eq(gateExceptions.incidentId, incidentId)))
      .get();
    if (!exception) throw new NotFound("gate exception");
    const at = now.toISOString();
    if (exception.endedAt !== null || exception.expiresAt <= at) throw new StateConflict("This exception is already over.");
    await tx.update(gateExceptions).set({ endedAt: at, endedById: actor.id }).where(eq(gateExceptions.id, exceptionId)).run();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "gate.exception-ended",
      summary: `Ended the deploy-gate exception early; it ran until ${formatTime(exception.expiresAt)}`,
      changes: { gateException: [{ until: exception.expiresAt, reason: exception.reason }, null] },
    });
  });
}

// --- Policies (admins) -------------------------------------------------------------------------

/** Every policy, the one for all services first, then by service. */
export async function listPolicies(actor: Viewer): Promise<GatePolicy[]> {
  assertAdmin(actor);
  const rows = await db().select().from(gatePolicies).orderBy(sql`${gatePolicies.service} is not null`, asc(gatePolicies.service)).all();
  return rows.map(toPolicy);
}

/** Adds a policy for a service, or the one for all services; one each. */
export async function createPolicy(actor: Viewer, fields: GatePolicyInput): Promise<GatePolicy> {
  assertAdmin(actor, "Only an administrator can change the deploy gate.");
  return await db().transaction(async (tx) => {
    const existing = await tx.select({ n: count() }).from(gatePolicies).get();
    if ((existing?.n ?? 0) >= GATE_LIMITS.policies) {
      throw new LimitReached(`The gate holds at most ${GATE_LIMITS.policies} policies. Let the policy for all services cover the services that need no rule of their own.`);
    }
    const same = await tx
      .select({ id: gatePolicies.id })
      .from(gatePolicies)
      .where(fields.service === null ? isNull(gatePolicies.service) : eq(gatePolicies.service, fields.service))
      .get();
    if (same) {
      throw new StateConflict(fields.service === null ? "There is already a policy for all services: edit it instead." : `${fields.service} already has a policy: edit it instead.`, "service");
    }
    const row = await tx
      .insert(gatePolicies)
      .values({ ...fields, createdById: actor.id })
      .returning()
      .get();
    return toPolicy(row);
  });
}

/** Changes a policy's rules if nobody saved it in between (`baseVersion`); otherwise a conflict showing the stored rules. */
export async function updatePolicy(
  actor: Viewer,
  policyId: number,
  baseVersion: number,
  rules: Pick<GatePolicy, "minSeverity" | "analysisHours" | "holdOnOverdueP1">,
): Promise<GatePolicy> {
  assertAdmin(actor, "Only an administrator can change the deploy gate.");
  return await db().transaction(async (tx) => {
    const current = await tx.select().from(gatePolicies).where(eq(gatePolicies.id, policyId)).get();
    if (!current) throw new NotFound("gate policy", "That policy no longer exists.");
    if (current.version !== baseVersion) throw new Conflict(policyValues(toPolicy(current)));
    const row = await tx
      .update(gatePolicies)
      .set({ ...rules, version: baseVersion + 1, updatedAt: new Date().toISOString() })
      .where(and(eq(gatePolicies.id, policyId), eq(gatePolicies.version, baseVersion)))
      .returning()
      .get();
    return toPolicy(row!);
  });
}

export async function deletePolicy(actor: Viewer, policyId: number): Promise<GatePolicy> {
  assertAdmin(actor, "Only an administrator can change the deploy gate.");
  const row = await db().delete(gatePolicies).where(eq(gatePolicies.id, policyId)).returning().get();
  if (!row) throw new NotFound("gate policy", "That policy no longer exists.");
  return toPolicy(row);
}

// --- Repositories ------------------------------------------------------------------------------

/** Repositories whose deploys are of a service named otherwise ("acme/storefront" → "checkout"). */
export async function repositoryServices(): Promise<Record<string, string>> {
  return (await getSettings()).gateRepositories;
}

/** The repository mapping, for the administrators who keep it. */
export async function repositoryServicesFor(actor: Viewer): Promise<Record<string, string>> {
  assertAdmin(actor);
  return await repositoryServices();
}

/** Replaces the repository mapping with the one typed, or refuses it with the line to correct. */
export async function setRepositoryServices(actor: User, text: string): Promise<Record<string, string>> {
  assertAdmin(actor, "Only an administrator can change the deploy gate.");
  const parsed = parseRepositoryServices(text);
  if ("error" in parsed) throw new Invalid(parsed.error, "repositories");
  return (await updateSettings(actor, { gateRepositories: parsed.mapping })).gateRepositories;
}
