import { z } from "zod";
import { isStorableDate } from "~/lib/time";
import { changeActionStatus, createAction, getAction, listActions, listIncidentActions, updateAction } from "~/models/action.server";
import { getIncident, listIncidents, moveIncident, reportIncident, requireIncident, setPeople, updateIncident } from "~/models/incident.server";
import { SEVERITIES, STATUSES, reference } from "~/models/incident";
import {
  actionInput,
  actionPatch,
  acknowledgement,
  actionStatusChange,
  incidentInput,
  incidentPatch,
  incidentPeople,
  incidentReport,
  lifecycleMove,
  newActionInput,
  newWhyInput,
  relatedLink,
  timelineEntryInput,
  timelineEntryPatch,
  whyInput,
  whyPatch,
} from "~/models/inputs";
import { getLearning, listLearnings, republish } from "~/models/publication.server";
import { searchFor } from "~/models/search.server";
import { RESULT_LIMIT, SEARCH_PAGE_SIZE } from "~/models/search";
import { addTimelineEntry, deleteTimelineEntry, listTimeline, updateTimelineEntry } from "~/models/timeline.server";
import { listPeople } from "~/models/user.server";
import { acknowledgeFinding, addWhy, applySuggestion, deleteWhy, listWhys, updateWhy, withdrawAcknowledgement } from "~/models/why.server";
import { WHY_FIELDS } from "~/models/blame";
import { findingsOf } from "~/models/blame.server";
import { HISTORY_PAGE_SIZE, pageOfEvents } from "~/models/history.server";
import { linkIncidents, listRelated, unlinkIncidents } from "~/models/recurrence.server";
import { buildTree, type WhyNode } from "~/models/why-tree";
import { NotFound } from "~/models/errors";
import { PAGE_SIZE } from "~/models/paging";
import { actionFilterFields, actionFiltersOf, errors, idParam, merged, readErrors, refParam, versionedWriteErrors, withEtag, writeErrors } from "./common.server";
import { API_BASE, cursorField, encodeCursor, etag, operation, type Operation } from "../api.server";
import { INTEGRATIONS } from "./integrations.server";
import { ACCOUNT } from "./account.server";
import { SESSIONS } from "./sessions.server";
import { ADMINISTRATION } from "./admin.server";
import {
  ActionPage,
  ActionRep,
  FindingList,
  HistoryPage,
  IncidentActionPage,
  RelatedPage,
  Republication,
  IncidentPage,
  IncidentRep,
  LearningPage,
  LearningRep,
  Me,
  PersonPage,
  SearchPage,
  TimelineEntryRep,
  TimelinePage,
  WhyDeletion,
  WhyRep,
  WhyTree,
  actionJson,
  actionSummaryJson,
  incidentJson,
  incidentSummaryJson,
  learningJson,
  learningSummaryJson,
  relatedJson,
  searchHitJson,
  timelineJson,
  whyJson,
} from "./representations.server";

// Every operation of /api/v1. Each reads and writes through the same models as the pages, as the
// token's owner: what they may not see is not found, what they may not do is forbidden.

const incidentPath = z.object({ ref: refParam });
const whyPath = z.object({ ref: refParam, whyId: idParam("The why's id.") });
const entryPath = z.object({ ref: refParam, entryId: idParam("The timeline entry's id.") });
const actionPath = z.object({ actionId: idParam("The action's id.") });

/** Lists read by offset page through these many at a time (the incident's own lists are bounded by LIMITS). */
const OWN_LIST_PAGE = 100;

const listQuery = { cursor: cursorField(["after"]) };

function page<T>(items: T[], next: Record<string, number> | null) {
  return { items, nextCursor: next ? encodeCursor(next) : null };
}

/** A slice of a list held whole (an incident's timeline, its actions), from an offset cursor. */
function sliceOf<T>(all: T[], cursor: { offset: number } | undefined, size = OWN_LIST_PAGE) {
  const offset = cursor?.offset ?? 0;
  const items = all.slice(offset, offset + size);
  return { items, next: offset + size < all.length ? { offset: offset + size } : null };
}

