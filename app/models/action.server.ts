import { and, asc, count, desc, eq, inArray, isNull, lt, ne, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { db, prepared, schema, type Db, type Tx } from "~/lib/db.server";
import { Conflict, Forbidden, Invalid, NotFound, StateConflict } from "./errors";
import { renderMarkdown } from "~/lib/markdown.server";
import { dateIn, formatDate } from "~/lib/time";
import { canChangeAction, type Viewer } from "./authorization";
import { hiddenFrom, incidentViewableBy, VIEWER, viewerParams } from "./authorization.server";
import {
  ACTION_STATUS_LABELS,
  ALL_TEAMS,
  ACTION_TRANSITIONS,
  defaultDueDate,
  figuresFrom,
  isFinished,
  isOverdue,
  pastDueNotice,
  teamName,
  type ActionFigures,
  type ActionStatus,
  type Priority,
  type StatusTally,
} from "./action";
import { diff, recordEvent } from "./audit.server";
import { reference, type Severity } from "./incident";
import { ensureParticipant, requireIncident, syncClosure, type Incident } from "./incident.server";
import { boundedCount, COUNT_LIMIT, PAGE_SIZE } from "./paging";
import { assertWithinLimit } from "./limits.server";
import { getSettings } from "./settings.server";
import { personName } from "./user.server";
import { notify, type ActionLine, type Notice } from "./notification.server";
import { firstOfEach, idList, inIdList, isFalse, jsonArrayOf, likelyTrue, millisecondsBetween, throughIndex } from "./sql/index.server";

const { actions, incidents, users, whys, actionFinished, actionStatusOrder } = schema;

export type ActionFields = {
  title: string;
  descriptionMd: string;
  ownerId: number;
  /** A calendar date; empty means the default by the due-date policy. */
  dueDate: string;
  priority: Priority;
  trackerUrl: string;
};

/** Today's date where the organisation keeps its calendar (the reminder time zone). */
export async function today(now: Date = new Date()): Promise<string> {
  return dateIn((await getSettings()).timeZone, now);
}

const actionColumns = {
  id: actions.id,
  incidentId: actions.incidentId,
  whyId: actions.whyId,
  title: actions.title,
  descriptionMd: actions.descriptionMd,
  descriptionHtml: actions.descriptionHtml,
  ownerId: actions.ownerId,
  ownerName: personName,
  ownerTeam: users.team,
  dueDate: actions.dueDate,
  priority: actions.priority,
  status: actions.status,
  wontDoReason: actions.wontDoReason,
  trackerUrl: actions.trackerUrl,
  completedAt: actions.completedAt,
  createdAt: actions.createdAt,
  version: actions.version,
};

export type Action = {
  id: number;
  incidentId: number;
  whyId: number | null;
  title: string;
  descriptionMd: string;
  descriptionHtml: string;
  ownerId: number;
  ownerName: string;
  ownerTeam: string;
  dueDate: string;
  priority: Priority;
  status: ActionStatus;
  wontDoReason: string;
  trackerUrl: string;
  completedAt: string | null;
  createdAt: string;
  version: number;
};

async function loadAction(tx: Tx, actionId: number): Promise<Action | undefined> {
  return await tx.select(actionColumns).from(actions).innerJoin(users, eq(users.id, actions.ownerId)).where(eq(actions.id, actionId)).get();
}

/** The incident's actions, oldest first. */
const actionsOfIncident = prepared((d) =>
  d
    .select(actionColumns)
    .from(actions)
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(eq(actions.incidentId, sql.placeholder("incidentId")))
    .orderBy(asc(actions.id))
    .prepare(),
);

export async function listIncidentActions(incidentId: number): Promise<Action[]> {
  return await actionsOfIncident().all({ incidentId });
}

/** The action and its incident, if the user may change it; 404 if they may not even see it. */
async function requireChangeableAction(tx: Tx, actor: Viewer, actionId: number): Promise<{ action: Action; incident: Incident }> {
  const action = await loadAction(tx, actionId);
  if (!action) throw new NotFound("action");
  const incident = await requireIncident(actor, action.incidentId, "view");
  if (!canChangeAction(actor, incident, action)) {
    throw new Forbidden("Only the action's owner, the facilitator and admins can change this action.");
  }
  return { action, incident };
}

/** The action with its incident, and who finished it; 404 for anyone who may not see the incident. */
export async function getAction(viewer: Viewer, actionId: number): Promise<{ action: Action; incident: Incident; completedByName: string | null }> {
  const action = await loadAction(db(), actionId);
  if (!action) throw new NotFound("action");
  const incident = await requireIncident(viewer, action.incidentId, "view");
  const completer = await db()
    .select({ name: personName })
    .from(actions)
    .innerJoin(users, eq(users.id, actions.completedById))
    .where(eq(actions.id, actionId))
    .get();
  return { action, incident, completedByName: completer?.name ?? null };
}

async function assertOwner(tx: Tx, ownerId: number): Promise<void> {
  const owner = await tx.select({ id: users.id }).from(users).where(and(eq(users.id, ownerId), isNull(users.removedAt))).get();
  if (!owner) throw new Invalid("Choose an owner who has an account.", "ownerId");
}

/** The due date the policy gives an action of this priority on an incident of this severity. */
export async function policyDueDate(severity: Severity, priority: Priority, now: Date = new Date()): Promise<string> {
  return defaultDueDate((await getSettings()).duePolicy, severity, priority, await today(now));
}

/**
 * Why a new action's due date needs confirming: a date already past makes it overdue as soon as it
 * is added, so it is pointed out and taken only once confirmed. Editing an action never asks.
 */
export async function pastDueRefusal(dueDate: string, confirmed: boolean): Promise<string | undefined> {
  return confirmed ? undefined : pastDueNotice(dueDate, await today());
}

async function stored(fields: ActionFields, severity: Severity) {
  return {
    ...fields,
    dueDate: fields.dueDate || (await policyDueDate(severity, fields.priority)),
    descriptionHtml: renderMarkdown(fields.descriptionMd),
  };
}

/** Turns a why's remediation into owned, dated work, linked to that why. */
export async function createAction(actor: Viewer, incidentId: number, whyId: number | null, fields: ActionFields): Promise<Action> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const [{ n }] = await tx.select({ n: count() }).from(actions).where(eq(actions.incidentId, incidentId)).all();
    assertWithinLimit("actionsPerIncident", n + 1);
    if (whyId !== null) {
      const why = await tx.select({ id: whys.id }).from(whys).where(and(eq(whys.id, whyId), eq(whys.incidentId, incidentId))).get();
      if (!why) throw new NotFound("action");
    }
    await assertOwner(tx, fields.ownerId);
    const joined = await ensureParticipant(tx, actor, incident, fields.ownerId);
    const { id } = await tx
      .insert(actions)
      .values({ ...(await stored(fields, incident.severity)), incidentId, whyId, createdById: actor.id })
      .returning({ id: actions.id })
      .get();
    const action = (await loadAction(tx, id))!;
    const eventId = await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "action.added",
      actionId: id,
      summary: `Added the action “${fields.title}” for ${action.ownerName}, due ${formatDate(action.dueDate)}`,
    });
    await notify(tx, actor, { eventId, incidentId }, [{ to: action.ownerId, news: { kind: "assigned", actions: [lineOf(action)], joined } }]);
    await syncClosure(tx, actor, incident.id);
    return action;
  });
}

