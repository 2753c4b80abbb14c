import { and, desc, eq, gte, sql, type SQL } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { HttpError } from "~/lib/http.server";
import { categoryAliases } from "./category.server";
import type { Viewer } from "./access";
import type { ActionStatus } from "./action";
import { recordEvent } from "./audit.server";
import { reference, type Severity } from "./incident";
import { publishCheck, PublishBlocked, requireIncident, type Incident } from "./incident.server";
import { learningContent } from "./learning.server";
import { buildTree, flatten, type WhyNode } from "./why-tree";

const { actions, incidents, learningCategories, learnings, learningServices, publications, users, whys } = schema;

export type SnapshotWhy = {
  level: number;
  question: string;
  answer: string;
  remediationMd: string;
  remediationHtml: string;
  noRemediationReason: string;
  category: string;
  children: SnapshotWhy[];
};

/** An analysis as it was published: what the feed, the page for readers and the digest show. */
export type Snapshot = {
  reference: string;
  title: string;
  severity: Severity;
  services: string[];
  startedAt: string;
  detectedAt: string | null;
  resolvedAt: string | null;
  impactMd: string;
  impactHtml: string;
  summaryMd: string;
  summaryHtml: string;
  facilitator: string;
  whys: SnapshotWhy[];
  categories: string[];
  actions: { title: string; ownerName: string; status: ActionStatus; dueDate: string; whyQuestion: string | null }[];
};

function snapshotWhys(nodes: WhyNode[]): SnapshotWhy[] {
  return nodes.map((n) => ({
    level: n.level,
    question: n.question,
    answer: n.answer,
    remediationMd: n.remediationMd,
    remediationHtml: n.remediationHtml,
    noRemediationReason: n.noRemediationReason,
    category: n.category,
    children: snapshotWhys(n.children),
  }));
}

export type SnapshotFacts = Omit<Snapshot, "whys" | "categories" | "actions">;

/** A snapshot from an incident's facts, its why tree and its actions: the one shape wherever one is made. */
export function buildSnapshot(facts: SnapshotFacts, tree: WhyNode[], actionList: Snapshot["actions"]): Snapshot {
  return {
    ...facts,
    whys: snapshotWhys(tree),
    categories: [...new Set(flatten(tree).map((n) => n.category).filter(Boolean))],
    actions: actionList,
  };
}

export function snapshotOf(tx: Tx, incident: Incident): Snapshot {
  const rows = tx.select().from(whys).where(eq(whys.incidentId, incident.id)).all();
  const tree = buildTree(rows);
  const actionRows = tx
    .select({ title: actions.title, ownerName: users.name, status: actions.status, dueDate: actions.dueDate, whyQuestion: whys.question })
    .from(actions)
    .innerJoin(users, eq(users.id, actions.ownerId))
    .leftJoin(whys, eq(whys.id, actions.whyId))
    .where(eq(actions.incidentId, incident.id))
    .orderBy(actions.id)
    .all();
  const facts: SnapshotFacts = {
    reference: incident.reference,
    title: incident.title,
    severity: incident.severity,
    services: incident.services,
    startedAt: incident.startedAt,
    detectedAt: incident.detectedAt,
    resolvedAt: incident.resolvedAt,
    impactMd: incident.impactMd,
    impactHtml: incident.impactHtml,
    summaryMd: incident.summaryMd,
    summaryHtml: incident.summaryHtml,
    facilitator: incident.facilitator.name,
  };
  return buildSnapshot(facts, tree, actionRows);
}

/** Stores what is being published now, as the next revision. */
export function recordPublication(tx: Tx, actor: Viewer, incident: Incident, at: string) {
  const last = tx
    .select({ revision: sql<number>`max(${publications.revision})` })
    .from(publications)
    .where(eq(publications.incidentId, incident.id))
    .get();
  const revision = (last?.revision ?? 0) + 1;
  const snapshot = snapshotOf(tx, incident);
  const { id } = tx
    .insert(publications)
    .values({ incidentId: incident.id, revision, publishedAt: at, publishedById: actor.id, snapshot: JSON.stringify(snapshot) })
    .returning({ id: publications.id })
    .get();
  // What the feed shows, drawn from the snapshot now rather than each time it is read.
  const firstPublishedAt = incident.publishedAt ?? at;
  tx.update(learnings).set({ latest: false }).where(and(eq(learnings.incidentId, incident.id), eq(learnings.latest, true))).run();
  tx.insert(learnings)
    .values({
      publicationId: id,
      incidentId: incident.id,
      revision,
      latest: true,
      visibility: incident.visibility,
      firstPublishedAt,
      publishedAt: at,
      title: snapshot.title,
      severity: snapshot.severity,
      content: JSON.stringify(learningContent(snapshot)),
    })
    .run();
  // The feed's filters follow the latest publication.
  tx.delete(learningServices).where(eq(learningServices.incidentId, incident.id)).run();
  tx.delete(learningCategories).where(eq(learningCategories.incidentId, incident.id)).run();
  const facet = { incidentId: incident.id, publicationId: id, visibility: incident.visibility, firstPublishedAt };
  if (snapshot.services.length > 0) tx.insert(learningServices).values(snapshot.services.map((service) => ({ ...facet, service }))).run();
  if (snapshot.categories.length > 0) tx.insert(learningCategories).values(snapshot.categories.map((category) => ({ ...facet, category }))).run();
  return revision;
}

export type Publication = { revision: number; publishedAt: string; publishedByName: string; snapshot: Snapshot };

