import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { serverTokenizer } from "~/lib/wording-nlp.server";
import { findingKey, findingsToStore, normalizedMatch, parseStoredFindings, type Check, type OpenFinding, type StoredFindings, type WhyField, type WhyText } from "./blame";
import { namesOf } from "./wording";
import { wordingCheck } from "./wording-check";
import { directoryNames } from "./user.server";
import { inBatches } from "~/lib/background.server";

// Blame-language findings on saved whys. The check runs when a why is saved and its findings are
// stored with it (whys.blame_findings); pages, the publish check and the one-click rewording only
// read them. The facilitator rewords a finding or acknowledges it with a reason (see
// why.server.ts), and publishing waits until every one is one or the other.

const { blameAcknowledgements, incidents, users, whys } = schema;

// The directory's names are read into sets once per change to it: a cheap fingerprint of the
// people table (how many, the latest id, the lengths of names and teams) says when to read them
// again, and any process sees a change at its next check. At most every DIRECTORY_SECONDS they are
// read again regardless (a rename to a name of the same length).
const DIRECTORY_SECONDS = 60;
let directory: { at: number; fingerprint: string; check: Check } | undefined;

/** The wording check with today's directory of people and teams (exact names, matched on the server). */
export async function serverCheck(): Promise<Check> {
  const row = await db()
    .select({ n: sql<number>`count(*)`, last: sql<number>`coalesce(max(${users.id}), 0)`, size: sql<number>`coalesce(sum(length(${users.name}) + length(${users.email}) * 7 + length(${users.team}) * 13), 0)` })
    .from(users)
    .where(isNull(users.removedAt))
    .get();
  const fingerprint = `${row?.n}:${row?.last}:${row?.size}`;
  if (!directory || directory.fingerprint !== fingerprint || Date.now() - directory.at > DIRECTORY_SECONDS * 1000) {
    directory = { at: Date.now(), fingerprint, check: wordingCheck(serverTokenizer(), namesOf(await directoryNames())) };
  }
  return directory.check;
}

/** The findings to store with a why of this text, as JSON: checked against today's directory. */
export async function checkedFindings(why: WhyText): Promise<string> {
  return JSON.stringify(findingsToStore(why, await serverCheck()));
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
export async function checkUncheckedWhys(options: { incidentId?: number; batch?: number; budgetMs?: number } = {}): Promise<number> {
  const rows = await db()
    .select({ id: whys.id, question: whys.question, answer: whys.answer, remediationMd: whys.remediationMd, status: incidents.status, facilitatorId: incidents.facilitatorId })
    .from(whys)
    .innerJoin(incidents, eq(incidents.id, whys.incidentId))
    .where(and(isNull(whys.blameFindings), options.incidentId === undefined ? undefined : eq(whys.incidentId, options.incidentId)))
    .orderBy(asc(whys.id))
    .limit(options.batch ?? 500)
    .all();
  if (rows.length === 0) return 0;
  const check = await serverCheck();
  const acknowledged = await db()
    .select()
    .from(blameAcknowledgements)
    .where(inArray(blameAcknowledgements.whyId, rows.map((r) => r.id)))
    .orderBy(asc(blameAcknowledgements.id))
    .all();
  // The checking happens before the transaction, within the time budget if there is one (the rest
  // waits for the next batch), so that a batch of long whys never holds the server for long.
  const started = Date.now();
  const checked: { row: (typeof rows)[number]; stored: StoredFindings }[] = [];
  for (const row of rows) {
    checked.push({ row, stored: findingsToStore(row, check) });
    if (options.budgetMs !== undefined && Date.now() - started > options.budgetMs) break;
  }
  // A why saved since the read above had its findings stored as it was saved: the update leaves it be.
  await db().transaction(async (tx) => {
    for (const { row, stored } of checked) {
      const updated = await tx.update(whys).set({ blameFindings: JSON.stringify(stored) }).where(and(eq(whys.id, row.id), isNull(whys.blameFindings))).returning({ id: whys.id }).all();
      if (updated.length === 0) continue;
      for (const ack of carriedAcknowledgements(row.id, row, stored, acknowledged.filter((a) => a.whyId === row.id), row.status, row.facilitatorId)) {
        await tx.insert(blameAcknowledgements).values(ack).onConflictDoNothing().run();
      }
      // Published before: wording beyond what is kept per why is kept as published too, not held against a republication.
      if ((row.status === "published" || row.status === "closed") && stored.truncated.length > 0) {
        await tx.update(whys).set({ blameFindings: JSON.stringify({ ...stored, truncated: [] }) }).where(eq(whys.id, row.id)).run();
      }
    }
  });
  return checked.length;
}

type AcknowledgementRow = typeof blameAcknowledgements.$inferSelect;
type NewAcknowledgement = typeof blameAcknowledgements.$inferInsert;

/** Said of findings a newer check raises on an incident published before it. */
export const PUBLISHED_BEFORE_THE_CHECK = "Published before the wording check changed; kept as it was published.";

/**
 * What a re-check keeps of the facilitator's decisions. A wording kept with a reason stays kept
 * when the check now flags it differently: a new finding that covers the words once acknowledged
 * gets the same acknowledgement under its own key. On an incident already published or closed,
 * a finding the earlier check never raised is kept as published, so publishing stays as it was.
 */
function carriedAcknowledgements(whyId: number, why: WhyText, stored: StoredFindings, previous: AcknowledgementRow[], status: string, facilitatorId: number | null): NewAcknowledgement[] {
  const keys = new Set(previous.map((a) => findingKey(a.field, a.match)));
  const carried: NewAcknowledgement[] = [];
  const texts: Record<WhyField, string> = { question: why.question, answer: why.answer, remediation: why.remediationMd };
  for (const finding of stored.items) {
    const key = findingKey(finding.field, finding.match);
    if (keys.has(key)) continue;
    const text = normalizedMatch(texts[finding.field]);
    const at = text.indexOf(normalizedMatch(finding.match));
    // Only words the facilitator saw flagged are kept: the new finding must lie within what was acknowledged.
    const covering = previous.find((a) => {
      if (a.field !== finding.field) return false;
      const from = text.indexOf(normalizedMatch(a.match));
      return from >= 0 && at >= 0 && from <= at && at + normalizedMatch(finding.match).length <= from + normalizedMatch(a.match).length;
    });
    if (covering) {
      carried.push({ whyId, field: finding.field, match: normalizedMatch(finding.match), reason: covering.reason, acknowledgedById: covering.acknowledgedById, createdAt: covering.createdAt });
      keys.add(key);
    } else if ((status === "published" || status === "closed") && facilitatorId !== null) {
      carried.push({ whyId, field: finding.field, match: normalizedMatch(finding.match), reason: PUBLISHED_BEFORE_THE_CHECK, acknowledgedById: facilitatorId });
      keys.add(key);
    }
  }
  return carried;
}

/** Checks every why not yet checked, a batch per turn of the event loop so requests are still served. */
export function checkUncheckedWhysInBackground() {
  inBatches("Checking the wording of earlier whys", () => checkUncheckedWhys({ batch: 50, budgetMs: 40 }), { pauseMs: 20 });
}