export function actionValues(action: Action) {
  return {
    title: action.title,
    descriptionMd: action.descriptionMd,
    ownerId: String(action.ownerId),
    dueDate: action.dueDate,
    priority: action.priority,
    trackerUrl: action.trackerUrl,
    version: String(action.version),
  };
}

export async function updateAction(actor: Viewer, actionId: number, baseVersion: number, fields: ActionFields): Promise<Action> {
  return await db().transaction((tx) => changeAction(tx, actor, actionId, baseVersion, () => fields));
}

/** What is decided about an action where it is listed: who does it, by when, how urgently. */
export type ActionPlan = Pick<ActionFields, "ownerId" | "dueDate" | "priority">;

/**
 * Changes an action's owner, due date and priority from its incident's page, keeping its title,
 * description and tracker link: the same rules as a whole edit (who may, the version it was based
 * on, an owner who can see the incident). An action of another incident is not found there.
 */
export async function replanAction(actor: Viewer, incidentId: number, actionId: number, baseVersion: number, plan: ActionPlan): Promise<Action> {
  return await db().transaction((tx) =>
    changeAction(tx, actor, actionId, baseVersion, (action) => {
      if (action.incidentId !== incidentId) throw new NotFound("action");
      return { title: action.title, descriptionMd: action.descriptionMd, trackerUrl: action.trackerUrl, ...plan };
    }),
  );
}

