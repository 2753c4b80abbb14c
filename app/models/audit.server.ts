import { desc, eq } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";

const { auditEvents, users } = schema;

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

export function listEvents(incidentId: number, tx: Tx = db()): AuditEntry[] {
  return tx
    .select({
      id: auditEvents.id,
      kind: auditEvents.kind,
      summary: auditEvents.summary,
      changes: auditEvents.changes,
      afterPublication: auditEvents.afterPublication,
      createdAt: auditEvents.createdAt,
      actorName: users.name,
    })
    .from(auditEvents)
    .innerJoin(users, eq(users.id, auditEvents.actorId))
    .where(eq(auditEvents.incidentId, incidentId))
    .orderBy(desc(auditEvents.id))
    .all()
    .map((row) => ({ ...row, changes: JSON.parse(row.changes) as Changes }));
}