export function latestPublication(incidentId: number, tx: Tx = db()): Publication | undefined {
  const row = tx
    .select({ revision: publications.revision, publishedAt: publications.publishedAt, publishedByName: users.name, snapshot: publications.snapshot })
    .from(publications)
    .innerJoin(users, eq(users.id, publications.publishedById))
    .where(eq(publications.incidentId, incidentId))
    .orderBy(desc(publications.revision))
    .limit(1)
    .get();
  return row ? { ...row, snapshot: JSON.parse(row.snapshot) as Snapshot } : undefined;
}

/** Changes recorded since the latest publication: what "updated since publication" refers to. */
const changesSince = prepared((d) =>
  d
    .select({ count: sql<number>`count(*)`, lastAt: sql<string | null>`max(${schema.auditEvents.createdAt})` })
    .from(schema.auditEvents)
    .where(
      and(
        eq(schema.auditEvents.incidentId, sql.placeholder("incidentId")),
        // Never published: compared with null, nothing counts.
        sql`${schema.auditEvents.createdAt} > (select max(p.published_at) from ${publications} p where p.incident_id = ${sql.placeholder("incidentId")})`,
        sql`${schema.auditEvents.kind} not in ('incident.published', 'incident.republished', 'incident.closed', 'incident.reopened', 'action.status')`,
      ),
    )
    .prepare(),
);

export function changesSincePublication(incidentId: number): { count: number; lastAt: string | null } {
  const row = changesSince().get({ incidentId });
  return { count: row?.count ?? 0, lastAt: row?.lastAt ?? null };
}

/** Publishes the incident's current state again, after edits made since it was published. */
export function republish(actor: Viewer, incidentId: number): number {
  return db().transaction((tx) => {
    const incident = requireIncident(actor, incidentId, "manage");
    if (incident.status !== "published" && incident.status !== "closed") {
      throw new HttpError(409, "Only a published incident can be republished.");
    }
    // What goes out again meets the same bar as the first publication.
    const problems = publishCheck(incident, tx);
    if (problems.length > 0) throw new PublishBlocked(problems);
    const at = new Date().toISOString();
    const revision = recordPublication(tx, actor, incident, at);
    recordEvent(tx, { incident, actorId: actor.id, kind: "incident.republished", summary: `Republished the analysis (revision ${revision})` });
    return revision;
  });
}

// --- The learnings feed -------------------------------------------------------------------

export const PERIODS = { "30d": 30, "90d": 90, "365d": 365 } as const;
export type Period = keyof typeof PERIODS;

export type LearningFilters = { service?: string; severity?: Severity; category?: string; period?: Period };

export type Learning = {
  incidentId: number;
  reference: string;
  firstPublishedAt: string;
  revision: number;
  publishedAt: string;
  snapshot: Snapshot;
};

/**
 * Published analyses for everyone, newest first: the latest revision of each. Restricted
 * incidents never appear, whoever asks, and neither does one made restricted after publishing.
 */
export function listLearnings(filters: LearningFilters, options: { limit: number; offset?: number; now?: Date }) {
  const since = filters.period ? new Date((options.now ?? new Date()).getTime() - PERIODS[filters.period] * 86_400_000).toISOString() : undefined;
  const where: SQL | undefined = and(
    eq(incidents.visibility, "org"),
    sql`${publications.revision} = (select max(p2.revision) from ${publications} p2 where p2.incident_id = ${publications.incidentId})`,
    filters.severity ? sql`json_extract(${publications.snapshot}, '$.severity') = ${filters.severity}` : undefined,
    filters.service ? sql`exists (select 1 from json_each(${publications.snapshot}, '$.services') where value = ${filters.service})` : undefined,
    filters.category
      ? sql`exists (select 1 from json_each(${publications.snapshot}, '$.categories') where value in (select value from json_each(${JSON.stringify(categoryAliases(filters.category))})))`
      : undefined,
    since ? gte(incidents.publishedAt, since) : undefined,
  );
  const base = db()
    .select({
      incidentId: publications.incidentId,
      firstPublishedAt: incidents.publishedAt,
      revision: publications.revision,
      publishedAt: publications.publishedAt,
      snapshot: publications.snapshot,
    })
    .from(publications)
    .innerJoin(incidents, eq(incidents.id, publications.incidentId))
    .where(where);
  const rows = base.orderBy(desc(incidents.publishedAt), desc(incidents.id)).limit(options.limit).offset(options.offset ?? 0).all();
  const total =
    db()
      .select({ n: sql<number>`count(*)` })
      .from(publications)
      .innerJoin(incidents, eq(incidents.id, publications.incidentId))
      .where(where)
      .get()?.n ?? 0;
  const items: Learning[] = rows.map((r) => ({
    ...r,
    reference: reference(r.incidentId),
    firstPublishedAt: r.firstPublishedAt ?? r.publishedAt,
    snapshot: JSON.parse(r.snapshot) as Snapshot,
  }));
  return { items, total };
}

/** One published analysis, for its page; 404 unless published and visible to the reader. */
export function getLearning(viewer: Viewer, incidentId: number): { incident: Incident; publication: Publication } {
  const incident = requireIncident(viewer, incidentId, "view");
  const publication = latestPublication(incidentId);
  if (!publication) throw new Response("Not found", { status: 404 });
  return { incident, publication };
}

// --- Feed tokens ----------------------------------------------------------------------------

/** The user's private token for the Atom feed, made on first use. */
export function feedTokenFor(userId: number): string {
  const row = db().select({ token: users.feedToken }).from(users).where(eq(users.id, userId)).get();
  if (row?.token) return row.token;
  const token = randomBytes(24).toString("base64url");
  db().update(users).set({ feedToken: token }).where(eq(users.id, userId)).run();
  return token;
}

export function userForFeedToken(token: string): Viewer | undefined {
  if (!token) return undefined;
  return db()
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(and(eq(users.feedToken, token), sql`${users.removedAt} is null`))
    .get();
}
