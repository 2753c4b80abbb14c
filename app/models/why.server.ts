import { and, asc, count, eq, inArray, max, sql } from "drizzle-orm";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { Conflict, Invalid, NotFound, StateConflict } from "./errors";
import { renderMarkdown } from "~/lib/markdown.server";
import type { Viewer } from "./authorization";
import { diff, recordEvent } from "./audit.server";
import { applyRewrite, findingKey, normalizedMatch, type WhyField } from "./blame";
import { checkedFindings, storedFindingsOfWhy } from "./blame.server";
import { resolveCategory } from "./category.server";
import { requireIncident } from "./incident.server";
import { refreshSimilarities } from "./recurrence.server";
import { assertWithinLimit } from "./limits.server";
import { buildTree, flatten, levelsOf, type WhyRow } from "./why-tree";
import { shorten } from "~/lib/shorten";

const { actions, blameAcknowledgements, whys } = schema;

export type WhyFields = {
  question: string;
  answer: string;
  remediationMd: string;
  noRemediationReason: string;
  noActionReason: string;
  category: string;
  rootReached: boolean;
};

const rowColumns = {
  id: whys.id,
  parentId: whys.parentId,
  position: whys.position,
  question: whys.question,
  answer: whys.answer,
  remediationMd: whys.remediationMd,
  remediationHtml: whys.remediationHtml,
  noRemediationReason: whys.noRemediationReason,
  noActionReason: whys.noActionReason,
  category: whys.category,
  rootReached: whys.rootReached,
  version: whys.version,
};

const whysOfIncident = prepared((d) =>
  d
    .select(rowColumns)
    .from(whys)
    .where(eq(whys.incidentId, sql.placeholder("incidentId")))
    // The root (no parent) first on both engines: PostgreSQL sorts nulls last unless told.
    .orderBy(sql`${whys.parentId} asc nulls first`, asc(whys.position), asc(whys.id))
    .prepare(),
);

export async function listWhys(incidentId: number): Promise<WhyRow[]> {
  return await whysOfIncident().all({ incidentId });
}

async function loadWhy(tx: Tx, incidentId: number, whyId: number) {
  const row = await tx
    .select({ ...rowColumns, incidentId: whys.incidentId })
    .from(whys)
    .where(and(eq(whys.id, whyId), eq(whys.incidentId, incidentId)))
    .get();
  if (!row) throw new NotFound("why");
  return row;
}


/**
 * The remediation is rendered once, when saved, and the wording checked once; the category must
 * be one of the managed list.
 */
async function stored(fields: WhyFields) {
  const category = fields.category ? await resolveCategory(fields.category) : "";
  if (category === undefined) throw new Invalid("Choose a cause category from the list.", "category");
  // Browsers send line breaks as \r\n; stored as \n, the same words always read the same.
  const text = (value: string) => value.replace(/\r\n?/g, "\n");
  const remediationMd = text(fields.remediationMd);
  return {
    ...fields,
    question: text(fields.question),
    answer: text(fields.answer),
    remediationMd,
    category,
    remediationHtml: renderMarkdown(remediationMd),
    blameFindings: await checkedFindings({ question: text(fields.question), answer: text(fields.answer), remediationMd }),
  };
}

/**
 * Adds a why under `parentId` ("ask why again" on that answer), or at the top when parentId is
 * null. Several whys under the same parent are branches: contributing causes.
 */
export async function addWhy(actor: Viewer, incidentId: number, parentId: number | null, fields: WhyFields): Promise<WhyRow> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    if (parentId !== null) await loadWhy(tx, incidentId, parentId);
    const existing = await listWhys(incidentId);
    assertWithinLimit("whysPerIncident", existing.length + 1);
    const level = parentId === null ? 1 : levelsOf(existing).get(parentId)! + 1;
    assertWithinLimit("depth", level);
    const last = await tx
      .select({ position: max(whys.position) })
      .from(whys)
      .where(and(eq(whys.incidentId, incidentId), parentId === null ? sql`${whys.parentId} is null` : eq(whys.parentId, parentId)))
      .get();
    const row = await tx
      .insert(whys)
      .values({ ...(await stored(fields)), incidentId, parentId, position: (last?.position ?? 0) + 1, createdById: actor.id })
      .returning(rowColumns)
      .get();
    await refreshSimilarities(tx, [{ ...row, incidentId }]);
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "why.added",
      whyId: row.id,
      summary: `Added a why at level ${level}: ${shorten(fields.question, 78)}`,
      changes: diff({} as Record<string, unknown>, { question: fields.question, answer: fields.answer, remediation: fields.remediationMd }),
    });
    return row;
  });
}

