import { z } from "zod";
import { ACTION_STATUSES, PRIORITIES } from "~/models/action";
import { SEVERITIES, STATUSES, VISIBILITIES, type Severity, type Status } from "~/models/incident";
import { WHY_FIELDS } from "~/models/blame";
import type { Action, ActionListItem } from "~/models/action.server";
import type { Incident, IncidentListItem } from "~/models/incident.server";
import type { TimelineEntry } from "~/models/timeline.server";
import type { WhyNode } from "~/models/why-tree";
import type { Learning, Publication } from "~/models/publication.server";
import type { SearchHit } from "~/models/search";
import { API_BASE } from "../api.server";

// What the API answers with: each resource's JSON as a zod schema (which the OpenAPI document
// describes and the tests check real answers against) and the function that writes it from the
// models' own types. Markdown comes with the sanitized HTML stored beside it; people are named
// by id and name (their email addresses stay on the People page).

/** Every schema the document names, by its component name. */
export const components = z.registry<{ id: string }>();

const names = new Set<string>();

/**
 * Names a schema in the document: it is written once under components and referred to by name.
 * A name is given once: two schemas of one name would leave one of them undocumented. (The
 * development server reloads a changed module on its own, naming its schemas again: not checked there.)
 */
export const named = <S extends z.ZodType>(id: string, schema: S): S => {
  if (names.has(id) && process.env.NODE_ENV !== "development") throw new Error(`Two API schemas are named ${id}.`);
  names.add(id);
  components.add(schema, { id });
  return schema;
};

export const time = z.string().meta({ format: "date-time", description: "ISO 8601, UTC." });
export const date = z.string().meta({ format: "date", description: "A calendar date, 2026-12-07." });
export const url = z.string().meta({ format: "uri" });

export const PersonRef = named("PersonRef", z.object({ id: z.number().int(), name: z.string() }));

export const Problem = named(
  "Problem",
  z
    .object({
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      errors: z.array(z.object({ pointer: z.string(), detail: z.string(), whyId: z.number().int().optional() })).optional(),
      in: z.enum(["query", "path", "header"]).optional(),
      current: z.unknown().optional(),
    })
    .meta({ description: "RFC 9457 problem details (application/problem+json); a stale write's 409 carries the resource as it is now in `current`." }),
);

/** A page of a list and where the next one starts (null on the last page). */
export function pageOf<S extends z.ZodType>(id: string, item: S) {
  return named(id, z.object({ items: z.array(item), nextCursor: z.string().nullable() }));
}

// --- Incidents -----------------------------------------------------------------------------------

export const IncidentLinks = z.object({ self: url, page: url, whys: url, timeline: url, actions: url });

export const IncidentRep = named(
  "Incident",
  z.object({
    reference: z.string().meta({ description: "INC-7" }),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(STATUSES),
    visibility: z.enum(VISIBILITIES),
    startedAt: time,
    detectedAt: time.nullable(),
    resolvedAt: time.nullable(),
    services: z.array(z.string()),
    impactMd: z.string(),
    impactHtml: z.string(),
    summaryMd: z.string(),
    summaryHtml: z.string(),
    facilitator: PersonRef,
    participants: z.array(PersonRef),
    publishedAt: time.nullable(),
    createdAt: time,
    updatedAt: time,
    version: z.number().int().meta({ description: "Send it back in If-Match to change the incident." }),
    links: IncidentLinks,
  }),
);

export const IncidentSummary = named(
  "IncidentSummary",
  z.object({
    reference: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(STATUSES),
    visibility: z.enum(VISIBILITIES),
    startedAt: time,
    facilitatorName: z.string(),
    services: z.array(z.string()),
    links: z.object({ self: url, page: url }),
  }),
);

export const IncidentPage = pageOf("IncidentPage", IncidentSummary);

function incidentLinks(origin: string, reference: string) {
  const self = `${origin}${API_BASE}/incidents/${reference}`;
  return { self, page: `${origin}/incidents/${reference}`, whys: `${self}/whys`, timeline: `${self}/timeline`, actions: `${self}/actions` };
}

const personRef = (p: { id: number; name: string }) => ({ id: p.id, name: p.name });

export function incidentJson(origin: string, incident: Incident): z.infer<typeof IncidentRep> {
  return {
    reference: incident.reference,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    visibility: incident.visibility,
    startedAt: incident.startedAt,
    detectedAt: incident.detectedAt,
    resolvedAt: incident.resolvedAt,
    services: incident.services,
    impactMd: incident.impactMd,
    impactHtml: incident.impactHtml,
    summaryMd: incident.summaryMd,
    summaryHtml: incident.summaryHtml,
    facilitator: personRef(incident.facilitator),
    participants: incident.participants.map(personRef),
    publishedAt: incident.publishedAt,
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    version: incident.version,
    links: incidentLinks(origin, incident.reference),
  };
}

