import { and, asc, count, desc, eq, exists, getTableColumns, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { Conflict, Forbidden, Invalid, NotFound, PublishBlocked, StateConflict } from "./errors";
import { renderMarkdown } from "~/lib/markdown.server";
import { toInputValue } from "~/lib/time";
import { canContribute, canManage, canView, canWidenAudience, isInvolved, viewableByEveryone, type IncidentPeople, type Viewer } from "./authorization";
import { viewableBy } from "./authorization.server";
import { isFinished } from "./action";
import { checkUncheckedWhys, openFindingsOf, overflowingFindingsOf } from "./blame.server";
import { diff, recordEvent } from "./audit.server";
import {
  FIELD_LABELS,
  STATUS_LABELS,
  TRANSITIONS,
  reference,
  timeProblems,
  type Severity,
  type Status,
  type Visibility,
} from "./incident";
import { boundedCount, COUNT_LIMIT, keysetOf, keysetPage, PAGE_SIZE, type Cursors, type Keyset } from "./paging";
import { LIMITS } from "./limits";
import { assertWithinLimit } from "./limits.server";
import { recordPublication } from "./snapshot.server";
import { publishProblems, type PublishProblem } from "./why-tree";
import { personName } from "./user.server";
import { notify, type Notice } from "./notification.server";
import { isFalse, joined, jsonArrayOf, jsonTuple } from "./sql/index.server";

const { actions, actionFinished, incidents, incidentServices, participants, users, whys } = schema;

export type IncidentFields = {
  title: string;
  severity: Severity;
  startedAt: string;
  detectedAt: string | null;
  resolvedAt: string | null;
  services: string[];
  impactMd: string;
  summaryMd: string;
  visibility: Visibility;
};

export type Person = { id: number; name: string; email: string; team: string };

export type Incident = typeof incidents.$inferSelect & {
  reference: string;
  services: string[];
  facilitator: Person;
  participants: Person[];
  participantIds: number[];
  publishedByName: string | null;
};


// One statement for the incident and its people and services: every incident page starts here.
// Column names are written out in the subqueries: drizzle leaves them unqualified when a query
// reads one table, and there "id" would mean the subquery's own.
const incidentWithPeople = prepared((d) =>
  d
    .select({
      ...getTableColumns(incidents),
      people: sql<string>`(select ${jsonArrayOf(jsonTuple(sql`u.id`, sql`u.name`, sql`u.email`, sql`u.team`))} from users u
        where u.id in (select p.user_id from participants p where p.incident_id = incidents.id)
          or u.id = incidents.facilitator_id or u.id = incidents.published_by_id)`.as("people"),
      participantIds: sql<string>`(select ${jsonArrayOf(sql`p.user_id`)} from participants p where p.incident_id = incidents.id)`.as("participant_ids"),
      services: sql<string>`(select ${jsonArrayOf(sql`service`)} from (select s.service from incident_services s where s.incident_id = incidents.id order by s.service) as ordered)`.as("services"),
    })
    .from(incidents)
    .where(eq(incidents.id, sql.placeholder("id")))
    .prepare(),
);

async function loadIncident(id: number): Promise<Incident | undefined> {
  const found = await incidentWithPeople().get({ id });
  if (!found) return undefined;
  const { people, participantIds: participantJson, services, ...row } = found;
  const byId = new Map(
    (JSON.parse(people) as [number, string, string, string][]).map(([pid, name, email, team]) => [pid, { id: pid, name, email, team }]),
  );
  const participantIds = JSON.parse(participantJson) as number[];
  return {
    ...row,
    reference: reference(row.id),
    services: JSON.parse(services) as string[],
    facilitator: byId.get(row.facilitatorId)!,
    participants: participantIds.map((pid) => byId.get(pid)!).sort((a, b) => a.name.localeCompare(b.name)),
    participantIds,
    publishedByName: row.publishedById ? (byId.get(row.publishedById)?.name ?? null) : null,
  };
}

export type Need = "view" | "contribute" | "manage";

/**
 * The incident if the user may do `need` with it. Someone who may not even see it gets a 404,
 * exactly as if it did not exist; someone who may see it but not act gets a 403.
 */
export async function requireIncident(user: Viewer, id: number, need: Need = "view"): Promise<Incident> {
  const incident = await loadIncident(id);
  if (!incident || !canView(user, incident)) throw new NotFound("incident");
  if (need === "contribute" && !canContribute(user, incident)) {
    throw new Forbidden("Only the facilitator, participants and admins can change this incident.");
  }
  if (need === "manage" && !canManage(user, incident)) {
    throw new Forbidden("Only the facilitator or an admin can do this.");
  }
  return incident;
}

export async function getIncident(user: Viewer, id: number): Promise<Incident> {
  return requireIncident(user, id, "view");
}

/** SQL that keeps only incidents listing this service or tag. */
export function withService(service: string): SQL {
  // An IN list rather than EXISTS: the planner may then start from the service's incidents.
  return inArray(incidents.id, db().select({ id: incidentServices.incidentId }).from(incidentServices).where(eq(incidentServices.service, service)));
}

export type IncidentFilters = Keyset & {
  status?: Status;
  severity?: Severity;
  service?: string;
};

export type IncidentListItem = {
  id: number;
  reference: string;
  title: string;
  severity: Severity;
  status: Status;
  visibility: Visibility;
  startedAt: string;
  facilitatorName: string;
  services: string[];
};

export type IncidentPage = Cursors & {
  items: IncidentListItem[];
  /** How many match, up to COUNT_LIMIT; `capped` when there are more. */
  total: number;
  capped: boolean;
};

/**
 * A page of the incidents the user may see, newest first. Pages follow one another by keyset
 * (started, id), so every page costs the same however far back it is.
 */
export async function listIncidents(user: Viewer, filters: IncidentFilters): Promise<IncidentPage> {
  const where = and(
    viewableBy(user),
    filters.status ? eq(incidents.status, filters.status) : undefined,
    filters.severity ? eq(incidents.severity, filters.severity) : undefined,
    filters.service ? withService(filters.service) : undefined,
  );
  const { cursor, backwards } = keysetOf(filters);
  // Only an incident the user may see is a cursor: one they may not is no incident at all, or
  // the page read from it would tell when it started.
  const from = cursor
    ? sql`(${incidents.startedAt}, ${incidents.id}) ${sql.raw(backwards ? ">" : "<")} (select c.started_at, c.id from incidents c where c.id = ${cursor} and ${viewableBy(user, "c") ?? sql`true`})`
    : undefined;
  const order = backwards ? [asc(incidents.startedAt), asc(incidents.id)] : [desc(incidents.startedAt), desc(incidents.id)];
  // The page's ids first, from the indexes; the columns shown only for those.
  const page = db()
    .select({ id: sql<number>`${incidents.id}`.as("page_id"), startedAt: sql<string>`${incidents.startedAt}`.as("page_started_at") })
    .from(incidents)
    .where(and(where, from))
    .orderBy(...order)
    .limit(PAGE_SIZE + 1)
    .as("page");
  const rows = await db()
    .select({
      id: incidents.id,
      title: incidents.title,
      severity: incidents.severity,
      status: incidents.status,
      visibility: incidents.visibility,
      startedAt: incidents.startedAt,
      facilitatorName: users.name,
      services: sql<string | null>`(select ${joined(sql`s.service`, ",")} from incident_services s where s.incident_id = incidents.id)`,
    })
    .from(page)
    .innerJoin(incidents, eq(incidents.id, page.id))
    .innerJoin(users, eq(users.id, incidents.facilitatorId))
    // Ordered by the page's own columns, so the page drives the join.
    .orderBy(...(backwards ? [asc(page.startedAt), asc(page.id)] : [desc(page.startedAt), desc(page.id)]))
    .all();
  const { shown, newer, older } = keysetPage(rows, PAGE_SIZE, filters, (r) => r.id);
  const counted = (await db()
    .select({ n: count() })
    .from(db().select({ one: sql`1` }).from(incidents).where(where).limit(COUNT_LIMIT + 1).as("matching"))
    .get())?.n ?? 0;
  return {
    items: shown.map((r) => ({ ...r, reference: reference(r.id), services: r.services ? r.services.split(",").sort() : [] })),
    ...boundedCount(counted),
    newer,
    older,
  };
}

/** Services and tags of the incidents the user may see, for filters (a restricted one's would hint at it). */
export async function listServiceNames(user: Viewer): Promise<string[]> {
  const visible = viewableBy(user);
  const names = db().selectDistinct({ service: incidentServices.service }).from(incidentServices).as("names");
  // Per name, the first visible incident with it is enough: cheaper than joining every row.
  const seen = visible
    ? exists(
        db()
          .select({ one: sql`1` })
          .from(incidentServices)
          .innerJoin(incidents, eq(incidents.id, incidentServices.incidentId))
          .where(and(eq(incidentServices.service, names.service), visible)),
      )
    : undefined;
  const rows = await db().select({ service: names.service }).from(names).where(seen).orderBy(asc(names.service)).all();
  return rows.map((r) => r.service);
}

async function assertActiveUsers(tx: Tx, ids: number[], field: string) {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, ids), isNull(users.removedAt)))
    .all();
  if (found.length !== new Set(ids).size) throw new Invalid("Choose people who have an account.", field);
}

