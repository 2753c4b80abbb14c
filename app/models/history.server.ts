import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import type { Viewer } from "./authorization";
import { RELATED, type Changes } from "./audit.server";
import { reference } from "./incident";
import { viewableBy } from "./authorization.server";
import { keysetOf, keysetPage, type Cursors, type Keyset } from "./paging";

// An incident's history as each reader may read it. Recording events (audit.server.ts) sits
// below every model that changes an incident; reading them needs the visibility rule above it.

const { auditEvents, users } = schema;

export type AuditEntry = {
  id: number;
  kind: string;
  summary: string;
  changes: Changes;
  afterPublication: boolean;
  createdAt: string;
  actorName: string;
};

/** Events shown on one page of an incident's history. */
export const HISTORY_PAGE_SIZE = 100;

/**
 * The incident's history, newest first, as this viewer may read it: another incident an event
 * is about is named by its reference only if the viewer may see that incident now.
 */
export async function listEvents(viewer: Viewer, incidentId: number): Promise<AuditEntry[]> {
  return await eventsQuery(viewer, incidentId, undefined, undefined);
}

/** One page of the history by keyset: an incident edited many times keeps every event, and each page costs the same. */
export async function pageOfEvents(viewer: Viewer, incidentId: number, keyset: Keyset): Promise<{ events: AuditEntry[] } & Cursors> {
  const { cursor, backwards } = keysetOf(keyset);
  const rows = await eventsQuery(viewer, incidentId, cursor === undefined ? undefined : { id: cursor, backwards }, HISTORY_PAGE_SIZE + 1);
  const { shown, newer, older } = keysetPage(rows, HISTORY_PAGE_SIZE, keyset, (e) => e.id);
  return { events: shown, newer, older };
}

async function eventsQuery(viewer: Viewer, incidentId: number, from: { id: number; backwards: boolean } | undefined, limit: number | undefined): Promise<AuditEntry[]> {
  const seen = viewableBy(viewer, "r") ?? sql`true`;
  const query = db()
    .select({
      id: auditEvents.id,
      kind: auditEvents.kind,
      summary: auditEvents.summary,
      changes: auditEvents.changes,
      afterPublication: auditEvents.afterPublication,
      createdAt: auditEvents.createdAt,
      actorName: users.name,
      relatedId: auditEvents.relatedIncidentId,
      relatedSeen: sql<number>`exists (select 1 from incidents r where r.id = ${auditEvents.relatedIncidentId} and ${seen})`,
    })
    .from(auditEvents)
    .innerJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(eq(auditEvents.incidentId, incidentId), from ? (from.backwards ? gt(auditEvents.id, from.id) : lt(auditEvents.id, from.id)) : undefined))
    .orderBy(from?.backwards ? asc(auditEvents.id) : desc(auditEvents.id));
  const rows = await (limit === undefined ? query.all() : query.limit(limit).all());
  return rows.map(({ relatedId, relatedSeen, ...row }) => ({
    ...row,
    summary: row.summary.replace(RELATED, relatedId === null ? "another incident" : relatedSeen ? reference(relatedId) : "an incident you cannot see"),
    changes: JSON.parse(row.changes) as Changes,
  }));
}