export function incidentSummaryJson(origin: string, item: IncidentListItem): z.infer<typeof IncidentSummary> {
  const links = incidentLinks(origin, item.reference);
  return {
    reference: item.reference,
    title: item.title,
    severity: item.severity,
    status: item.status,
    visibility: item.visibility,
    startedAt: item.startedAt,
    facilitatorName: item.facilitatorName,
    services: item.services,
    links: { self: links.self, page: links.page },
  };
}

// --- Whys --------------------------------------------------------------------------------------

type WhyJson = {
  id: number;
  parentId: number | null;
  level: number;
  question: string;
  answer: string;
  category: string;
  remediationMd: string;
  remediationHtml: string;
  noRemediationReason: string;
  noActionReason: string;
  rootReached: boolean;
  version: number;
  links: { self: string };
  children: WhyJson[];
};

export const WhyRep: z.ZodType<WhyJson> = named(
  "Why",
  z.object({
    id: z.number().int(),
    parentId: z.number().int().nullable(),
    level: z.number().int().meta({ description: "1 for a first why, 2 for a why asked of its answer, …" }),
    question: z.string(),
    answer: z.string(),
    category: z.string(),
    remediationMd: z.string(),
    remediationHtml: z.string(),
    noRemediationReason: z.string(),
    noActionReason: z.string(),
    rootReached: z.boolean(),
    version: z.number().int(),
    links: z.object({ self: url }),
    get children() {
      return z.array(WhyRep);
    },
  }),
);

export const WhyTree = named(
  "WhyTree",
  z.object({ incident: z.string(), whys: z.array(WhyRep).meta({ description: "The first whys, each with the whys asked below it." }) }),
);

export function whyJson(origin: string, reference: string, node: WhyNode): WhyJson {
  // Recursive: a tree is at most LIMITS.depth deep, so the call stack stays shallow.
  return {
    id: node.id,
    parentId: node.parentId,
    level: node.level,
    question: node.question,
    answer: node.answer,
    category: node.category,
    remediationMd: node.remediationMd,
    remediationHtml: node.remediationHtml,
    noRemediationReason: node.noRemediationReason,
    noActionReason: node.noActionReason,
    rootReached: node.rootReached,
    version: node.version,
    links: { self: `${origin}${API_BASE}/incidents/${reference}/whys/${node.id}` },
    children: node.children.map((child) => whyJson(origin, reference, child)),
  };
}

export const WhyDeletion = named("WhyDeletion", z.object({ deletedWhys: z.number().int(), actionsKept: z.number().int() }));

// --- Timeline ----------------------------------------------------------------------------------

export const TimelineEntryRep = named(
  "TimelineEntry",
  z.object({ id: z.number().int(), at: time, bodyMd: z.string(), bodyHtml: z.string(), version: z.number().int(), links: z.object({ self: url }) }),
);
export const TimelinePage = pageOf("TimelinePage", TimelineEntryRep);

export function timelineJson(origin: string, reference: string, entry: TimelineEntry): z.infer<typeof TimelineEntryRep> {
  return { ...entry, links: { self: `${origin}${API_BASE}/incidents/${reference}/timeline/${entry.id}` } };
}

// --- Actions -----------------------------------------------------------------------------------

const IncidentRef = z.object({ reference: z.string(), title: z.string() });

export const ActionRep = named(
  "Action",
  z.object({
    id: z.number().int(),
    incident: IncidentRef,
    whyId: z.number().int().nullable().meta({ description: "The why whose remediation it carries out." }),
    title: z.string(),
    descriptionMd: z.string(),
    descriptionHtml: z.string(),
    owner: PersonRef,
    dueDate: date,
    priority: z.enum(PRIORITIES),
    status: z.enum(ACTION_STATUSES),
    wontDoReason: z.string(),
    trackerUrl: z.string(),
    completedAt: time.nullable(),
    createdAt: time,
    version: z.number().int(),
    links: z.object({ self: url, page: url, incident: url }),
  }),
);

export const ActionSummary = named(
  "ActionSummary",
  z.object({
    id: z.number().int(),
    incident: IncidentRef.extend({ severity: z.enum(SEVERITIES) }),
    whyQuestion: z.string().nullable(),
    title: z.string(),
    owner: PersonRef.extend({ team: z.string() }),
    dueDate: date,
    priority: z.enum(PRIORITIES),
    status: z.enum(ACTION_STATUSES),
    overdue: z.boolean(),
    completedAt: time.nullable(),
    links: z.object({ self: url, page: url }),
  }),
);
export const ActionPage = pageOf("ActionPage", ActionSummary);
export const IncidentActionPage = pageOf("IncidentActionPage", ActionRep);