/** Saves new fields over the action read at `baseVersion`, if the actor may change it. */
async function changeAction(tx: Tx, actor: Viewer, actionId: number, baseVersion: number, fieldsOf: (action: Action) => ActionFields): Promise<Action> {
  const { action, incident } = await requireChangeableAction(tx, actor, actionId);
  const fields = fieldsOf(action);
  if (action.version !== baseVersion) throw new Conflict(actionValues(action));
  let joined = false;
  if (fields.ownerId !== action.ownerId) {
    await assertOwner(tx, fields.ownerId);
    joined = await ensureParticipant(tx, actor, incident, fields.ownerId);
  }
  const changes = diff(action as unknown as Record<string, unknown>, { ...fields, dueDate: (await stored(fields, incident.severity)).dueDate });
  if (Object.keys(changes).length === 0) return action;
  const updated = await tx
    .update(actions)
    .set({ ...(await stored(fields, incident.severity)), version: baseVersion + 1, updatedAt: new Date().toISOString() })
    .where(and(eq(actions.id, actionId), eq(actions.version, baseVersion)))
    .returning({ id: actions.id })
    .get();
  if (!updated) throw new Conflict(actionValues((await loadAction(tx, actionId))!));
  const eventId = await recordEvent(tx, { incident, actorId: actor.id, kind: "action.updated", actionId, summary: `Edited the action “${action.title}”`, changes });
  const saved = (await loadAction(tx, actionId))!;
  if (saved.ownerId !== action.ownerId) {
    await notify(tx, actor, { eventId, incidentId: incident.id }, [
      { to: saved.ownerId, news: { kind: "assigned", actions: [lineOf(saved)], joined } },
      { to: action.ownerId, news: { kind: "reassigned", action: lineOf(saved), to: saved.ownerName } },
    ]);
  }
  return saved;
}

function lineOf(action: Action): ActionLine {
  return { id: action.id, title: action.title, priority: action.priority, dueDate: action.dueDate };
}

/**
 * Hands every unfinished action `fromId` owns to `toId`, each as an owner change made on its
 * incident: the new owner joins the incident (by the same audience rule as choosing an owner on
 * the form), and each incident's history records the handover. Returns how many were handed over.
 */
export async function handOverOpenActions(actor: Viewer, fromId: number, toId: number): Promise<number> {
  return await db().transaction(async (tx) => {
    if (fromId === toId) throw new Invalid("Choose someone else to hand the actions to.", "ownerId");
    await assertOwner(tx, toId);
    const open = await tx.select({ id: actions.id }).from(actions).where(and(eq(actions.ownerId, fromId), unfinished)).orderBy(asc(actions.id)).all();
    // The new owner hears once per incident, of all its actions, under the incident's first event.
    const told = new Map<number, { eventId: number; joined: boolean; from: string; lines: ActionLine[] }>();
    for (const { id } of open) {
      const { action, incident } = await requireChangeableAction(tx, actor, id);
      const joined = await ensureParticipant(tx, actor, incident, toId);
      await tx
        .update(actions)
        .set({ ownerId: toId, version: action.version + 1, updatedAt: new Date().toISOString() })
        .where(eq(actions.id, id))
        .run();
      const handed = (await loadAction(tx, id))!;
      const eventId = await recordEvent(tx, {
        incident,
        actorId: actor.id,
        kind: "action.updated",
        actionId: id,
        summary: `Handed the action “${action.title}” from ${action.ownerName} to ${handed.ownerName}`,
        changes: { owner: [action.ownerName, handed.ownerName] },
      });
      const group = told.get(incident.id) ?? { eventId, joined: false, from: action.ownerName, lines: [] };
      group.joined ||= joined;
      group.lines.push(lineOf(handed));
      told.set(incident.id, group);
    }
    // The person handing over is the one being removed (removePerson): they are told nothing.
    for (const [incidentId, group] of told) {
      const news: Notice["news"] = { kind: "assigned", actions: group.lines, joined: group.joined, from: group.from };
      await notify(tx, actor, { eventId: group.eventId, incidentId }, [{ to: toId, news }]);
    }
    return open.length;
  });
}

/**
 * Moves an action along open → in progress → done, or to won't do with a reason; reopening is
 * allowed. Done records who and when. The incident closes or reopens to match.
 */