function assertTimes(fields: IncidentFields) {
  const problems = timeProblems(fields);
  const [field, message] = Object.entries(problems)[0] ?? [];
  if (field && message) throw new Invalid(message, field);
}

function rendered(fields: IncidentFields) {
  const { services: _services, ...columns } = fields;
  return { ...columns, impactHtml: renderMarkdown(fields.impactMd), summaryHtml: renderMarkdown(fields.summaryMd) };
}

async function replaceServices(tx: Tx, incidentId: number, services: string[]) {
  await tx.delete(incidentServices).where(eq(incidentServices.incidentId, incidentId)).run();
  if (services.length > 0) {
    await tx.insert(incidentServices).values(services.map((service) => ({ incidentId, service }))).run();
  }
}

/** Reports an incident; the reporter takes part in it unless they facilitate it. */
export async function reportIncident(actor: Viewer, fields: IncidentFields & { facilitatorId?: number }): Promise<Incident> {
  assertTimes(fields);
  return await db().transaction(async (tx) => {
    const facilitatorId = fields.facilitatorId ?? actor.id;
    await assertActiveUsers(tx, [facilitatorId], "facilitatorId");
    const row = await tx
      .insert(incidents)
      .values({ ...rendered(fields), facilitatorId, reportedById: actor.id })
      .returning({ id: incidents.id })
      .get();
    await replaceServices(tx, row.id, fields.services);
    if (facilitatorId !== actor.id) await tx.insert(participants).values({ incidentId: row.id, userId: actor.id }).run();
    const eventId = await recordEvent(tx, {
      incident: { id: row.id, publishedAt: null },
      actorId: actor.id,
      kind: "incident.reported",
      summary: `Reported ${reference(row.id)}: ${fields.title}`,
    });
    await notify(tx, actor, { eventId, incidentId: row.id }, [{ to: facilitatorId, news: { kind: "roles", as: "facilitator" } }]);
    return (await loadIncident(row.id))!;
  });
}