function actionLinks(origin: string, id: number) {
  return { self: `${origin}${API_BASE}/actions/${id}`, page: `${origin}/actions/${id}` };
}

export function actionJson(origin: string, incident: { reference: string; title: string }, action: Action): z.infer<typeof ActionRep> {
  return {
    id: action.id,
    incident: { reference: incident.reference, title: incident.title },
    whyId: action.whyId,
    title: action.title,
    descriptionMd: action.descriptionMd,
    descriptionHtml: action.descriptionHtml,
    owner: { id: action.ownerId, name: action.ownerName },
    dueDate: action.dueDate,
    priority: action.priority,
    status: action.status,
    wontDoReason: action.wontDoReason,
    trackerUrl: action.trackerUrl,
    completedAt: action.completedAt,
    createdAt: action.createdAt,
    version: action.version,
    links: { ...actionLinks(origin, action.id), incident: `${origin}${API_BASE}/incidents/${incident.reference}` },
  };
}

export function actionSummaryJson(origin: string, item: ActionListItem): z.infer<typeof ActionSummary> {
  return {
    id: item.id,
    incident: { reference: item.incidentReference, title: item.incidentTitle, severity: item.severity },
    whyQuestion: item.whyQuestion,
    title: item.title,
    owner: { id: item.ownerId, name: item.ownerName, team: item.ownerTeam },
    dueDate: item.dueDate,
    priority: item.priority,
    status: item.status,
    overdue: item.overdue,
    completedAt: item.completedAt,
    links: actionLinks(origin, item.id),
  };
}

// --- Learnings ---------------------------------------------------------------------------------

type SnapshotWhyJson = { level: number; question: string; answer: string; remediationMd: string; remediationHtml: string; noRemediationReason: string; category: string; children: SnapshotWhyJson[] };

export const PublishedWhy: z.ZodType<SnapshotWhyJson> = named(
  "PublishedWhy",
  z.object({
    level: z.number().int(),
    question: z.string(),
    answer: z.string(),
    remediationMd: z.string(),
    remediationHtml: z.string(),
    noRemediationReason: z.string(),
    category: z.string(),
    get children() {
      return z.array(PublishedWhy);
    },
  }),
);

export const LearningSummary = named(
  "LearningSummary",
  z.object({
    reference: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    revision: z.number().int(),
    firstPublishedAt: time,
    publishedAt: time,
    links: z.object({ self: url, page: url }),
  }),
);
export const LearningPage = pageOf("LearningPage", LearningSummary);

export const LearningRep = named(
  "Learning",
  z
    .object({
      reference: z.string(),
      title: z.string(),
      severity: z.enum(SEVERITIES),
      services: z.array(z.string()),
      startedAt: time,
      detectedAt: time.nullable(),
      resolvedAt: time.nullable(),
      impactMd: z.string(),
      impactHtml: z.string(),
      summaryMd: z.string(),
      summaryHtml: z.string(),
      facilitator: z.string(),
      categories: z.array(z.string()),
      whys: z.array(PublishedWhy),
      actions: z.array(z.object({ title: z.string(), ownerName: z.string(), status: z.enum(ACTION_STATUSES), dueDate: date, whyQuestion: z.string().nullable() })),
      revision: z.number().int(),
      publishedAt: time,
      publishedBy: z.string(),
      links: z.object({ self: url, page: url, incident: url }),
    })
    .meta({ description: "The analysis as it was published (its latest revision), whatever changed on the incident since." }),
);

function learningLinks(origin: string, reference: string) {
  return { self: `${origin}${API_BASE}/learnings/${reference}`, page: `${origin}/learnings/${reference}` };
}

export function learningSummaryJson(origin: string, learning: Learning): z.infer<typeof LearningSummary> {
  return {
    reference: learning.reference,
    title: learning.title,
    severity: learning.severity,
    revision: learning.revision,
    firstPublishedAt: learning.firstPublishedAt,
    publishedAt: learning.publishedAt,
    links: learningLinks(origin, learning.reference),
  };
}

function snapshotWhyJson(why: Publication["snapshot"]["whys"][number]): SnapshotWhyJson {
  return {
    level: why.level,
    question: why.question,
    answer: why.answer,
    remediationMd: why.remediationMd,
    remediationHtml: why.remediationHtml,
    noRemediationReason: why.noRemediationReason,
    category: why.category,
    children: why.children.map(snapshotWhyJson),
  };
}

