import { and, asc, count, eq, isNull, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { db, execute, prepared, rowsOf, schema, type Tx } from "~/lib/db.server";
import { Invalid } from "./errors";
import type { Viewer } from "./authorization";
import { isFinished, type ActionStatus } from "./action";
import { recordEvent, RELATED } from "./audit.server";
import { STOPWORDS } from "~/lib/words";
import { reference, type Severity, type Status } from "./incident";
import { VIEWER, viewableBy, viewerParams } from "./authorization.server";
import { requireIncident } from "./incident.server";
import { assertWithinLimit } from "./limits.server";
import { relevance, RELEVANT } from "./relevance";
import { idList, inIdList } from "./sql/index.server";
import { anyWordInWhy, whysMatching } from "./sql/search-index.server";
import { inBatches } from "~/lib/background.server";

// Recurrence: the same cause turning up in several incidents. For each why, the whys of other
// incidents with the most similar answer and remediation (full-text BM25 over the search index
// finds candidates when a why is saved; relevance() keeps those close enough in cause and says
// what they share), whether their follow-up actions were done, and one click to mark the
// incidents as related.

const { actions, incidentLinks, incidents, whys, whySimilarities } = schema;


/** The distinctive words of a text, lower-cased, each once, at most `limit` of them. */
export function keywords(text: string, limit = 16): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_-]*/gu) ?? [];
  const kept: string[] = [];
  for (const word of words) {
    const w = word.replace(/^-+|-+$/g, "");
    if (w.length < 3 || STOPWORDS.has(w) || /^\d+$/.test(w) || kept.includes(w)) continue;
    kept.push(w);
    if (kept.length === limit) break;
  }
  return kept;
}

/** Similar enough that the earlier fix, if done, may not have worked. */
export const SAME_CAUSE = 0.5;

export type SimilarWhy = {
  whyId: number;
  incidentId: number;
  reference: string;
  title: string;
  severity: Severity;
  status: Status;
  startedAt: string;
  question: string;
  answer: string;
  remediationMd: string;
  similarity: number;
  /** The phrases and words the two whys share that made them match, as this incident's why writes them. */
  matchedOn: string[];
  /** Whether this incident started before the one being analysed. */
  earlier: boolean;
  related: boolean;
  actions: { total: number; done: number; finished: number; lastDoneAt: string | null; titles: string[] };
  /** The earlier remediation's actions were done, yet the cause came back. */
  fixMayNotHaveWorked: boolean;
};

type WhyText = { id: number; answer: string; remediationMd: string };

const PER_WHY = 3;
/** How many best-ranked whys of other incidents are kept per why when it is saved. */
const CANDIDATES = 12;

/**
 * Looks for the whys of other incidents most similar to these (full-text BM25 over answers and
 * remediations) and stores the pairs both ways, replacing what was stored for these whys. Runs
 * when a why is saved, so pages read the pairs without searching. Visibility is applied on reading.
 */