/** The incident's editable fields as a form holds them (for prefilling and for conflicts). */
export function fieldValues(incident: Incident) {
  return {
    title: incident.title,
    severity: incident.severity,
    startedAt: toInputValue(incident.startedAt),
    detectedAt: toInputValue(incident.detectedAt),
    resolvedAt: toInputValue(incident.resolvedAt),
    services: incident.services.join(", "),
    impactMd: incident.impactMd,
    summaryMd: incident.summaryMd,
    visibility: incident.visibility,
    version: String(incident.version),
  };
}

/** Saves edited fields if nobody saved in between (`baseVersion`); otherwise a conflict. */
export async function updateIncident(actor: Viewer, id: number, baseVersion: number, fields: IncidentFields): Promise<Incident> {
  assertTimes(fields);
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, id, "contribute");
    if (fields.visibility !== incident.visibility && !canManage(actor, incident)) {
      throw new Forbidden("Only the facilitator or an admin can change who sees this incident.", "visibility");
    }
    if (incident.version !== baseVersion) throw new Conflict(fieldValues(incident));
    const shutOut = await ownersShutOut(tx, id, { ...incident, visibility: fields.visibility });
    if (shutOut.length > 0) {
      throw new StateConflict(`${listNames(shutOut)} ${shutOut.length === 1 ? "owns" : "own"} unfinished actions here without taking part: add them to the participants, or hand those actions to someone who does, before restricting the incident.`, "visibility");
    }
    const changes = diff({ ...incident, services: incident.services } as Record<string, unknown>, {
      ...fields,
      services: [...fields.services].sort(),
    });
    if (Object.keys(changes).length === 0) return incident;
    const updated = await tx
      .update(incidents)
      .set({ ...rendered(fields), version: baseVersion + 1, updatedAt: new Date().toISOString() })
      .where(and(eq(incidents.id, id), eq(incidents.version, baseVersion)))
      .returning({ id: incidents.id })
      .get();
    if (!updated) throw new Conflict(fieldValues((await loadIncident(id))!));
    await replaceServices(tx, id, fields.services);
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "incident.updated",
      summary: `Edited ${Object.keys(changes).map(fieldLabel).join(", ")}`,
      changes,
    });
    return (await loadIncident(id))!;
  });
}