/** Saves an edited why if nobody saved it in between; otherwise a conflict with both versions. */
export async function updateWhy(actor: Viewer, incidentId: number, whyId: number, baseVersion: number, fields: WhyFields): Promise<WhyRow> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const current = await loadWhy(tx, incidentId, whyId);
    if (current.version !== baseVersion) throw new Conflict(whyValues(current));
    const changes = diff(current as unknown as Record<string, unknown>, fields);
    if (Object.keys(changes).length === 0) return current;
    const row = await tx
      .update(whys)
      .set({ ...(await stored(fields)), version: baseVersion + 1, updatedAt: new Date().toISOString() })
      .where(and(eq(whys.id, whyId), eq(whys.version, baseVersion)))
      .returning(rowColumns)
      .get();
    if (!row) throw new Conflict(whyValues(await loadWhy(tx, incidentId, whyId)));
    await forgetAcknowledgementsOfGoneWording(tx, whyId);
    if (changes.answer || changes.remediationMd) await refreshSimilarities(tx, [{ ...row, incidentId }]);
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "why.updated",
      summary: `Edited the why “${shorten(current.question, 78)}”`,
      changes,
    });
    return row;
  });
}

/** A why as its edit form holds it. */
export function whyValues(row: WhyRow) {
  return {
    question: row.question,
    answer: row.answer,
    remediationMd: row.remediationMd,
    noRemediationReason: row.noRemediationReason,
    noActionReason: row.noActionReason,
    category: row.category,
    rootReached: row.rootReached ? "on" : "",
    version: String(row.version),
  };
}

/**
 * Deletes a why and everything asked below it. When deeper whys would go too, the caller must
 * confirm, having been told how many. Their follow-up actions stay with the incident, no longer
 * linked to a why: how many whys went and how many actions were let go.
 */
export async function deleteWhy(actor: Viewer, incidentId: number, whyId: number, confirmed: boolean): Promise<{ whys: number; actionsKept: number }> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const current = await loadWhy(tx, incidentId, whyId);
    const node = flatten(buildTree(await listWhys(incidentId))).find((n) => n.id === whyId)!;
    if (node.descendantCount > 0 && !confirmed) {
      throw new StateConflict(
        `This why has ${node.descendantCount} deeper ${node.descendantCount === 1 ? "why" : "whys"} that would be deleted with it. Confirm to delete them all.`,
      );
    }
    const gone = flatten([node]).map((n) => n.id);
    const [{ n: actionsKept }] = await tx.select({ n: count() }).from(actions).where(inArray(actions.whyId, gone)).all();
    await tx.delete(whys).where(eq(whys.id, whyId)).run();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "why.deleted",
      summary:
        node.descendantCount > 0
          ? `Deleted the why “${shorten(current.question, 78)}” and ${node.descendantCount} deeper`
          : `Deleted the why “${shorten(current.question, 78)}”`,
      changes: { question: [current.question, null], answer: [current.answer, null] },
    });
    return { whys: 1 + node.descendantCount, actionsKept };
  });
}

// Blame-language findings on a saved why: reworded with the suggestion, or kept with a reason.

async function loadWhyText(tx: Tx, incidentId: number, whyId: number) {
  const row = await tx
    .select({ id: whys.id, question: whys.question, answer: whys.answer, remediationMd: whys.remediationMd, version: whys.version })
    .from(whys)
    .where(and(eq(whys.id, whyId), eq(whys.incidentId, incidentId)))
    .get();
  if (!row) throw new NotFound("why");
  return row;
}

const FIELD_NAMES: Record<WhyField, string> = { question: "question", answer: "answer", remediation: "remediation" };

/**
 * Acknowledgements of wording the why no longer holds go when it is saved: they would cover
 * nothing, and rewording again and again must not pile them up. Wording that comes back is
 * flagged again, to be kept again.
 */