export async function refreshSimilarities(tx: Tx, rows: readonly (WhyText & { incidentId: number })[]): Promise<void> {
  const now = new Date().toISOString();
  for (const row of rows) {
    // Whys that found this one when they were saved: kept if they still look alike after the edit.
    const finders = await tx
      .select({ id: whys.id, answer: whys.answer, remediationMd: whys.remediationMd, rank: whySimilarities.rank })
      .from(whySimilarities)
      .innerJoin(whys, eq(whys.id, whySimilarities.whyId))
      .where(eq(whySimilarities.similarWhyId, row.id))
      // The best of them: however many whys were written to look like this one, an edit reads a few.
      .orderBy(asc(whySimilarities.rank))
      .limit(CANDIDATES)
      .all();
    await tx
      .delete(whySimilarities)
      .where(or(eq(whySimilarities.whyId, row.id), eq(whySimilarities.similarWhyId, row.id)))
      .run();
    await tx.update(whys).set({ similarCheckedAt: now }).where(eq(whys.id, row.id)).run();
    const words = keywords(`${row.answer} ${row.remediationMd}`);
    if (!row.answer.trim() || words.length === 0) continue;
    const text = `${row.answer} ${row.remediationMd}`;
    const hits = await rowsOf<{ id: number; answer: string; remediationMd: string; rank: number }>(
      tx,
      whysMatching(anyWordInWhy(words), row.incidentId, CANDIDATES),
    );
    const found = new Set(hits.map((h) => h.id));
    // BM25 finds whys sharing any word; only those close enough in cause are kept (a dashboard
    // that depends on S3 is not an order-dependent test that uploads to S3).
    const pairs = [...hits, ...finders.filter((f) => !found.has(f.id))]
      .map((h) => ({ ...h, text: `${h.answer} ${h.remediationMd}` }))
      .map((h) => ({ ...h, match: relevance(text, h.text) }))
      .filter((h) => h.match.score >= RELEVANT)
      .sort((a, b) => a.rank - b.rank)
      .slice(0, CANDIDATES)
      .flatMap((h) => [
        { whyId: row.id, similarWhyId: h.id, rank: h.rank, overlap: h.match.score, matchedOn: JSON.stringify(h.match.matchedOn) },
        // Each side names what matched in its own words.
        { whyId: h.id, similarWhyId: row.id, rank: h.rank, overlap: h.match.score, matchedOn: JSON.stringify(relevance(h.text, text).matchedOn) },
      ]);
    if (pairs.length > 0) await tx.insert(whySimilarities).values(pairs).onConflictDoNothing().run();
    // Each why keeps only its best matches, so no why gathers more however many resemble it.
    for (const other of new Set(pairs.map((p) => p.whyId).filter((id) => id !== row.id))) {
      await execute(tx, sql`delete from why_similarities where why_id = ${other} and similar_why_id not in
        (select similar_why_id from why_similarities where why_id = ${other} order by rank limit ${CANDIDATES})`);
    }
  }
}

/**
 * Looks up the similar whys of whys saved before similarities were stored (or whose pairs a
 * migration dropped), `batch` at a time; returns how many it looked up (0 when none are left).
 * Run at start-up, never while a page is read: a read writes nothing.
 */
export async function refreshUncheckedSimilarities(options: { batch?: number } = {}): Promise<number> {
  // Read in the transaction that refreshes them: a why edited in between would otherwise be
  // looked up by its old text, after its edit stored the pairs of the new one.
  return await db().transaction(async (tx) => {
    const rows = await uncheckedWhys().all({ limit: options.batch ?? 200 });
    if (rows.length > 0) await refreshSimilarities(tx, rows);
    return rows.length;
  });
}

/** refreshUncheckedSimilarities until none are left, a batch per turn of the event loop so requests are still served. */
export function refreshUncheckedSimilaritiesInBackground() {
  inBatches("Looking up the similar whys of earlier whys", () => refreshUncheckedSimilarities({ batch: 50 }));
}

/**
 * For each why of the incident, the whys of other incidents (that the user may see) with similar
 * answers and remediations, best first, as stored when the whys were saved.
 */