function fieldLabel(field: string) {
  return (FIELD_LABELS[field] ?? field).toLowerCase();
}

const AUDIENCE_REFUSAL = "Only the facilitator or an admin can add people to a restricted incident; choose someone who already takes part.";

/**
 * Refuses to let these people see the incident if they cannot yet and the actor may not widen
 * its audience (canWidenAudience): checked wherever people join an incident.
 */
async function assertMayAdmit(tx: Tx, actor: Viewer, incident: Incident, userIds: number[], field: string) {
  if (canWidenAudience(actor, incident) || userIds.length === 0) return;
  const people = await tx.select({ id: users.id, role: users.role }).from(users).where(inArray(users.id, userIds)).all();
  if (people.some((person) => !canView(person, incident))) throw new Forbidden(AUDIENCE_REFUSAL, field);
}

/**
 * The people the actor may make an action's owner: only those who already see it, unless the
 * actor may widen its audience. An action's `currentOwnerId` stays a choice even once removed
 * ("(removed)"), so saving its other fields never hands it to someone else unasked.
 */
export async function ownerChoices(actor: Viewer, incident: Incident, currentOwnerId?: number): Promise<{ id: number; name: string; team: string }[]> {
  const people = await db()
    .select({ id: users.id, name: personName, team: users.team, role: users.role })
    .from(users)
    .where(currentOwnerId === undefined ? isNull(users.removedAt) : or(isNull(users.removedAt), eq(users.id, currentOwnerId)))
    .orderBy(asc(users.name))
    .all();
  return people
    .filter((person) => canWidenAudience(actor, incident) || canView(person, incident))
    .map(({ role: _role, ...person }) => person);
}

/**
 * The owners of unfinished actions on the incident who could not see it with these people and
 * this visibility: a restricted incident's open work stays with people who see it, so nobody is
 * left owing something they cannot read (and reminded of it).
 */
async function ownersShutOut(tx: Tx, incidentId: number, people: IncidentPeople): Promise<string[]> {
  if (viewableByEveryone(people)) return [];
  const owners = await tx
    .selectDistinct({ id: users.id, role: users.role, name: users.name })
    .from(actions)
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(and(eq(actions.incidentId, incidentId), isFalse(actionFinished(actions.status))))
    .all();
  return owners
    .filter((owner) => !canView(owner, people))
    .map((owner) => owner.name)
    .sort();
}