async function treeOf(incidentId: number): Promise<WhyNode[]> {
  return buildTree(await listWhys(incidentId));
}

function findNode(nodes: WhyNode[], id: number): WhyNode | undefined {
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.id === id) return node;
    stack.push(...node.children);
  }
  return undefined;
}

async function whyOf(origin: string, incident: { id: number; reference: string }, whyId: number) {
  const node = findNode(await treeOf(incident.id), whyId);
  if (!node) throw new NotFound("why");
  return whyJson(origin, incident.reference, node);
}

async function actionOf(origin: string, viewer: Parameters<typeof getAction>[0], actionId: number) {
  const { action, incident } = await getAction(viewer, actionId);
  return actionJson(origin, incident, action);
}

/** The stored fields of the incident, in the input's own types, for a change of some of them. */
function incidentFieldsOf(incident: Awaited<ReturnType<typeof getIncident>>) {
  const { title, severity, startedAt, detectedAt, resolvedAt, services, impactMd, summaryMd, visibility } = incident;
  return { title, severity, startedAt, detectedAt, resolvedAt, services, impactMd, summaryMd, visibility };
}

const created = (location: string, body: unknown, version?: number) => ({
  status: 201,
  body,
  headers: { Location: location, ...(version !== undefined ? { ETag: etag(version) } : {}) },
});

// --- Incidents -----------------------------------------------------------------------------------