export async function similarWhys(user: Viewer, incident: { id: number; startedAt: string }, rows: readonly WhyText[]): Promise<Map<number, SimilarWhy[]>> {
  if (rows.length === 0) return new Map();
  const asked = new Set(rows.map((r) => r.id));
  const found = new Map<number, Omit<SimilarWhy, "actions" | "fixMayNotHaveWorked" | "related">[]>();
  for (const { forWhy, matchedOn, ...h } of await similarPairs().all({ incidentId: incident.id, perWhy: PER_WHY, ...viewerParams(user) })) {
    if (!asked.has(forWhy)) continue;
    const list = found.get(forWhy) ?? [];
    list.push({ ...h, matchedOn: JSON.parse(matchedOn) as string[], reference: reference(h.incidentId), earlier: h.startedAt < incident.startedAt });
    found.set(forWhy, list);
  }
  const whyIds = [...new Set([...found.values()].flat().map((h) => h.whyId))];
  const progress = await actionsOf(whyIds);
  const related = new Set((await linkedIncidents().all({ incidentId: incident.id })).map((r) => r.id));
  const result = new Map<number, SimilarWhy[]>();
  for (const [whyId, hits] of found) {
    result.set(
      whyId,
      hits.map((h) => {
        const a = progress.get(h.whyId) ?? { total: 0, done: 0, finished: 0, lastDoneAt: null, titles: [] };
        return {
          ...h,
          related: related.has(h.incidentId),
          actions: a,
          fixMayNotHaveWorked:
            h.earlier && h.similarity >= SAME_CAUSE && a.done > 0 && a.lastDoneAt !== null && a.lastDoneAt <= incident.startedAt,
        };
      }),
    );
  }
  return result;
}

const uncheckedWhys = prepared((d) =>
  d
    .select({ id: whys.id, incidentId: whys.incidentId, answer: whys.answer, remediationMd: whys.remediationMd })
    .from(whys)
    .where(isNull(whys.similarCheckedAt))
    .orderBy(asc(whys.id))
    .limit(sql.placeholder("limit"))
    .prepare(),
);

/** The stored pairs of an incident's whys, the best `perWhy` of each that the viewer may see. */
const similarPairs = prepared((d) => {
  const similar = alias(whys, "similar");
  const ranked = d
    .select({
      forWhy: whySimilarities.whyId,
      similarity: whySimilarities.overlap,
      matchedOn: whySimilarities.matchedOn,
      whyId: similar.id,
      incidentId: similar.incidentId,
      question: similar.question,
      answer: similar.answer,
      remediationMd: similar.remediationMd,
      title: incidents.title,
      severity: incidents.severity,
      status: incidents.status,
      startedAt: incidents.startedAt,
      place: sql<number>`row_number() over (partition by ${whySimilarities.whyId} order by ${whySimilarities.rank})`.as("place"),
    })
    .from(whys)
    .innerJoin(whySimilarities, eq(whySimilarities.whyId, whys.id))
    .innerJoin(similar, eq(similar.id, whySimilarities.similarWhyId))
    .innerJoin(incidents, eq(incidents.id, similar.incidentId))
    .where(and(eq(whys.incidentId, sql.placeholder("incidentId")), viewableBy(VIEWER)))
    .as("ranked");
  return d
    .select({
      forWhy: ranked.forWhy,
      similarity: ranked.similarity,
      matchedOn: ranked.matchedOn,
      whyId: ranked.whyId,
      incidentId: ranked.incidentId,
      question: ranked.question,
      answer: ranked.answer,
      remediationMd: ranked.remediationMd,
      title: ranked.title,
      severity: ranked.severity,
      status: ranked.status,
      startedAt: ranked.startedAt,
    })
    .from(ranked)
    .where(sql`${ranked.place} <= ${sql.placeholder("perWhy")}`)
    .orderBy(ranked.forWhy, sql`${ranked.place}`)
    .prepare();
});

const actionsOfWhys = prepared((d) =>
  d
    .select({ whyId: actions.whyId, title: actions.title, status: actions.status, completedAt: actions.completedAt })
    .from(actions)
    .where(inIdList(actions.whyId, sql.placeholder("whyIds")))
    .orderBy(asc(actions.id))
    .prepare(),
);

async function actionsOf(whyIds: number[]) {
  const progress = new Map<number, SimilarWhy["actions"]>();
  if (whyIds.length === 0) return progress;
  for (const r of await actionsOfWhys().all({ whyIds: idList(whyIds) })) {
    const p = progress.get(r.whyId!) ?? { total: 0, done: 0, finished: 0, lastDoneAt: null, titles: [] };
    p.total += 1;
    if (isFinished(r.status as ActionStatus)) p.finished += 1;
    if (r.status === "done") {
      p.done += 1;
      p.titles.push(r.title);
      if (r.completedAt && (!p.lastDoneAt || r.completedAt > p.lastDoneAt)) p.lastDoneAt = r.completedAt;
    }
    progress.set(r.whyId!, p);
  }
  return progress;
}

