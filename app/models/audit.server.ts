import { schema, type Tx } from "~/lib/db.server";
import { streamEvent } from "./live-events.server";
import { announceChange } from "./webhook-events.server";

const { auditEvents } = schema;

/** Where a summary names the event's related incident: filled in for each reader (listEvents, in history.server.ts). */
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
  /** The why the event is about, when it is about one (webhooks link to it). */
  whyId?: number;
  /** The follow-up action the event is about, when it is about one (webhooks link to it). */
  actionId?: number;
};

/**
 * Records who changed what; changes made after publication are marked as such. Every change to an
 * incident passes here, in its transaction: once it commits, those watching the incident hear of
 * it (app/lib/event-bus.server.ts), whichever page, tab or tool made it, and so do the webhook
 * endpoints that listen for it (webhook-events.server.ts, written to the outbox in this transaction).
 * Returns the event's id: what names the change wherever it must be told once (the emails of
 * notification.server.tsx).
 */
export async function recordEvent(tx: Tx, event: AuditInput): Promise<number> {
  const { id } = await tx
    .insert(auditEvents)
    .values({
      incidentId: event.incident.id,
      actorId: event.actorId,
      kind: event.kind,
      summary: event.summary,
      changes: JSON.stringify(event.changes ?? {}),
      relatedIncidentId: event.relatedIncidentId ?? null,
      afterPublication: event.incident.publishedAt !== null,
    })
    .returning({ id: auditEvents.id })
    .get();
  await streamEvent(tx, event.incident.id, "change", event.kind);
  await announceChange(tx, { incidentId: event.incident.id, kind: event.kind, changes: event.changes, whyId: event.whyId, actionId: event.actionId });
  return id;
}
