import { and, eq, sql } from "drizzle-orm";
import { schema, type Tx } from "~/lib/db.server";
import type { Viewer } from "./authorization";
import type { ActionStatus } from "./action";
import type { Severity } from "./incident";
import type { Incident } from "./incident.server";
import { learningContent } from "./learning.server";
import { personName } from "./user.server";
import { buildTree, flatten, type WhyNode } from "./why-tree";
import { assertWithinLimit } from "./limits.server";

// What publishing stores: the analysis as it is now (a snapshot), and what the learnings feed
// shows of it. The incident model publishes and publication.server.ts republishes and reads;
// both call recordPublication, which needs neither.

const { actions, learningCategories, learnings, learningServices, publications, users, whys } = schema;

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

export async function snapshotOf(tx: Tx, incident: Incident): Promise<Snapshot> {
  const rows = await tx.select().from(whys).where(eq(whys.incidentId, incident.id)).all();
  const tree = buildTree(rows);
  const actionRows = await tx
    .select({ title: actions.title, ownerName: personName, status: actions.status, dueDate: actions.dueDate, whyQuestion: whys.question })
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
export async function recordPublication(tx: Tx, actor: Viewer, incident: Incident, at: string): Promise<number> {
  const last = await tx
    .select({ revision: sql<number>`max(${publications.revision})` })
    .from(publications)
    .where(eq(publications.incidentId, incident.id))
    .get();
  const revision = (last?.revision ?? 0) + 1;
  assertWithinLimit("publicationsPerIncident", revision);
  const snapshot = await snapshotOf(tx, incident);
  const { id } = await tx
    .insert(publications)
    .values({ incidentId: incident.id, revision, publishedAt: at, publishedById: actor.id, snapshot: JSON.stringify(snapshot) })
    .returning({ id: publications.id })
    .get();
  // What the feed shows, drawn from the snapshot now rather than each time it is read.
  const firstPublishedAt = incident.publishedAt ?? at;
  await tx.update(learnings).set({ latest: false }).where(and(eq(learnings.incidentId, incident.id), eq(learnings.latest, true))).run();
  await tx.insert(learnings)
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
  await tx.delete(learningServices).where(eq(learningServices.incidentId, incident.id)).run();
  await tx.delete(learningCategories).where(eq(learningCategories.incidentId, incident.id)).run();
  const facet = { incidentId: incident.id, publicationId: id, visibility: incident.visibility, firstPublishedAt };
  if (snapshot.services.length > 0) await tx.insert(learningServices).values(snapshot.services.map((service) => ({ ...facet, service }))).run();
  if (snapshot.categories.length > 0) await tx.insert(learningCategories).values(snapshot.categories.map((category) => ({ ...facet, category }))).run();
  return revision;
}