export async function changeActionStatus(actor: Viewer, actionId: number, to: ActionStatus, reason = "", baseVersion?: number): Promise<Action> {
  return await db().transaction(async (tx) => {
    const { action, incident } = await requireChangeableAction(tx, actor, actionId);
    if (baseVersion !== undefined && action.version !== baseVersion) throw new Conflict(actionValues(action));
    if (!ACTION_TRANSITIONS[action.status].includes(to)) {
      throw new StateConflict(`An action that is ${ACTION_STATUS_LABELS[action.status].toLowerCase()} cannot become ${ACTION_STATUS_LABELS[to].toLowerCase()}.`);
    }
    if (to === "wont_do" && !reason.trim()) {
      throw new Invalid("Say why this action will not be done.", "wontDoReason");
    }
    const now = new Date().toISOString();
    await tx
      .update(actions)
      .set({
        status: to,
        wontDoReason: to === "wont_do" ? reason.trim() : "",
        completedAt: isFinished(to) ? now : null,
        completedById: isFinished(to) ? actor.id : null,
        version: action.version + 1,
        updatedAt: now,
      })
      .where(eq(actions.id, actionId))
      .run();
    const verb =
      to === "open" && isFinished(action.status)
        ? "Reopened"
        : to === "done"
          ? "Completed"
          : to === "wont_do"
            ? "Decided not to do"
            : `Moved to ${ACTION_STATUS_LABELS[to].toLowerCase()}:`;
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "action.status",
      actionId,
      summary: `${verb} the action “${action.title}”`,
      changes: { status: [ACTION_STATUS_LABELS[action.status], ACTION_STATUS_LABELS[to]], ...(to === "wont_do" ? { reason: [null, reason.trim()] } : {}) },
    });
    await syncClosure(tx, actor, incident.id);
    return (await loadAction(tx, actionId))!;
  });
}

// --- Lists ------------------------------------------------------------------------------

export type ActionFilters = {
  status?: ActionStatus | "unfinished";
  ownerId?: number;
  team?: string;
  incidentId?: number;
  severity?: Severity;
  overdue?: boolean;
  sort?: ActionSort;
};

export const ACTION_SORTS = ["due", "priority", "incident", "owner", "status", "completed"] as const;
export type ActionSort = (typeof ACTION_SORTS)[number];

/** An action as lists and the CSV export show it: no description, nothing only its own page needs. */
export type ActionListItem = {
  id: number;
  incidentId: number;
  incidentReference: string;
  incidentTitle: string;
  severity: Severity;
  facilitatorId: number;
  whyQuestion: string | null;
  title: string;
  ownerId: number;
  ownerName: string;
  ownerTeam: string;
  dueDate: string;
  priority: Priority;
  status: ActionStatus;
  overdue: boolean;
  completedAt: string | null;
  wontDoReason: string;
  trackerUrl: string;
};

const finished = actionFinished(actions.status);
/** Open or in progress, spelled as the action indexes are. */
export const unfinished = isFalse(finished);
/** How many rows of a group meet a condition (a boolean is no number on PostgreSQL: no `sum`). */
const countWhere = (condition: SQLWrapper) => sql<number>`count(case when ${condition} then 1 end)`;
/** Unfinished and due before `day`. */
const overdueOn = (day: SQLWrapper | string) => sql`(${unfinished} and ${actions.dueDate} < ${day})`;
const p = sql.placeholder;

/**
 * Which filters a list uses and how it is sorted: each shape is one statement, compiled once,
 * its values given as placeholders. `slice` is a list read a page at a time. `visibility` is how
 * restricted incidents are kept out: per row, by looking up its incident (for statements that
 * read a page or one person's actions), or by the set of incidents the viewer may not see (for
 * counting thousands of rows).
 */
type Shape = {
  visibility: "row" | "set";
  status: "any" | "unfinished" | "one";
  owner: boolean;
  team: boolean;
  incident: boolean;
  severity: boolean;
  overdue: boolean;
  sort: ActionSort;
  slice: boolean;
};

function shapeOf(filters: ActionFilters, slice: boolean, visibility?: Shape["visibility"]): Shape {
  return {
    visibility: visibility ?? (slice || filters.ownerId !== undefined || filters.incidentId !== undefined ? "row" : "set"),
    status: filters.status === undefined ? "any" : filters.status === "unfinished" ? "unfinished" : "one",
    owner: filters.ownerId !== undefined,
    team: filters.team !== undefined,
    incident: filters.incidentId !== undefined,
    severity: filters.severity !== undefined,
    overdue: Boolean(filters.overdue),
    sort: filters.sort ?? "due",
    slice,
  };
}

function paramsOf(viewer: Viewer, filters: ActionFilters, todayDate: string) {
  return {
    ...viewerParams(viewer),
    today: todayDate,
    status: filters.status ?? "",
    ownerId: filters.ownerId ?? 0,
    team: filters.team ?? "",
    incidentId: filters.incidentId ?? 0,
    severity: filters.severity ?? "",
  };
}