async function forgetAcknowledgementsOfGoneWording(tx: Tx, whyId: number) {
  const present = new Set((await storedFindingsOfWhy(tx, whyId)).items.map((f) => findingKey(f.field, f.match)));
  const acks = await tx
    .select({ id: blameAcknowledgements.id, field: blameAcknowledgements.field, match: blameAcknowledgements.match })
    .from(blameAcknowledgements)
    .where(eq(blameAcknowledgements.whyId, whyId))
    .all();
  const gone = acks.filter((a) => !present.has(findingKey(a.field, a.match))).map((a) => a.id);
  if (gone.length > 0) await tx.delete(blameAcknowledgements).where(inArray(blameAcknowledgements.id, gone)).run();
}

/**
 * Keeps a flagged wording on purpose, with the reason (e.g. a quotation, or the person's own
 * account of their part). Only the facilitator or an admin may do this.
 */
export async function acknowledgeFinding(actor: Viewer, incidentId: number, whyId: number, field: WhyField, match: string, reason: string) {
  await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "manage");
    const why = await loadWhyText(tx, incidentId, whyId);
    const present = (await storedFindingsOfWhy(tx, whyId)).items.some((f) => findingKey(f.field, f.match) === findingKey(field, match));
    if (!present) throw new StateConflict("That wording is no longer in the why; nothing to acknowledge.");
    await tx.insert(blameAcknowledgements)
      .values({ whyId, field, match: normalizedMatch(match), reason, acknowledgedById: actor.id })
      .onConflictDoUpdate({
        target: [blameAcknowledgements.whyId, blameAcknowledgements.field, blameAcknowledgements.match],
        set: { reason, acknowledgedById: actor.id },
      })
      .run();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "blame.acknowledged",
      summary: `Kept the wording “${match}” in the ${FIELD_NAMES[field]} of “${why.question}”: ${reason}`,
    });
  });
}

/** Withdraws an acknowledgement, so the finding counts against publishing again. */
export async function withdrawAcknowledgement(actor: Viewer, incidentId: number, whyId: number, field: WhyField, match: string) {
  await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "manage");
    const why = await loadWhyText(tx, incidentId, whyId);
    const removed = await tx
      .delete(blameAcknowledgements)
      .where(
        and(
          eq(blameAcknowledgements.whyId, whyId),
          eq(blameAcknowledgements.field, field),
          eq(blameAcknowledgements.match, normalizedMatch(match)),
        ),
      )
      .returning({ id: blameAcknowledgements.id })
      .all();
    if (removed.length === 0) return;
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "blame.withdrawn",
      summary: `Withdrew the acknowledgement of “${match}” in “${why.question}”`,
    });
  });
}

const FIELD_COLUMNS: Record<WhyField, "question" | "answer" | "remediationMd"> = { question: "question", answer: "answer", remediation: "remediationMd" };

/**
 * Puts a finding's suggested rewording in place, as an edit of the why based on `baseVersion`:
 * a why changed by someone else since is refused as a conflict, like any other edit.
 */
export async function applySuggestion(actor: Viewer, incidentId: number, whyId: number, baseVersion: number, field: WhyField, match: string): Promise<WhyRow> {
  const current = await db()
    .select()
    .from(whys)
    .where(and(eq(whys.id, whyId), eq(whys.incidentId, incidentId)))
    .get();
  if (!current) throw new NotFound("why");
  const finding = (await storedFindingsOfWhy(db(), whyId)).items.find((f) => findingKey(f.field, f.match) === findingKey(field, match));
  if (!finding?.rewrite) throw new StateConflict("That wording is no longer in the why, or has no suggested rewording.");
  const column = FIELD_COLUMNS[field];
  try {
    // Awaited here, so a conflict it rejects with is caught below.
    return await updateWhy(actor, incidentId, whyId, baseVersion, {
      question: current.question,
      answer: current.answer,
      remediationMd: current.remediationMd,
      noRemediationReason: current.noRemediationReason,
      noActionReason: current.noActionReason,
      category: current.category,
      rootReached: current.rootReached,
      [column]: applyRewrite(current[column], finding.rewrite),
    });
  } catch (error) {
    // A one-click rewording has no form of its own to compare: the page shows the other version.
    if (error instanceof Conflict) {
      throw new Conflict(error.current, "Someone else changed this why since the page was loaded; it now shows their version. Check the wording again.");
    }
    throw error;
  }
}