const incidents: Operation[] = [
  operation({
    id: "listIncidents",
    method: "GET",
    path: "/incidents",
    tag: "Incidents",
    summary: "List incidents, newest first",
    description: `Incidents the token's owner may see, ${PAGE_SIZE} a page, newest start first.`,
    scope: "read",
    query: z.object({ status: z.enum(STATUSES).optional(), severity: z.enum(SEVERITIES).optional(), service: z.string().max(60).optional(), ...listQuery }),
    responses: { 200: { description: "A page of incidents.", schema: IncidentPage }, ...readErrors, 400: errors[400] },
    run: async ({ holder, query, origin }) => {
      const found = await listIncidents(holder.user, { status: query.status, severity: query.severity, service: query.service?.toLowerCase(), after: query.cursor?.after });
      return { body: page(found.items.map((item) => incidentSummaryJson(origin, item)), found.older !== null ? { after: found.older } : null) };
    },
  }),
  operation({
    id: "reportIncident",
    method: "POST",
    path: "/incidents",
    tag: "Incidents",
    summary: "Report an incident",
    description: "The reporter takes part in it unless they facilitate it.",
    scope: "write",
    body: incidentReport,
    responses: { 201: { description: "Reported.", schema: IncidentRep, headers: { Location: "The incident's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, body, origin }) => {
      const incident = await reportIncident(holder.user, body);
      const json = incidentJson(origin, incident);
      return created(json.links.self, json, incident.version);
    },
  }),
  operation({
    id: "getIncident",
    method: "GET",
    path: "/incidents/{ref}",
    tag: "Incidents",
    summary: "Read an incident",
    scope: "read",
    params: incidentPath,
    responses: { 200: { description: "The incident.", schema: IncidentRep, headers: withEtag }, ...readErrors },
    run: async ({ holder, params, origin }) => {
      const incident = await getIncident(holder.user, params.ref);
      return { body: incidentJson(origin, incident), headers: { ETag: etag(incident.version) } };
    },
  }),
  operation({
    id: "updateIncident",
    method: "PATCH",
    path: "/incidents/{ref}",
    tag: "Incidents",
    summary: "Change an incident's details",
    description: "Send only the fields to change; the others stay as stored. If-Match names the version read.",
    scope: "write",
    params: incidentPath,
    body: incidentPatch,
    ifMatch: "required",
    responses: { 200: { description: "Changed.", schema: IncidentRep, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const stored = await requireIncident(holder.user, params.ref, "contribute");
      const fields = merged(incidentInput, incidentFieldsOf(stored), body);
      const incident = await updateIncident(holder.user, params.ref, version!, fields);
      return { body: incidentJson(origin, incident), headers: { ETag: etag(incident.version) } };
    },
    current: async ({ holder, params, origin }) => incidentJson(origin, await getIncident(holder.user, params.ref)),
  }),
  operation({
    id: "moveIncident",
    method: "POST",
    path: "/incidents/{ref}/transitions",
    tag: "Incidents",
    summary: "Move an incident along its lifecycle",
    description:
      "draft → analysis → review → published → closed, and back where the lifecycle allows. Publishing runs the same checks as the page; a refusal lists them in `errors`. If-Match, when sent, must name the current version.",
    scope: "write",
    params: incidentPath,
    body: lifecycleMove,
    ifMatch: "optional",
    responses: { 200: { description: "Moved.", schema: IncidentRep, headers: withEtag }, ...writeErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const incident = await moveIncident(holder.user, params.ref, body.to, { baseVersion: version });
      return { body: incidentJson(origin, incident), headers: { ETag: etag(incident.version) } };
    },
    current: async ({ holder, params, origin }) => incidentJson(origin, await getIncident(holder.user, params.ref)),
  }),
  operation({
    id: "setIncidentPeople",
    method: "PUT",
    path: "/incidents/{ref}/people",
    tag: "Incidents",
    summary: "Choose the facilitator and the participants",
    scope: "write",
    params: incidentPath,
    body: incidentPeople,
    ifMatch: "optional",
    responses: { 200: { description: "Chosen.", schema: IncidentRep, headers: withEtag }, ...writeErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const incident = await setPeople(holder.user, params.ref, body.facilitatorId, body.participantIds, version);
      return { body: incidentJson(origin, incident), headers: { ETag: etag(incident.version) } };
    },
    current: async ({ holder, params, origin }) => incidentJson(origin, await getIncident(holder.user, params.ref)),
  }),
];

// --- The why tree --------------------------------------------------------------------------------

const whys: Operation[] = [
  operation({
    id: "getWhyTree",
    method: "GET",
    path: "/incidents/{ref}/whys",
    tag: "Whys",
    summary: "Read the why tree",
    description: "The whole tree, nested: an incident holds at most 300 whys, 15 levels deep.",
    scope: "read",
    params: incidentPath,
    responses: { 200: { description: "The tree.", schema: WhyTree }, ...readErrors },
    run: async ({ holder, params, origin }) => {
      const incident = await getIncident(holder.user, params.ref);
      return { body: { incident: incident.reference, whys: (await treeOf(incident.id)).map((node) => whyJson(origin, incident.reference, node)) } };
    },
  }),
  operation({
    id: "addWhy",
    method: "POST",
    path: "/incidents/{ref}/whys",
    tag: "Whys",
    summary: "Add a why",
    description: "Under the why `parentId`, or as the first why of a new branch (null). A why is added with its answer.",
    scope: "write",
    params: incidentPath,
    body: newWhyInput,
    responses: { 201: { description: "Added.", schema: WhyRep, headers: { Location: "The why's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      const { parentId, ...fields } = body;
      const row = await addWhy(holder.user, params.ref, parentId, fields);
      const incident = await getIncident(holder.user, params.ref);
      const json = await whyOf(origin, incident, row.id);
      return created(json.links.self, json, row.version);
    },
  }),
  operation({
    id: "getWhy",
    method: "GET",
    path: "/incidents/{ref}/whys/{whyId}",
    tag: "Whys",
    summary: "Read a why and the whys below it",
    scope: "read",
    params: whyPath,
    responses: { 200: { description: "The why.", schema: WhyRep, headers: withEtag }, ...readErrors },
    run: async ({ holder, params, origin }) => {
      const why = await whyOf(origin, await getIncident(holder.user, params.ref), params.whyId);
      return { body: why, headers: { ETag: etag(why.version) } };
    },
  }),
  operation({
    id: "updateWhy",
    method: "PATCH",
    path: "/incidents/{ref}/whys/{whyId}",
    tag: "Whys",
    summary: "Change a why",
    description: "Send only the fields to change. If-Match names the why's version read.",
    scope: "write",
    params: whyPath,
    body: whyPatch,
    ifMatch: "required",
    responses: { 200: { description: "Changed.", schema: WhyRep, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const incident = await requireIncident(holder.user, params.ref, "contribute");
      const stored = await whyOf(origin, incident, params.whyId);
      const { question, answer, category, remediationMd, noRemediationReason, noActionReason, rootReached } = stored;
      const fields = merged(whyInput, { question, answer, category, remediationMd, noRemediationReason, noActionReason, rootReached }, body);
      const row = await updateWhy(holder.user, params.ref, params.whyId, version!, fields);
      return { body: await whyOf(origin, incident, params.whyId), headers: { ETag: etag(row.version) } };
    },
    current: async ({ holder, params, origin }) => whyOf(origin, await getIncident(holder.user, params.ref), params.whyId),
  }),
  operation({
    id: "deleteWhy",
    method: "DELETE",
    path: "/incidents/{ref}/whys/{whyId}",
    tag: "Whys",
    summary: "Delete a why",
    description:
      "A why with deeper whys is deleted with them only when `withDeeperWhys=true`; without it the answer is 409 saying how many would go. Actions made from them are kept, unlinked.",
    scope: "write",
    params: whyPath,
    query: z.object({ withDeeperWhys: z.enum(["true", "false"]).default("false").meta({ description: "Delete the whys asked below it too." }) }),
    responses: {
      200: { description: "Deleted.", schema: WhyDeletion },
      ...writeErrors,
    },
    run: async ({ holder, params, query }) => {
      const result = await deleteWhy(holder.user, params.ref, params.whyId, query.withDeeperWhys === "true");
      return { body: { deletedWhys: result.whys, actionsKept: result.actionsKept } };
    },
  }),
];

// --- Timeline --------------------------------------------------------------------------------------

const timeline: Operation[] = [
  operation({
    id: "listTimeline",
    method: "GET",
    path: "/incidents/{ref}/timeline",
    tag: "Timeline",
    summary: "List the timeline",
    description: `In time order, ${OWN_LIST_PAGE} entries a page.`,
    scope: "read",
    params: incidentPath,
    query: z.object({ cursor: cursorField(["offset"]) }),
    responses: { 200: { description: "A page of entries.", schema: TimelinePage }, ...readErrors, 400: errors[400] },
    run: async ({ holder, params, query, origin }) => {
      const incident = await getIncident(holder.user, params.ref);
      const { items, next } = sliceOf(await listTimeline(incident.id), query.cursor);
      return { body: page(items.map((entry) => timelineJson(origin, incident.reference, entry)), next) };
    },
  }),
  operation({
    id: "addTimelineEntry",
    method: "POST",
    path: "/incidents/{ref}/timeline",
    tag: "Timeline",
    summary: "Add a timeline entry",
    scope: "write",
    params: incidentPath,
    body: timelineEntryInput,
    responses: { 201: { description: "Added.", schema: TimelineEntryRep, headers: { Location: "The entry's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      const entry = await addTimelineEntry(holder.user, params.ref, body);
      const json = timelineJson(origin, reference(params.ref), entry);
      return created(json.links.self, json, entry.version);
    },
  }),
  operation({
    id: "updateTimelineEntry",
    method: "PATCH",
    path: "/incidents/{ref}/timeline/{entryId}",
    tag: "Timeline",
    summary: "Change a timeline entry",
    scope: "write",
    params: entryPath,
    body: timelineEntryPatch,
    ifMatch: "required",
    responses: { 200: { description: "Changed.", schema: TimelineEntryRep, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const incident = await requireIncident(holder.user, params.ref, "contribute");
      const stored = (await listTimeline(incident.id)).find((e) => e.id === params.entryId);
      if (!stored) throw new NotFound("timeline entry");
      const fields = merged(timelineEntryInput, { at: stored.at, bodyMd: stored.bodyMd }, body);
      const entry = await updateTimelineEntry(holder.user, params.ref, params.entryId, version!, fields);
      return { body: timelineJson(origin, incident.reference, entry), headers: { ETag: etag(entry.version) } };
    },
    current: async ({ holder, params, origin }) => {
      const incident = await getIncident(holder.user, params.ref);
      const entry = (await listTimeline(incident.id)).find((e) => e.id === params.entryId);
      return entry && timelineJson(origin, incident.reference, entry);
    },
  }),
  operation({
    id: "deleteTimelineEntry",
    method: "DELETE",
    path: "/incidents/{ref}/timeline/{entryId}",
    tag: "Timeline",
    summary: "Delete a timeline entry",
    scope: "write",
    params: entryPath,
    responses: { 204: { description: "Deleted." }, ...writeErrors },
    run: async ({ holder, params }) => {
      await deleteTimelineEntry(holder.user, params.ref, params.entryId);
      return { status: 204 };
    },
  }),
];

// --- Actions -------------------------------------------------------------------------------------

const actionFilters = z.object({ ...actionFilterFields, cursor: cursorField(["offset"]) });

const actions: Operation[] = [
  operation({
    id: "listActions",
    method: "GET",
    path: "/actions",
    tag: "Actions",
    summary: "List follow-up actions",
    description: `The filters and sorts of the All actions page, ${PAGE_SIZE} a page: actions of the incidents the token's owner may see.`,
    scope: "read",
    query: actionFilters,
    responses: { 200: { description: "A page of actions.", schema: ActionPage }, ...readErrors, 400: errors[400] },
    run: async ({ holder, query, origin }) => {
      const filters = actionFiltersOf(query);
      const offset = query.cursor?.offset ?? 0;
      const { items } = await listActions(holder.user, filters, { limit: PAGE_SIZE + 1, offset });
      return { body: page(items.slice(0, PAGE_SIZE).map((item) => actionSummaryJson(origin, item)), items.length > PAGE_SIZE ? { offset: offset + PAGE_SIZE } : null) };
    },
  }),
  operation({
    id: "listIncidentActions",
    method: "GET",
    path: "/incidents/{ref}/actions",
    tag: "Actions",
    summary: "List an incident's actions",
    description: `Oldest first, ${OWN_LIST_PAGE} a page.`,
    scope: "read",
    params: incidentPath,
    query: z.object({ cursor: cursorField(["offset"]) }),
    responses: { 200: { description: "A page of the incident's actions.", schema: IncidentActionPage }, ...readErrors, 400: errors[400] },
    run: async ({ holder, params, query, origin }) => {
      const incident = await getIncident(holder.user, params.ref);
      const { items, next } = sliceOf(await listIncidentActions(incident.id), query.cursor);
      return { body: page(items.map((action) => actionJson(origin, incident, action)), next) };
    },
  }),
  operation({
    id: "createAction",
    method: "POST",
    path: "/incidents/{ref}/actions",
    tag: "Actions",
    summary: "Create a follow-up action",
    description: "From a why's remediation (`whyId`) or none. An empty due date takes the due-date policy's for the incident's severity and the priority.",
    scope: "write",
    params: incidentPath,
    body: newActionInput,
    responses: { 201: { description: "Created.", schema: ActionRep, headers: { Location: "The action's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      const { whyId, ...fields } = body;
      const action = await createAction(holder.user, params.ref, whyId, fields);
      const json = await actionOf(origin, holder.user, action.id);
      return created(json.links.self, json, action.version);
    },
  }),
  operation({
    id: "getAction",
    method: "GET",
    path: "/actions/{actionId}",
    tag: "Actions",
    summary: "Read an action",
    scope: "read",
    params: actionPath,
    responses: { 200: { description: "The action.", schema: ActionRep, headers: withEtag }, ...readErrors },
    run: async ({ holder, params, origin }) => {
      const json = await actionOf(origin, holder.user, params.actionId);
      return { body: json, headers: { ETag: etag(json.version) } };
    },
  }),
  operation({
    id: "updateAction",
    method: "PATCH",
    path: "/actions/{actionId}",
    tag: "Actions",
    summary: "Change an action",
    description: "Title, description, owner, due date, priority, tracker link: send only the fields to change. Its owner, the incident's facilitator and admins may.",
    scope: "write",
    params: actionPath,
    body: actionPatch,
    ifMatch: "required",
    responses: { 200: { description: "Changed.", schema: ActionRep, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const { action } = await getAction(holder.user, params.actionId);
      const { title, descriptionMd, ownerId, dueDate, priority, trackerUrl } = action;
      const fields = merged(actionInput, { title, descriptionMd, ownerId, dueDate, priority, trackerUrl }, body);
      const changed = await updateAction(holder.user, params.actionId, version!, fields);
      return { body: await actionOf(origin, holder.user, changed.id), headers: { ETag: etag(changed.version) } };
    },
    current: async ({ holder, params, origin }) => actionOf(origin, holder.user, params.actionId),
  }),
  operation({
    id: "changeActionStatus",
    method: "POST",
    path: "/actions/{actionId}/status",
    tag: "Actions",
    summary: "Start, finish or reopen an action",
    description: "`wont_do` needs the reason. If-Match, when sent, must name the current version.",
    scope: "write",
    params: actionPath,
    body: actionStatusChange,
    ifMatch: "optional",
    responses: { 200: { description: "Changed.", schema: ActionRep, headers: withEtag }, ...writeErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const changed = await changeActionStatus(holder.user, params.actionId, body.to, body.wontDoReason, version);
      return { body: await actionOf(origin, holder.user, changed.id), headers: { ETag: etag(changed.version) } };
    },
    current: async ({ holder, params, origin }) => actionOf(origin, holder.user, params.actionId),
  }),
];

// --- Learnings, search, people -----------------------------------------------------------------------

const reading: Operation[] = [
  operation({
    id: "listLearnings",
    method: "GET",
    path: "/learnings",
    tag: "Learnings",
    summary: "List published analyses",
    description: "The learnings feed: the latest publication of each org-wide incident, newest first.",
    scope: "read",
    query: z.object({ service: z.string().max(60).optional(), severity: z.enum(SEVERITIES).optional(), category: z.string().max(60).optional(), ...listQuery }),
    responses: { 200: { description: "A page of learnings.", schema: LearningPage }, ...readErrors, 400: errors[400] },
    run: async ({ query, origin }) => {
      const found = await listLearnings({ service: query.service?.toLowerCase(), severity: query.severity, category: query.category, after: query.cursor?.after });
      return { body: page(found.items.map((l) => learningSummaryJson(origin, l)), found.older !== null ? { after: found.older } : null) };
    },
  }),
  operation({
    id: "getLearning",
    method: "GET",
    path: "/learnings/{ref}",
    tag: "Learnings",
    summary: "Read a published analysis",
    description: "As it was published (its latest revision), the why tree and actions included.",
    scope: "read",
    params: incidentPath,
    responses: { 200: { description: "The learning.", schema: LearningRep }, ...readErrors },
    run: async ({ holder, params, origin }) => {
      const { publication } = await getLearning(holder.user, params.ref);
      return { body: learningJson(origin, publication) };
    },
  }),
  operation({
    id: "search",
    method: "GET",
    path: "/search",
    tag: "Search",
    summary: "Search incidents, whys, remediations, timelines and actions",
    description: `Best matches first, ${SEARCH_PAGE_SIZE} a page, up to ${RESULT_LIMIT} results; among the incidents the token's owner may see.`,
    scope: "read",
    query: z.object({
      q: z.string().min(1, "Say what to search for.").max(200),
      severity: z.enum(SEVERITIES).optional(),
      status: z.enum(STATUSES).optional(),
      service: z.string().max(60).optional(),
      from: z.iso.date().refine(isStorableDate, "a date from year 1").optional().meta({ description: "Started on or after this date." }),
      to: z.iso.date().refine(isStorableDate, "a date from year 1").optional().meta({ description: "Started on or before this date." }),
      cursor: cursorField(["page"]),
    }),
    responses: { 200: { description: "A page of results.", schema: SearchPage }, ...readErrors, 400: errors[400] },
    run: async ({ holder, query, origin }) => {
      const pageNumber = Math.max(1, query.cursor?.page ?? 1);
      const found = await searchFor(holder.user, { ...query, service: query.service?.toLowerCase(), page: pageNumber });
      // searchFor shows the last page for a page past the end; a cursor past it is simply empty.
      const items = found.page === pageNumber ? found.items : [];
      return {
        body: { ...page(items.map((hit) => searchHitJson(origin, hit)), found.page === pageNumber && pageNumber < found.pageCount ? { page: pageNumber + 1 } : null), total: found.total, more: found.more },
      };
    },
  }),
  operation({
    id: "listPeople",
    method: "GET",
    path: "/people",
    tag: "People",
    summary: "List the people with an account",
    description: "Their ids name a facilitator, participants and action owners.",
    scope: "read",
    query: z.object({ cursor: cursorField(["after"]) }),
    responses: { 200: { description: "A page of people.", schema: PersonPage }, ...readErrors, 400: errors[400] },
    run: async ({ query }) => {
      const people = await listPeople(query.cursor?.after ?? 0, OWN_LIST_PAGE + 1);
      const shown = people.slice(0, OWN_LIST_PAGE);
      return { body: page(shown, people.length > OWN_LIST_PAGE ? { after: shown[shown.length - 1].id } : null) };
    },
  }),
  operation({
    id: "getMe",
    method: "GET",
    path: "/me",
    tag: "People",
    summary: "Who the token acts for",
    scope: "read",
    responses: { 200: { description: "The token's owner and scope.", schema: Me }, 401: errors[401], 429: errors[429] },
    run: async ({ holder }) => ({ body: { ...holder.user, token: { scope: holder.scope } } }),
  }),
];

// --- History, related incidents, wording, republishing -----------------------------------------------

const findingPath = z.object({ ref: refParam, whyId: idParam("The why's id.") });
const findingQuery = z.object({ field: z.enum(WHY_FIELDS), match: z.string().min(1).max(500).meta({ description: "The flagged words, as the finding gives them." }) });

const analysis: Operation[] = [
  operation({
    id: "listHistory",
    method: "GET",
    path: "/incidents/{ref}/history",
    tag: "History",
    summary: "Read an incident's history",
    description: `Every change, newest first, ${HISTORY_PAGE_SIZE} a page.`,
    scope: "read",
    params: incidentPath,
    query: z.object({ cursor: cursorField(["after"]) }),
    responses: { 200: { description: "A page of events.", schema: HistoryPage }, ...readErrors, 400: errors[400] },
    run: async ({ holder, params, query }) => {
      const incident = await getIncident(holder.user, params.ref);
      const found = await pageOfEvents(holder.user, incident.id, { after: query.cursor?.after });
      return { body: page(found.events, found.older !== null ? { after: found.older } : null) };
    },
  }),
  operation({
    id: "listRelated",
    method: "GET",
    path: "/incidents/{ref}/related",
    tag: "History",
    summary: "List the incidents marked as related",
    description: "Those the token's owner may see.",
    scope: "read",
    params: incidentPath,
    responses: { 200: { description: "The related incidents (at most 50).", schema: RelatedPage }, ...readErrors },
    run: async ({ holder, params, origin }) => {
      const incident = await getIncident(holder.user, params.ref);
      return { body: page((await listRelated(holder.user, incident.id)).map((r) => relatedJson(origin, r)), null) };
    },
  }),
  operation({
    id: "linkRelated",
    method: "POST",
    path: "/incidents/{ref}/related",
    tag: "History",
    summary: "Mark another incident as related",
    scope: "write",
    params: incidentPath,
    body: z.object({ relatedId: relatedLink.shape.relatedId }),
    responses: { 200: { description: "Linked, both ways.", schema: RelatedPage }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      await linkIncidents(holder.user, params.ref, body.relatedId);
      return { body: page((await listRelated(holder.user, params.ref)).map((r) => relatedJson(origin, r)), null) };
    },
  }),
  operation({
    id: "unlinkRelated",
    method: "DELETE",
    path: "/incidents/{ref}/related/{other}",
    tag: "History",
    summary: "No longer mark an incident as related",
    scope: "write",
    params: z.object({ ref: refParam, other: refParam }),
    responses: { 204: { description: "Unlinked, both ways." }, ...writeErrors },
    run: async ({ holder, params }) => {
      await unlinkIncidents(holder.user, params.ref, params.other);
      return { status: 204 };
    },
  }),
  operation({
    id: "listFindings",
    method: "GET",
    path: "/incidents/{ref}/findings",
    tag: "Wording",
    summary: "List the wording the blameless check flagged",
    scope: "read",
    params: incidentPath,
    responses: { 200: { description: "Every finding, each with its acknowledgement if it was kept.", schema: FindingList }, ...readErrors },
    run: async ({ holder, params }) => {
      const incident = await getIncident(holder.user, params.ref);
      const items = [...(await findingsOf(incident.id))].flatMap(([whyId, findings]) =>
        findings.map((f) => ({
          whyId,
          field: f.field,
          match: f.match,
          kind: f.kind,
          explanation: f.explanation,
          suggestion: f.suggestion,
          rewording: f.rewrite?.sentence ?? null,
          acknowledged: f.acknowledged ?? null,
        })),
      );
      return { body: { items } };
    },
  }),
  operation({
    id: "acknowledgeFinding",
    method: "POST",
    path: "/incidents/{ref}/whys/{whyId}/acknowledgements",
    tag: "Wording",
    summary: "Keep a flagged wording, saying why",
    scope: "write",
    params: findingPath,
    body: acknowledgement.omit({ whyId: true }),
    responses: { 204: { description: "Kept, with the reason." }, ...writeErrors },
    run: async ({ holder, params, body }) => {
      await acknowledgeFinding(holder.user, params.ref, params.whyId, body.field, body.match, body.reason);
      return { status: 204 };
    },
  }),
  operation({
    id: "withdrawAcknowledgement",
    method: "DELETE",
    path: "/incidents/{ref}/whys/{whyId}/acknowledgements",
    tag: "Wording",
    summary: "Take back a kept wording",
    scope: "write",
    params: findingPath,
    query: findingQuery,
    responses: { 204: { description: "Flagged again." }, ...writeErrors },
    run: async ({ holder, params, query }) => {
      await withdrawAcknowledgement(holder.user, params.ref, params.whyId, query.field, query.match);
      return { status: 204 };
    },
  }),
  operation({
    id: "applySuggestion",
    method: "POST",
    path: "/incidents/{ref}/whys/{whyId}/rewordings",
    tag: "Wording",
    summary: "Take the suggested rewording of a flagged wording",
    description: "If-Match names the why's version read.",
    scope: "write",
    params: findingPath,
    body: findingQuery,
    ifMatch: "required",
    responses: { 200: { description: "Reworded.", schema: WhyRep, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const row = await applySuggestion(holder.user, params.ref, params.whyId, version!, body.field, body.match);
      return { body: await whyOf(origin, await getIncident(holder.user, params.ref), params.whyId), headers: { ETag: etag(row.version) } };
    },
    current: async ({ holder, params, origin }) => whyOf(origin, await getIncident(holder.user, params.ref), params.whyId),
  }),
  operation({
    id: "republish",
    method: "POST",
    path: "/incidents/{ref}/republications",
    tag: "Incidents",
    summary: "Publish a published analysis again, with its changes",
    description: "The same checks as the first publication; the learning shows the new revision.",
    scope: "write",
    params: incidentPath,
    responses: { 201: { description: "Republished.", schema: Republication }, ...writeErrors },
    run: async ({ holder, params, origin }) => {
      const revision = await republish(holder.user, params.ref);
      const learning = `${origin}${API_BASE}/learnings/${reference(params.ref)}`;
      return { status: 201, body: { revision, links: { learning } }, headers: { Location: learning } };
    },
  }),
];

export const OPERATIONS: Operation[] = [
  ...incidents,
  ...whys,
  ...timeline,
  ...actions,
  ...analysis,
  ...reading,
  ...INTEGRATIONS,
  ...ACCOUNT,
  ...SESSIONS,
  // Last: the fuzz test's admin token may revoke itself through these.
  ...ADMINISTRATION,
];