/**
 * The filters as conditions on the actions table alone (a team or severity through the index of
 * users or incidents), and only actions of incidents the viewer may see. In a page, a single
 * status is marked likely: it matches many actions, and walking the sort's index until the page
 * is full beats sorting them all.
 */
function filterSql(d: Db, shape: Shape): SQL | undefined {
  return and(
    shape.status === "unfinished" ? unfinished : undefined,
    shape.status === "one" ? (shape.slice ? likelyTrue(eq(actions.status, p("status"))) : eq(actions.status, p("status"))) : undefined,
    shape.owner ? eq(actions.ownerId, p("ownerId")) : undefined,
    shape.team ? inArray(actions.ownerId, d.select({ id: users.id }).from(users).where(eq(users.team, p("team")))) : undefined,
    shape.incident ? eq(actions.incidentId, p("incidentId")) : undefined,
    shape.severity ? inArray(actions.incidentId, d.select({ id: incidents.id }).from(incidents).where(eq(incidents.severity, p("severity")))) : undefined,
    shape.overdue ? overdueOn(p("today")) : undefined,
    shape.visibility === "row" ? incidentViewableBy(VIEWER, actions.incidentId) : sql`${actions.incidentId} not in (${hiddenFrom(VIEWER)})`,
  );
}

/**
 * Each sort's order, all ending in the id so pages never overlap. A term the filters make the
 * same for every row is left out: SQLite would sort by it rather than read the index in order.
 */
function orderSql(shape: Shape): SQL[] {
  const oneFinishedState = shape.overdue || shape.status !== "any";
  // Overdue and soonest first; finished work sinks to the bottom.
  const byDue = [...(oneFinishedState ? [] : [finished]), asc(actions.dueDate), asc(actions.id)];
  switch (shape.sort) {
    case "due":
      return byDue;
    case "priority":
      return [asc(actions.priority), asc(actions.dueDate), asc(actions.id)];
    case "incident":
      return [desc(actions.incidentId), asc(actions.id)];
    case "owner":
      return [asc(users.name), asc(users.id), ...byDue];
    case "status":
      return shape.status === "one" ? byDue : [actionStatusOrder(actions.status), asc(actions.dueDate), asc(actions.id)];
    case "completed":
      // Unfinished ones (no completion) last on both engines: PostgreSQL sorts nulls first unless told.
      return [sql`${actions.completedAt} desc nulls last`, desc(actions.id)];
  }
}

/** The ids of the listed actions in order, read from indexes: the sort's, or the filters' when they pick few. */
function listedIds(d: Db, shape: Shape) {
  const where = filterSql(d, shape);
  const query =
    shape.sort !== "owner"
      ? d.select({ id: actions.id }).from(actions).where(where).$dynamic()
      : shape.owner || shape.team || shape.incident
        ? // A few people's or one incident's actions: find them, then sort.
          d.select({ id: actions.id }).from(actions).innerJoin(users, eq(users.id, actions.ownerId)).where(where).$dynamic()
        : // Everyone's: walk the people by name and each one's actions in order, sorting nothing.
          d
            .select({ id: actions.id })
            .from(throughIndex(users, "users_name_idx"))
            .crossJoin(actions)
            .where(and(eq(actions.ownerId, users.id), where))
            .$dynamic();
  query.orderBy(...orderSql(shape));
  if (shape.slice) query.limit(p("limit")).offset(p("offset"));
  return query;
}

function compileList(shape: Shape) {
  return prepared((d) =>
    d
      .select({
        id: actions.id,
        incidentId: actions.incidentId,
        incidentTitle: incidents.title,
        severity: incidents.severity,
        facilitatorId: incidents.facilitatorId,
        whyQuestion: whys.question,
        title: actions.title,
        ownerId: actions.ownerId,
        ownerName: personName,
        ownerTeam: users.team,
        dueDate: actions.dueDate,
        priority: actions.priority,
        status: actions.status,
        completedAt: actions.completedAt,
        wontDoReason: actions.wontDoReason,
        trackerUrl: actions.trackerUrl,
      })
      .from(actions)
      .innerJoin(incidents, eq(incidents.id, actions.incidentId))
      .innerJoin(users, eq(users.id, actions.ownerId))
      .leftJoin(whys, eq(whys.id, actions.whyId))
      // The listed rows are chosen first; only they are joined.
      .where(inArray(actions.id, listedIds(d, shape)))
      .orderBy(...orderSql(shape))
      .prepare(),
  );
}