function listNames(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * Owners of follow-up actions take part in the incident, so they can see what they owe. Returns
 * whether this made them a participant (the caller tells them so).
 */
export async function ensureParticipant(tx: Tx, actor: Viewer, incident: Incident, userId: number): Promise<boolean> {
  if (isInvolved({ id: userId }, incident)) return false;
  await assertMayAdmit(tx, actor, incident, [userId], "ownerId");
  if (1 + incident.participantIds.length >= LIMITS.peoplePerIncident) {
    // Everyone sees an org-wide incident: its owner needs no place among its people to do the work.
    if (viewableByEveryone(incident)) return false;
    assertWithinLimit("peoplePerIncident", 2 + incident.participantIds.length, "ownerId");
  }
  const added = await tx.insert(participants).values({ incidentId: incident.id, userId }).onConflictDoNothing().returning({ userId: participants.userId }).get();
  return Boolean(added);
}

/** Chooses the one facilitator and the participants. */
export async function setPeople(actor: Viewer, id: number, facilitatorId: number, participantIds: number[], baseVersion?: number): Promise<Incident> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, id, "manage");
    if (baseVersion !== undefined && incident.version !== baseVersion) throw new Conflict(fieldValues(incident));
    await assertActiveUsers(tx, [facilitatorId], "facilitatorId");
    const others = [...new Set(participantIds)].filter((p) => p !== facilitatorId);
    // Only growth is refused: an incident already above the limit may keep or shrink its list.
    if (others.length > incident.participantIds.length) assertWithinLimit("peoplePerIncident", 1 + others.length, "participantIds");
    await assertActiveUsers(tx, others, "participantIds");
    await assertMayAdmit(tx, actor, incident, [facilitatorId, ...others], "participantIds");
    const shutOut = await ownersShutOut(tx, id, { visibility: incident.visibility, facilitatorId, participantIds: others });
    if (shutOut.length > 0) {
      throw new StateConflict(`${listNames(shutOut)} still ${shutOut.length === 1 ? "owns" : "own"} unfinished actions here. Hand those actions to someone who stays, or keep ${shutOut.length === 1 ? "them" : "these people"} taking part.`, "participantIds");
    }
    const names = new Map(
      (await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, [facilitatorId, ...others, ...incident.participantIds])).all()).map((u) => [u.id, u.name]),
    );
    const changes = diff(
      { facilitator: incident.facilitator.name, participants: incident.participantIds.map((p) => names.get(p)).sort() },
      { facilitator: names.get(facilitatorId), participants: others.map((p) => names.get(p)).sort() },
    );
    if (Object.keys(changes).length === 0) return incident;
    await tx.update(incidents)
      .set({ facilitatorId, version: incident.version + 1, updatedAt: new Date().toISOString() })
      .where(eq(incidents.id, id))
      .run();
    await tx.delete(participants).where(eq(participants.incidentId, id)).run();
    if (others.length > 0) await tx.insert(participants).values(others.map((userId) => ({ incidentId: id, userId }))).run();
    const eventId = await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "incident.people",
      summary: changes.facilitator
        ? `Made ${names.get(facilitatorId)} the facilitator`
        : "Changed the participants",
      changes,
    });
    // Told: the new facilitator, and whoever takes part who did not before (a facilitator who
    // stays on as a participant is not new to it).
    const notices: Notice[] = [
      ...(facilitatorId !== incident.facilitatorId ? [{ to: facilitatorId, news: { kind: "roles", as: "facilitator" } } as const] : []),
      ...others.filter((p) => !isInvolved({ id: p }, incident)).map((to) => ({ to, news: { kind: "roles", as: "participant" } }) as const),
    ];
    await notify(tx, actor, { eventId, incidentId: id }, notices);
    return (await loadIncident(id))!;
  });
}

/**
 * The edit page's one form: the incident's details (with the version they were based on) and,
 * for the facilitator or an admin, its people, saved together or not at all, so a refusal of one
 * part never loses what was typed in the other. The details go first: changing people moves the
 * version the details were based on.
 */
export async function saveIncident(
  actor: Viewer,
  id: number,
  details: (IncidentFields & { version: number }) | undefined,
  people: { facilitatorId: number; participantIds: number[] } | undefined,
): Promise<void> {
  await db().transaction(async () => {
    if (details) {
      const { version, ...fields } = details;
      await updateIncident(actor, id, version, fields);
    }
    if (people) await setPeople(actor, id, people.facilitatorId, people.participantIds);
  });
}

/** What would stop the incident from being published now, from the findings stored with its whys. */
export async function publishCheck(incident: Incident, tx: Tx = db()): Promise<PublishProblem[]> {
  const rows = await tx.select().from(whys).where(eq(whys.incidentId, incident.id)).all();
  return publishProblems({
    summaryMd: incident.summaryMd,
    resolvedAt: incident.resolvedAt,
    whys: rows,
    actionsByWhy: await actionCountsByWhy(incident.id, tx),
    blame: await openFindingsOf(incident.id, tx),
    overflowingBlame: await overflowingFindingsOf(incident.id),
  });
}

