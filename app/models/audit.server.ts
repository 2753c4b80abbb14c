import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";
import type { Viewer } from "./authorization";
import { reference } from "./incident";
import { viewableBy } from "./authorization.server";
import { keysetOf, keysetPage, type Cursors, type Keyset } from "./paging";

const { auditEvents, users } = schema;

/** Where a summary names the event's related incident: filled in for each reader (listEvents). */
export const RELATED = "{related}";

export type Changes = Record<string, [unknown, unknown]>;

/** Fields whose value differs between before and after, as { field: [before, after] }. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): Changes {
  const changes: Changes = {};
  for (const key of Object.keys(after) as (keyof T & string)[]) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) changes[key] = [a ?? null, b ?? null];
  }
  return changes;
}

export type AuditInput = {
  incident: { id: number; publishedAt: string | null };
  actorId: number;
  kind: string;
  summary: string;
  changes?: Changes;
  /** Another incident the summary names as RELATED. */
  relatedIncidentId?: number;
};

/** Records who changed what; changes made after publication are marked as such. */
export function recordEvent(tx: Tx, event: AuditInput) {
  tx.insert(auditEvents)
    .values({
      incidentId: event.incident.id,
      actorId: event.actorId,
      kind: event.kind,
      summary: event.summary,
      changes: JSON.stringify(event.changes ?? {}),
      relatedIncidentId: event.relatedIncidentId ?? null,
      afterPublication: event.incident.publishedAt !== null,
    })
    .run();
}

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
export function listEvents(viewer: Viewer, incidentId: number): AuditEntry[] {
  return eventsQuery(viewer, incidentId, undefined, undefined);
}

/** One page of the history by keyset: an incident edited many times keeps every event, and each page costs the same. */
export function pageOfEvents(viewer: Viewer, incidentId: number, keyset: Keyset): { events: AuditEntry[] } & Cursors {
  const { cursor, backwards } = keysetOf(keyset);
  const rows = eventsQuery(viewer, incidentId, cursor === undefined ? undefined : { id: cursor, backwards }, HISTORY_PAGE_SIZE + 1);
  const { shown, newer, older } = keysetPage(rows, HISTORY_PAGE_SIZE, keyset, (e) => e.id);
  return { events: shown, newer, older };
}

function eventsQuery(viewer: Viewer, incidentId: number, from: { id: number; backwards: boolean } | undefined, limit: number | undefined): AuditEntry[] {
  const seen = viewableBy(viewer, "r") ?? sql`1`;
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
  return (limit === undefined ? query.all() : query.limit(limit).all()).map(({ relatedId, relatedSeen, ...row }) => ({
    ...row,
    summary: row.summary.replace(RELATED, relatedId === null ? "another incident" : relatedSeen ? reference(relatedId) : "an incident you cannot see"),
    changes: JSON.parse(row.changes) as Changes,
  }));
}