function compileCount(shape: Shape) {
  return prepared((d) =>
    d
      .select({ n: count() })
      .from(d.select({ one: sql`1` }).from(actions).where(filterSql(d, shape)).limit(COUNT_LIMIT + 1).as("matching"))
      .prepare(),
  );
}

const lists = new Map<string, ReturnType<typeof compileList>>();
const counts = new Map<string, ReturnType<typeof compileCount>>();

function compiled<T>(cache: Map<string, T>, shape: Shape, compile: (shape: Shape) => T): T {
  const key = JSON.stringify(shape);
  let statement = cache.get(key);
  if (!statement) cache.set(key, (statement = compile(shape)));
  return statement;
}

async function listActionsOn(viewer: Viewer, filters: ActionFilters, todayDate: string, slice?: { limit: number; offset: number }): Promise<ActionListItem[]> {
  const shape = shapeOf(filters, slice !== undefined);
  const rows = await compiled(lists, shape, compileList)().all({ ...paramsOf(viewer, filters, todayDate), ...slice });
  return rows.map((r) => ({ ...r, incidentReference: reference(r.incidentId), overdue: isOverdue(r, todayDate) }));
}

/** Actions the viewer may see (never those of restricted incidents they are not part of), all or a slice. */
export async function listActions(viewer: Viewer, filters: ActionFilters, options: { limit?: number; offset?: number; now?: Date } = {}) {
  const todayDate = await today(options.now);
  const slice = options.limit !== undefined ? { limit: options.limit, offset: options.offset ?? 0 } : undefined;
  return { items: await listActionsOn(viewer, filters, todayDate, slice), today: todayDate };
}

async function countActionsOn(viewer: Viewer, filters: ActionFilters, todayDate: string) {
  const counted = (await compiled(counts, shapeOf(filters, false, "set"), compileCount)().get(paramsOf(viewer, filters, todayDate)))?.n ?? 0;
  return boundedCount(counted);
}

/** How many actions the viewer may see match the filters, up to COUNT_LIMIT; `capped` when more do. */
export async function countActions(viewer: Viewer, filters: ActionFilters, options: { now?: Date } = {}) {
  return await countActionsOn(viewer, filters, await today(options.now));
}

/**
 * One page of the list, its number kept within the pages there are. The pages reach as far as
 * the count does (COUNT_LIMIT): narrower filters, or the CSV export, reach the rest.
 */
export async function pageOfActions(viewer: Viewer, filters: ActionFilters, page: number, options: { now?: Date } = {}) {
  const todayDate = await today(options.now);
  const { total, capped } = await countActionsOn(viewer, filters, todayDate);
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pageCount);
  const items = await listActionsOn(viewer, filters, todayDate, { limit: PAGE_SIZE, offset: (current - 1) * PAGE_SIZE });
  return { items, total, capped, page: current, pageCount, today: todayDate };
}

const openCounts = prepared((d) =>
  d
    .select({ open: count(), overdue: countWhere(sql`${actions.dueDate} < ${p("today")}`) })
    .from(actions)
    .where(and(eq(actions.ownerId, p("ownerId")), unfinished, incidentViewableBy(VIEWER, actions.incidentId)))
    .prepare(),
);

/** How many unfinished actions the person owns, and how many of those are overdue (those the viewer may see). */
export async function openActionCounts(viewer: Viewer, ownerId: number, options: { now?: Date } = {}): Promise<{ open: number; overdue: number }> {
  return (await openCounts().get({ ...viewerParams(viewer), ownerId, today: await today(options.now) })) ?? { open: 0, overdue: 0 };
}

export type OverdueOwner = { id: number; name: string; team: string; count: number };

const overdueCounts = prepared((d) => {
  const perOwner = d
    .select({ ownerId: sql<number>`${actions.ownerId}`.as("owner_id"), count: count().as("count") })
    .from(actions)
    .where(filterSql(d, shapeOf({ overdue: true }, false, "set")))
    .groupBy(actions.ownerId)
    .as("per_owner");
  return d
    .select({ id: users.id, name: personName, team: users.team, count: perOwner.count })
    .from(perOwner)
    .innerJoin(users, eq(users.id, perOwner.ownerId))
    .orderBy(asc(users.name), asc(users.id))
    .prepare();
});

/** Everyone with overdue actions the viewer may see, by name, and how many: counted from an index alone. */
export async function overdueOwners(viewer: Viewer, options: { now?: Date } = {}): Promise<OverdueOwner[]> {
  return await overdueCounts().all({ ...viewerParams(viewer), today: await today(options.now) });
}

