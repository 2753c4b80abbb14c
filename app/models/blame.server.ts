import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { findingKey, findingsToStore, parseStoredFindings, type OpenFinding, type StoredFindings, type WhyField, type WhyText } from "./blame";
import { directoryNames } from "./user.server";
import { inBatches } from "~/lib/background.server";

// Blame-language findings on saved whys. The check runs when a why is saved and its findings are
// stored with it (whys.blame_findings); pages, the publish check and the one-click rewording only
// read them. The facilitator rewords a finding or acknowledges it with a reason (see
// why.server.ts), and publishing waits until every one is one or the other.

const { blameAcknowledgements, users, whys } = schema;

/** The findings to store with a why of this text, as JSON: checked against today's directory. */
export async function checkedFindings(why: WhyText): Promise<string> {
  return JSON.stringify(findingsToStore(why, await directoryNames()));
}

export type Acknowledgement = { whyId: number; field: WhyField; match: string; reason: string; byName: string; at: string };

export async function listAcknowledgements(incidentId: number, tx: Tx = db()): Promise<Acknowledgement[]> {
  return await tx
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

const storedOfIncident = prepared((d) =>
  d
    .select({ id: whys.id, blameFindings: whys.blameFindings })
    .from(whys)
    .where(eq(whys.incidentId, sql.placeholder("incidentId")))
    .prepare(),
);

/** The stored findings of each why of the incident that has any (inside a transaction too: one connection). */
export async function storedFindingsOf(incidentId: number): Promise<Map<number, StoredFindings>> {
  const rows = await storedOfIncident().all({ incidentId });
  const result = new Map<number, StoredFindings>();
  for (const row of rows) {
    const stored = parseStoredFindings(row.blameFindings);
    if (stored.items.length > 0 || stored.truncated.length > 0) result.set(row.id, stored);
  }
  return result;
}

/** The stored findings of one why. */
export async function storedFindingsOfWhy(tx: Tx, whyId: number): Promise<StoredFindings> {
  const row = await tx.select({ blameFindings: whys.blameFindings }).from(whys).where(eq(whys.id, whyId)).get();
  return parseStoredFindings(row?.blameFindings ?? null);
}

export type ReviewedFinding = OpenFinding & { acknowledged?: { reason: string; byName: string } };

/** Every stored finding on the incident's whys, each with its acknowledgement if the facilitator kept it. */
export async function findingsOf(incidentId: number, tx: Tx = db()): Promise<Map<number, ReviewedFinding[]>> {
  const acks = new Map((await listAcknowledgements(incidentId, tx)).map((a) => [`${a.whyId}:${findingKey(a.field, a.match)}`, a]));
  const result = new Map<number, ReviewedFinding[]>();
  for (const [whyId, stored] of await storedFindingsOf(incidentId)) {
    const found = stored.items.map((f): ReviewedFinding => {
      const ack = acks.get(`${whyId}:${findingKey(f.field, f.match)}`);
      return ack ? { ...f, acknowledged: { reason: ack.reason, byName: ack.byName } } : f;
    });
    if (found.length > 0) result.set(whyId, found);
  }
  return result;
}

/** Every stored finding on the incident's whys that is neither reworded nor acknowledged. */
export async function openFindingsOf(incidentId: number, tx: Tx = db()): Promise<Map<number, OpenFinding[]>> {
  const open = new Map<number, OpenFinding[]>();
  for (const [whyId, found] of await findingsOf(incidentId, tx)) {
    const pending = found.filter((f) => !f.acknowledged);
    if (pending.length > 0) open.set(whyId, pending);
  }
  return open;
}

/** The fields of each why that had more flagged wording than is kept: they must be reworded. */
export async function overflowingFindingsOf(incidentId: number): Promise<Map<number, WhyField[]>> {
  const result = new Map<number, WhyField[]>();
  for (const [whyId, stored] of await storedFindingsOf(incidentId)) if (stored.truncated.length > 0) result.set(whyId, stored.truncated);
  return result;
}

/**
 * Checks whys saved before findings were stored, `batch` at a time, and stores their findings;
 * returns how many it checked (0 when none are left). Run at start-up (and by the publish check
 * for the incident at hand), never while a page renders.
 */
export async function checkUncheckedWhys(options: { incidentId?: number; batch?: number } = {}): Promise<number> {
  const rows = await db()
    .select({ id: whys.id, question: whys.question, answer: whys.answer, remediationMd: whys.remediationMd })
    .from(whys)
    .where(and(isNull(whys.blameFindings), options.incidentId === undefined ? undefined : eq(whys.incidentId, options.incidentId)))
    .orderBy(asc(whys.id))
    .limit(options.batch ?? 500)
    .all();
  if (rows.length === 0) return 0;
  const people = await directoryNames();
  // A why saved since the read above had its findings stored as it was saved: the update leaves it be.
  await db().transaction(async (tx) => {
    for (const row of rows) {
      await tx.update(whys).set({ blameFindings: JSON.stringify(findingsToStore(row, people)) }).where(and(eq(whys.id, row.id), isNull(whys.blameFindings))).run();
    }
  });
  return rows.length;
}

/** Checks every why not yet checked, a batch per turn of the event loop so requests are still served. */
export function checkUncheckedWhysInBackground() {
  inBatches("Checking the wording of earlier whys", () => checkUncheckedWhys({ batch: 200 }));
}

