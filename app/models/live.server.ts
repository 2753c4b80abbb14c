import { and, asc, eq, gt, max } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import type { Viewer } from "./authorization";
import { requireIncident } from "./incident.server";
import type { LiveStream } from "./live-events.server";

export { streamEvent } from "./live-events.server";

// What those watching an incident are told, in order. Every change to the incident (each history
// event, written in the same transaction) and every step of a live session is one row of
// live_events: its number among the incident's events is its id on the stream, so a client that
// reconnects with the last number it has gets exactly what it missed, and nothing twice. A change carries only its
// kind: what changed is read again through the page's own loaders, with the reader's rights.
// A session event carries only what everyone who may see the incident may read.

const { liveEvents } = schema;

/** Changes read at once; a client that missed more gets them in several reads. */
export const CHANGES_PER_READ = 200;

export type LiveChange = { seq: number; stream: LiveStream; kind: string; data: Record<string, unknown> };

/** The number of the incident's last event (0 before any): where a page's stream starts. */
export async function latestChange(incidentId: number): Promise<number> {
  const row = await db().select({ seq: max(liveEvents.number) }).from(liveEvents).where(eq(liveEvents.incidentId, incidentId)).get();
  return row?.seq ?? 0;
}

/**
 * The incident's events after number `after`, for someone who may still see the incident:
 * refused (NotFound) once they may not, so a stream closes when access is lost.
 */
export async function changesAfter(viewer: Viewer, incidentId: number, after: number): Promise<LiveChange[]> {
  await requireIncident(viewer, incidentId);
  const rows = await db()
    .select({ seq: liveEvents.number, stream: liveEvents.stream, kind: liveEvents.kind, data: liveEvents.data })
    .from(liveEvents)
    .where(and(eq(liveEvents.incidentId, incidentId), gt(liveEvents.number, after)))
    .orderBy(asc(liveEvents.number))
    .limit(CHANGES_PER_READ)
    .all();
  return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
}