export type OverdueAction = { id: number; ownerId: number; title: string; dueDate: string; incidentReference: string };

function compileOldest(oneTeam: boolean) {
  return prepared((d) => {
    const own = alias(actions, "own");
    const oldest = firstOfEach(
      {
        id: own.id,
        group: own.ownerId,
        from: sql`${actions} ${own}`,
        where: and(isFalse(actionFinished(own.status)), lt(own.dueDate, p("today")), incidentViewableBy(VIEWER, own.incidentId)),
        orderBy: [asc(own.dueDate), asc(own.id)],
        limit: p("perOwner"),
      },
      users.id,
    );
    return d
      .select({ id: actions.id, ownerId: actions.ownerId, title: actions.title, dueDate: actions.dueDate, incidentId: actions.incidentId })
      .from(users)
      // The person's own actions, among the oldest of each person (firstOfEach).
      .innerJoin(actions, and(eq(actions.ownerId, users.id), sql`${actions.id} in ${oldest}`))
      .where(oneTeam ? eq(users.team, p("team")) : undefined)
      .orderBy(asc(users.name), asc(users.id), asc(actions.dueDate), asc(actions.id))
      .prepare();
  });
}

const oldestOfTeam = compileOldest(true);
const oldestOfEveryone = compileOldest(false);

/**
 * The `perOwner` oldest overdue actions of each person, by name, in one query: of the team
 * (by name; "" for no team), or of everyone when `team` is null.
 */
export async function oldestOverdue(viewer: Viewer, team: string | null, options: { perOwner: number; now?: Date }): Promise<OverdueAction[]> {
  const values = { ...viewerParams(viewer), today: await today(options.now), perOwner: options.perOwner };
  const rows = team === null ? await oldestOfEveryone().all(values) : await oldestOfTeam().all({ ...values, team });
  return rows.map(({ incidentId, ...row }) => ({ ...row, incidentReference: reference(incidentId) }));
}

/** Teams that own actions, for the filter. */
export async function listTeams(): Promise<string[]> {
  const teams = await db()
    .selectDistinct({ team: users.team })
    .from(users)
    .where(and(isNull(users.removedAt), ne(users.team, "")))
    .orderBy(asc(users.team))
    .all();
  return teams.map((r) => r.team);
}

export type Progress = { total: number; done: number; wontDo: number; overdue: number };

const progressOfIncidents = prepared((d) =>
  d
    .select({
      incidentId: actions.incidentId,
      total: sql<number>`count(*)`,
      done: countWhere(sql`${actions.status} = 'done'`),
      wontDo: countWhere(sql`${actions.status} = 'wont_do'`),
      overdue: countWhere(overdueOn(p("today"))),
    })
    .from(actions)
    .where(inIdList(actions.incidentId, sql.placeholder("incidentIds")))
    .groupBy(actions.incidentId)
    .prepare(),
);

/** Action progress per incident, in one query; overdue as of `day` (today by default). */
export async function actionProgress(incidentIds: number[], day?: string): Promise<Map<number, Progress>> {
  const todayDate = day ?? (await today());
  if (incidentIds.length === 0) return new Map();
  const rows = await progressOfIncidents().all({ incidentIds: idList(incidentIds), today: todayDate });
  return new Map(rows.map((r) => [r.incidentId, { total: r.total, done: r.done, wontDo: r.wontDo, overdue: r.overdue }]));
}


export type TeamFigures = ActionFigures & { team: string };

/** Whole milliseconds from an action's creation to done, as figuresOfActions takes them from the two times. */
const msToDone = millisecondsBetween(actions.createdAt, sql`coalesce(${actions.completedAt}, ${actions.createdAt})`);

/**
 * The columns of a StatusTally for a query grouped by status (and more): how many, how many
 * overdue on `day`, and the done ones' times as one JSON array per group rather than one row
 * each. Read the rows with tallyOf.
 */
export function tallyColumns(day: SQLWrapper | string) {
  return {
    status: actions.status,
    n: count(),
    overdue: countWhere(overdueOn(day)),
    msToDone: sql<string>`${jsonArrayOf(msToDone, sql`${actions.status} = 'done'`)}`,
  };
}

export function tallyOf(row: { status: ActionStatus; n: number; overdue: number; msToDone: string }): StatusTally {
  return { status: row.status, n: row.n, overdue: row.overdue, msToDone: JSON.parse(row.msToDone) as number[] };
}