export function learningJson(origin: string, publication: Publication): z.infer<typeof LearningRep> {
  const s = publication.snapshot;
  return {
    reference: s.reference,
    title: s.title,
    severity: s.severity,
    services: s.services,
    startedAt: s.startedAt,
    detectedAt: s.detectedAt,
    resolvedAt: s.resolvedAt,
    impactMd: s.impactMd,
    impactHtml: s.impactHtml,
    summaryMd: s.summaryMd,
    summaryHtml: s.summaryHtml,
    facilitator: s.facilitator,
    categories: s.categories,
    whys: s.whys.map(snapshotWhyJson),
    actions: s.actions.map((a) => ({ title: a.title, ownerName: a.ownerName, status: a.status, dueDate: a.dueDate, whyQuestion: a.whyQuestion })),
    revision: publication.revision,
    publishedAt: publication.publishedAt,
    publishedBy: publication.publishedByName,
    links: { ...learningLinks(origin, s.reference), incident: `${origin}${API_BASE}/incidents/${s.reference}` },
  };
}

// --- Search ------------------------------------------------------------------------------------

export const SearchHitRep = named(
  "SearchHit",
  z.object({
    kind: z.enum(["incident", "why", "remediation", "timeline", "action"]),
    heading: z.string(),
    field: z.string(),
    snippet: z.string().meta({ description: "Plain text around the match; `matches` lists the matched words." }),
    matches: z.array(z.string()),
    incident: z.object({ reference: z.string(), title: z.string(), severity: z.enum(SEVERITIES), status: z.enum(STATUSES), startedAt: time }),
    links: z.object({ page: url, incident: url }),
  }),
);
export const SearchPage = named(
  "SearchPage",
  z.object({
    items: z.array(SearchHitRep),
    nextCursor: z.string().nullable(),
    total: z.number().int().meta({ description: "How many results there are, up to 1000." }),
    more: z.boolean().meta({ description: "Whether more than 1000 match: narrow the search to reach them." }),
  }),
);

export function searchHitJson(origin: string, hit: SearchHit): z.infer<typeof SearchHitRep> {
  const text = (segments: SearchHit["snippet"]) => segments.map((s) => s.text).join("");
  const matches = [...new Set([...hit.heading, ...hit.snippet].filter((s) => s.hit).map((s) => s.text))];
  return {
    kind: hit.kind,
    heading: text(hit.heading),
    field: hit.field,
    snippet: text(hit.snippet),
    matches,
    incident: {
      reference: hit.incident.reference,
      title: hit.incident.title,
      severity: hit.incident.severity,
      status: hit.incident.status,
      startedAt: hit.incident.startedAt,
    },
    links: { page: `${origin}${hit.href}`, incident: `${origin}${API_BASE}/incidents/${hit.incident.reference}` },
  };
}

// --- History, related incidents, wording findings ------------------------------------------------

export const HistoryEvent = named(
  "HistoryEvent",
  z.object({
    id: z.number().int(),
    kind: z.string().meta({ description: "incident.reported, why.added, action.updated, …" }),
    summary: z.string(),
    changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).meta({ description: "Each changed field, as [before, after]." }),
    afterPublication: z.boolean(),
    createdAt: time,
    actorName: z.string(),
  }),
);
export const HistoryPage = pageOf("HistoryPage", HistoryEvent);

export const RelatedIncidentRep = named(
  "RelatedIncident",
  z.object({ reference: z.string(), title: z.string(), severity: z.enum(SEVERITIES), status: z.enum(STATUSES), startedAt: time, links: z.object({ self: url, page: url }) }),
);
export const RelatedPage = pageOf("RelatedPage", RelatedIncidentRep);

export function relatedJson(origin: string, related: { reference: string; title: string; severity: Severity; status: Status; startedAt: string }): z.infer<typeof RelatedIncidentRep> {
  const links = incidentLinks(origin, related.reference);
  return { reference: related.reference, title: related.title, severity: related.severity, status: related.status, startedAt: related.startedAt, links: { self: links.self, page: links.page } };
}

export const FindingRep = named(
  "WordingFinding",
  z
    .object({
      whyId: z.number().int(),
      field: z.enum(WHY_FIELDS),
      match: z.string(),
      kind: z.string(),
      explanation: z.string(),
      suggestion: z.string(),
      rewording: z.string().nullable().meta({ description: "The sentence as the suggested rewording reads, when one is offered." }),
      acknowledged: z.object({ reason: z.string(), byName: z.string() }).nullable(),
    })
    .meta({ description: "Wording the blameless check flagged in a why. Publishing waits until each is reworded or acknowledged with a reason." }),
);
export const FindingList = named("WordingFindings", z.object({ items: z.array(FindingRep) }));

export const Republication = named("Republication", z.object({ revision: z.number().int(), links: z.object({ learning: url }) }));

// --- People ------------------------------------------------------------------------------------

export const PersonRep = named("Person", z.object({ id: z.number().int(), name: z.string(), team: z.string() }));
export const PersonPage = pageOf("PersonPage", PersonRep);

export const Me = named(
  "Me",
  z.object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    team: z.string(),
    role: z.enum(["admin", "member"]),
    token: z.object({ scope: z.enum(["read", "write"]) }),
  }),
);
