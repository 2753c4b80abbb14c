import { desc, eq, sql } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";
import type { Viewer } from "./access";
import { reference } from "./incident";
import { visibleTo } from "./incident.server";

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

/**
 * The incident's history, newest first, as this viewer may read it: another incident an event
 * is about is named by its reference only if the viewer may see that incident now.
 */
export function listEvents(viewer: Viewer, incidentId: number): AuditEntry[] {
  const seen = visibleTo(viewer, "r") ?? sql`1`;
  return db()
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
    .where(eq(auditEvents.incidentId, incidentId))
    .orderBy(desc(auditEvents.id))
    .all()
    .map(({ relatedId, relatedSeen, ...row }) => ({
      ...row,
      summary: row.summary.replace(RELATED, relatedId === null ? "another incident" : relatedSeen ? reference(relatedId) : "an incident you cannot see"),
      changes: JSON.parse(row.changes) as Changes,
    }));
}