// One pass over the actions the viewer may see, grouped by team and status.
const teamTallies = prepared((d) =>
  d
    .select({ team: users.team, ...tallyColumns(p("today")) })
    .from(actions)
    // Actions first, each looking up its owner's team.
    .crossJoin(users)
    .where(and(eq(users.id, actions.ownerId), sql`${actions.incidentId} not in (${hiddenFrom(VIEWER)})`))
    .groupBy(users.team, actions.status)
    .prepare(),
);

/** Completion figures by the owners' teams, plus ALL_TEAMS first. */
export async function completionFigures(viewer: Viewer, now: Date = new Date()): Promise<TeamFigures[]> {
  const rows = await teamTallies().all({ ...viewerParams(viewer), today: await today(now) });
  const tallies = rows.map((r) => ({ team: teamName(r.team), ...tallyOf(r) }));
  const teams = [...new Set(tallies.map((t) => t.team))].sort();
  return [
    { team: ALL_TEAMS, ...figuresFrom(tallies) },
    ...teams.map((team) => ({ team, ...figuresFrom(tallies.filter((t) => t.team === team)) })),
  ];
}

type FigureRow = { status: ActionStatus; dueDate: string; createdAt: string; completedAt: string | null };

/** The figures of a list of actions already loaded (an incident's). */
export function figuresOfActions(list: readonly FigureRow[], todayDate: string): ActionFigures {
  return figuresFrom(
    list.map((a) => ({
      status: a.status,
      n: 1,
      overdue: isOverdue(a, todayDate) ? 1 : 0,
      msToDone: a.status === "done" ? [Date.parse(a.completedAt ?? a.createdAt) - Date.parse(a.createdAt)] : [],
    })),
  );
}

/** How many overdue actions one team has, among how many people. */
export type OverdueTeam = { team: string; count: number; people: number };

/** A team on the Overdue page: its count, and its people most behind first, each with their oldest overdue actions. */
export type OverdueTeamList = OverdueTeam & { owners: (OverdueOwner & { oldest: OverdueAction[] })[]; morePeople: number };

/**
 * What the Overdue page (and the API's overdue view) lists: each person's oldest overdue actions,
 * and the people of each team most behind; a team's list of actions has the rest.
 */
export const OVERDUE_VIEW = { perOwner: 3, peoplePerTeam: 10 } as const;

/**
 * The Overdue page: every team with its count and its people, each with their `perOwner` oldest
 * overdue actions, grouped by team; the viewer's own team first, then the teams most behind. At
 * most `peoplePerTeam` people a team (the most behind), so the page stays short however much is
 * overdue: the others are counted, and the team's list of actions has them all.
 */
export async function overdueOverview(
  viewer: Viewer,
  options: { perOwner: number; peoplePerTeam: number; ownTeam?: string; now?: Date },
): Promise<{ total: number; teams: OverdueTeamList[] }> {
  const owners = await overdueOwners(viewer, options);
  const byTeam = new Map<string, OverdueTeamList>();
  for (const owner of owners) {
    const team = byTeam.get(owner.team) ?? { team: owner.team, count: 0, people: 0, owners: [], morePeople: 0 };
    team.count += owner.count;
    team.people += 1;
    byTeam.set(owner.team, team);
  }
  const oldest = owners.length === 0 ? [] : await oldestOverdue(viewer, null, options);
  for (const team of byTeam.values()) {
    const people = owners.filter((o) => o.team === team.team).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
    team.owners = people.slice(0, options.peoplePerTeam).map((o) => ({ ...o, oldest: oldest.filter((a) => a.ownerId === o.id) }));
    team.morePeople = people.length - team.owners.length;
  }
  const teams = [...byTeam.values()].sort(
    (a, b) =>
      Number(b.team === options.ownTeam) - Number(a.team === options.ownTeam) || b.count - a.count || teamName(a.team).localeCompare(teamName(b.team)),
  );
  return { total: teams.reduce((n, t) => n + t.count, 0), teams };
}

const anyOpenAction = prepared((d) =>
  d
    .select({ id: actions.id })
    .from(actions)
    .where(and(eq(actions.ownerId, p("viewerId")), unfinished, incidentViewableBy(VIEWER, actions.incidentId)))
    .limit(1)
    .prepare(),
);

/** Whether the user owes anything they may see: members with open actions land on My actions. */
export async function hasOpenActions(user: Viewer): Promise<boolean> {
  return Boolean(await anyOpenAction().get(viewerParams(user)));
}