/**
 * Moves the incident along its lifecycle, as its facilitator or an admin; publishing first checks
 * the analysis is complete. `bySessionLead`: the actor drives the incident's live session (the
 * caller has checked, and such a person may build the analysis), and sends what the meeting built
 * for review; that one move is theirs too.
 */
export async function moveIncident(actor: Viewer, id: number, to: Status, options: { bySessionLead?: boolean; baseVersion?: number } = {}): Promise<Incident> {
  // A why saved before findings were stored, and not reached by the start-up check yet, is
  // checked first, and kept checked even when publishing is then refused.
  if (to === "published") while ((await checkUncheckedWhys({ incidentId: id })) > 0);
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, id, options.bySessionLead && to === "review" ? "contribute" : "manage");
    if (options.baseVersion !== undefined && incident.version !== options.baseVersion) throw new Conflict(fieldValues(incident));
    if (!TRANSITIONS[incident.status].includes(to)) {
      throw new StateConflict(`An incident in ${STATUS_LABELS[incident.status].toLowerCase()} cannot move to ${STATUS_LABELS[to].toLowerCase()}.`);
    }
    const now = new Date().toISOString();
    if (to === "published") {
      const problems = await publishCheck(incident, tx);
      if (problems.length > 0) throw new PublishBlocked(problems);
    }
    await tx.update(incidents)
      .set({
        status: to,
        version: incident.version + 1,
        updatedAt: now,
        ...(to === "published" ? { publishedAt: now, publishedById: actor.id } : {}),
      })
      .where(eq(incidents.id, id))
      .run();
    const eventId = await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: to === "published" ? "incident.published" : "incident.moved",
      summary: to === "published" ? "Published the analysis" : `Moved from ${STATUS_LABELS[incident.status]} to ${STATUS_LABELS[to]}`,
      changes: { status: [incident.status, to] },
    });
    if (to === "review" || to === "published") {
      const people = [incident.facilitatorId, ...incident.participantIds];
      await notify(tx, actor, { eventId, incidentId: id }, people.map((person) => ({ to: person, news: { kind: "lifecycle", to } })));
    }
    if (to === "published") {
      await recordPublication(tx, actor, incident, now);
      await syncClosure(tx, actor, id);
    }
    return (await loadIncident(id))!;
  });
}

/**
 * A published incident closes when it has actions and all are done or won't do; a closed one
 * goes back to published when an action is reopened or added.
 */
export async function syncClosure(tx: Tx, actor: Viewer, incidentId: number) {
  const incident = await tx.select({ id: incidents.id, status: incidents.status, publishedAt: incidents.publishedAt, version: incidents.version }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!incident || (incident.status !== "published" && incident.status !== "closed")) return;
  const rows = await tx.select({ status: actions.status }).from(actions).where(eq(actions.incidentId, incidentId)).all();
  const allFinished = rows.length > 0 && rows.every((r) => isFinished(r.status));
  const next = allFinished ? "closed" : "published";
  if (next === incident.status) return;
  await tx.update(incidents)
    .set({ status: next, version: incident.version + 1, updatedAt: new Date().toISOString() })
    .where(eq(incidents.id, incidentId))
    .run();
  await recordEvent(tx, {
    incident,
    actorId: actor.id,
    kind: next === "closed" ? "incident.closed" : "incident.reopened",
    summary: next === "closed" ? "Closed: every follow-up action is done or won't be done" : "Back to published: a follow-up action is open again",
    changes: { status: [incident.status, next] },
  });
}

/** Action counts per why of an incident, for the publish check. */
export async function actionCountsByWhy(incidentId: number, tx: Tx = db()): Promise<Record<number, number>> {
  const rows = await tx
    .select({ whyId: actions.whyId, n: sql<number>`count(*)` })
    .from(actions)
    .where(and(eq(actions.incidentId, incidentId), sql`${actions.whyId} is not null`))
    .groupBy(actions.whyId)
    .all();
  return Object.fromEntries(rows.map((r) => [r.whyId!, r.n]));
}
