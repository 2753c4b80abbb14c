import { and, asc, eq, gt, max } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import type { Viewer } from "./authorization";
import { requireIncident } from "./incident.server";

// What those watching an incident are told: that it changed, and how far its history has come.
// The history (audit_events, written in the same transaction as every change) is the ordered log:
// its id is the event's number, so a client that reconnects with the last number it has gets
// exactly what it missed, and nothing twice. A change carries only its number and kind: what
// changed is read again through the page's own loaders, with the reader's rights.

const { auditEvents } = schema;

/** Changes read at once; a client that missed more gets them in several reads. */
export const CHANGES_PER_READ = 200;

export type LiveChange = { seq: number; kind: string };

/** The number of the incident's last event (0 before any): where a page's stream starts. */
export async function latestChange(incidentId: number): Promise<number> {
  const row = await db().select({ seq: max(auditEvents.id) }).from(auditEvents).where(eq(auditEvents.incidentId, incidentId)).get();
  return row?.seq ?? 0;
}

/**
 * The incident's changes after number `after`, for someone who may still see the incident:
 * refused (NotFound) once they may not, so a stream closes when access is lost.
 */
export async function changesAfter(viewer: Viewer, incidentId: number, after: number): Promise<LiveChange[]> {
  await requireIncident(viewer, incidentId);
  return await db()
    .select({ seq: auditEvents.id, kind: auditEvents.kind })
    .from(auditEvents)
    .where(and(eq(auditEvents.incidentId, incidentId), gt(auditEvents.id, after)))
    .orderBy(asc(auditEvents.id))
    .limit(CHANGES_PER_READ)
    .all();
}