const linkedIncidents = prepared((d) =>
  d.select({ id: incidentLinks.relatedId }).from(incidentLinks).where(eq(incidentLinks.incidentId, sql.placeholder("incidentId"))).prepare(),
);

export type RelatedIncident = { id: number; reference: string; title: string; severity: Severity; status: Status; startedAt: string };

/** Incidents marked as related to this one, that the user may see. */
const relatedIncidents = prepared((d) =>
  d
    .select({ id: incidents.id, title: incidents.title, severity: incidents.severity, status: incidents.status, startedAt: incidents.startedAt })
    .from(incidentLinks)
    .innerJoin(incidents, eq(incidents.id, incidentLinks.relatedId))
    .where(and(eq(incidentLinks.incidentId, sql.placeholder("incidentId")), viewableBy(VIEWER)))
    .orderBy(asc(incidents.startedAt))
    .prepare(),
);

export async function listRelated(user: Viewer, incidentId: number): Promise<RelatedIncident[]> {
  const rows = await relatedIncidents().all({ incidentId, ...viewerParams(user) });
  return rows.map((r) => ({ ...r, reference: reference(r.id) }));
}

/** Marks two incidents as related. Whoever may change this one and see the other may do it. */
export async function linkIncidents(actor: Viewer, incidentId: number, relatedId: number): Promise<void> {
  if (incidentId === relatedId) throw new Invalid("An incident cannot be related to itself.");
  await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const other = await requireIncident(actor, relatedId, "view");
    for (const id of [incidentId, relatedId]) {
      const [{ n }] = await tx.select({ n: count() }).from(incidentLinks).where(eq(incidentLinks.incidentId, id)).all();
      assertWithinLimit("relatedPerIncident", n + 1, "relatedId");
    }
    const added = await tx
      .insert(incidentLinks)
      .values([
        { incidentId, relatedId, createdById: actor.id },
        { incidentId: relatedId, relatedId: incidentId, createdById: actor.id },
      ])
      .onConflictDoNothing()
      .returning({ incidentId: incidentLinks.incidentId })
      .all();
    if (added.length === 0) return;
    // Each side's history names the other by id: its reference shows only to readers who may see it.
    await recordEvent(tx, { incident, actorId: actor.id, kind: "incident.linked", summary: `Marked ${RELATED} as related`, relatedIncidentId: other.id });
    await recordEvent(tx, { incident: other, actorId: actor.id, kind: "incident.linked", summary: `Marked ${RELATED} as related`, relatedIncidentId: incident.id });
  });
}

export async function unlinkIncidents(actor: Viewer, incidentId: number, relatedId: number): Promise<void> {
  await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "contribute");
    const other = await requireIncident(actor, relatedId, "view");
    const removed = await tx
      .delete(incidentLinks)
      .where(
        or(
          and(eq(incidentLinks.incidentId, incidentId), eq(incidentLinks.relatedId, relatedId)),
          and(eq(incidentLinks.incidentId, relatedId), eq(incidentLinks.relatedId, incidentId)),
        ),
      )
      .returning({ incidentId: incidentLinks.incidentId })
      .all();
    if (removed.length === 0) return;
    await recordEvent(tx, { incident, actorId: actor.id, kind: "incident.unlinked", summary: `No longer related to ${RELATED}`, relatedIncidentId: other.id });
    await recordEvent(tx, { incident: other, actorId: actor.id, kind: "incident.unlinked", summary: `No longer related to ${RELATED}`, relatedIncidentId: incident.id });
  });
}
