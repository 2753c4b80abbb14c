import { and, asc, count, eq, sql } from "drizzle-orm";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { Conflict, NotFound } from "./errors";
import { renderMarkdown } from "~/lib/markdown.server";
import { formatTime, toInputValue } from "~/lib/time";
import type { Viewer } from "./authorization";
import { diff, recordEvent } from "./audit.server";
import { requireIncident } from "./incident.server";
import { assertWithinLimit } from "./limits.server";

const { timelineEntries } = schema;

export type TimelineFields = { at: string; bodyMd: string };
export type TimelineEntry = { id: number; at: string; bodyMd: string; bodyHtml: string; version: number };

const columns = {
  id: timelineEntries.id,
  at: timelineEntries.at,
  bodyMd: timelineEntries.bodyMd,
  bodyHtml: timelineEntries.bodyHtml,
  version: timelineEntries.version,
};

/** Entries in time order; entries at the same minute keep the order they were written in. */
const entriesOfIncident = prepared((d) =>
  d
    .select(columns)
    .from(timelineEntries)
    .where(eq(timelineEntries.incidentId, sql.placeholder("incidentId")))
    .orderBy(asc(timelineEntries.at), asc(timelineEntries.id))
    .prepare(),
);

export async function listTimeline(incidentId: number): Promise<TimelineEntry[]> {
  return await entriesOfIncident().all({ incidentId });
}

/**
 * When a new entry most likely happened: just after the last one written down, or else when the
 * incident started. An analysis is often written days or weeks later, so "now" would be wrong.
 */
export function nextEntryTime(incident: { startedAt: string }, entries: Pick<TimelineEntry, "at">[]): string {
  return entries.length > 0 ? entries[entries.length - 1].at : incident.startedAt;
}

async function loadEntry(tx: Tx, incidentId: number, entryId: number): Promise<TimelineEntry> {
  const row = await tx
    .select(columns)
    .from(timelineEntries)
    .where(and(eq(timelineEntries.id, entryId), eq(timelineEntries.incidentId, incidentId)))
    .get();
  if (!row) throw new NotFound("timeline entry");
  return row;
}

export function entryValues(entry: TimelineEntry) {
  return { at: toInputValue(entry.at), bodyMd: entry.bodyMd, version: String(entry.version) };
}

export async function addTimelineEntry(actor: Viewer, incidentId: number, fields: TimelineFields): Promise<TimelineEntry> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const [{ n }] = await tx.select({ n: count() }).from(timelineEntries).where(eq(timelineEntries.incidentId, incidentId)).all();
    assertWithinLimit("timelineEntriesPerIncident", n + 1);
    const entry = await tx
      .insert(timelineEntries)
      .values({ incidentId, ...fields, bodyHtml: renderMarkdown(fields.bodyMd), createdById: actor.id })
      .returning(columns)
      .get();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "timeline.added",
      summary: `Added a timeline entry at ${formatTime(fields.at)}`,
      changes: diff({} as Record<string, unknown>, fields),
    });
    return entry;
  });
}

export async function updateTimelineEntry(
  actor: Viewer,
  incidentId: number,
  entryId: number,
  baseVersion: number,
  fields: TimelineFields,
): Promise<TimelineEntry> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const current = await loadEntry(tx, incidentId, entryId);
    if (current.version !== baseVersion) throw new Conflict(entryValues(current));
    const changes = diff(current as unknown as Record<string, unknown>, fields);
    if (Object.keys(changes).length === 0) return current;
    const entry = await tx
      .update(timelineEntries)
      .set({ ...fields, bodyHtml: renderMarkdown(fields.bodyMd), version: baseVersion + 1 })
      .where(and(eq(timelineEntries.id, entryId), eq(timelineEntries.version, baseVersion)))
      .returning(columns)
      .get();
    if (!entry) throw new Conflict(entryValues(await loadEntry(tx, incidentId, entryId)));
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "timeline.updated",
      summary: `Edited the timeline entry at ${formatTime(current.at)}`,
      changes,
    });
    return entry;
  });
}

export async function deleteTimelineEntry(actor: Viewer, incidentId: number, entryId: number) {
  await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const current = await loadEntry(tx, incidentId, entryId);
    await tx.delete(timelineEntries).where(eq(timelineEntries.id, entryId)).run();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "timeline.deleted",
      summary: `Removed the timeline entry at ${formatTime(current.at)}`,
      changes: { body: [current.bodyMd, null] },
    });
  });
}
