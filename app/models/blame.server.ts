import { asc, eq } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";
import { findingKey, openFindings, type OpenFinding, type WhyField } from "./blame";
import { directoryNames } from "./user.server";
import type { WhyRow } from "./why-tree";

// Blame-language findings on saved whys: the facilitator rewords them or acknowledges them with a
// reason (see why.server.ts), and publishing waits until every one is one or the other.

const { blameAcknowledgements, users, whys } = schema;

export type Acknowledgement = { whyId: number; field: WhyField; match: string; reason: string; byName: string; at: string };

export function listAcknowledgements(incidentId: number, tx: Tx = db()): Acknowledgement[] {
  return tx
    .select({
      whyId: blameAcknowledgements.whyId,
      field: blameAcknowledgements.field,
      match: blameAcknowledgements.match,
      reason: blameAcknowledgements.reason,
      byName: users.name,
      at: blameAcknowledgements.createdAt,
    })
    .from(blameAcknowledgements)
    .innerJoin(whys, eq(whys.id, blameAcknowledgements.whyId))
    .innerJoin(users, eq(users.id, blameAcknowledgements.acknowledgedById))
    .where(eq(whys.incidentId, incidentId))
    .orderBy(asc(blameAcknowledgements.id))
    .all();
}

export type ReviewedFinding = OpenFinding & { acknowledged?: { reason: string; byName: string } };

/** Every finding on the incident's whys, each with its acknowledgement if the facilitator kept it. */
export function findingsOf(rows: readonly WhyRow[], incidentId: number, tx: Tx = db()): Map<number, ReviewedFinding[]> {
  const people = directoryNames();
  const acks = new Map(listAcknowledgements(incidentId, tx).map((a) => [`${a.whyId}:${findingKey(a.field, a.match)}`, a]));
  const result = new Map<number, ReviewedFinding[]>();
  for (const row of rows) {
    const found = openFindings(row, people, new Set()).map((f): ReviewedFinding => {
      const ack = acks.get(`${row.id}:${findingKey(f.field, f.match)}`);
      return ack ? { ...f, acknowledged: { reason: ack.reason, byName: ack.byName } } : f;
    });
    if (found.length > 0) result.set(row.id, found);
  }
  return result;
}

/** Every finding on the incident's whys that is neither reworded nor acknowledged. */
export function openFindingsOf(rows: readonly WhyRow[], incidentId: number, tx: Tx = db()): Map<number, OpenFinding[]> {
  const open = new Map<number, OpenFinding[]>();
  for (const [whyId, found] of findingsOf(rows, incidentId, tx)) {
    const pending = found.filter((f) => !f.acknowledged);
    if (pending.length > 0) open.set(whyId, pending);
  }
  return open;
}
