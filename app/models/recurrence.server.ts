import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import { HttpError } from "~/lib/http.server";
import type { Viewer } from "./access";
import { isFinished, type ActionStatus } from "./action";
import { recordEvent } from "./audit.server";
import { reference, type Severity, type Status } from "./incident";
import { requireIncident, visibleTo } from "./incident.server";

// Recurrence: the same cause turning up in several incidents. For each why, the whys of other
// incidents with the most similar answer and remediation (full-text BM25 over the search index),
// whether their follow-up actions were done, and one click to mark the incidents as related.

const { actions, incidentLinks, incidents, whys } = schema;

const STOPWORDS = new Set(
  (
    "a about above after again against all also am an and any are as at be because been before being below between both but by can " +
    "could did do does doing down during each few for from further had has have having he her here hers him his how i if in into is " +
    "it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some " +
    "such than that the their them then there these they this those through to too under until up very was we were what when where " +
    "which while who whom why will with would you your yours was were been get got went go goes one two new"
  ).split(" "),
);

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

/** A crude stem, enough to compare "failed" with "failing" when judging how close two texts are. */
function stem(word: string): string {
  return word.replace(/(?:ing|ed|es|s)$/u, "") || word;
}

/**
 * How much of the shorter text's vocabulary the other shares, 0 to 1. Ranking is BM25's job;
 * this only decides whether a match is close enough to say "the same cause again".
 */
export function overlap(a: string, b: string): number {
  const x = new Set(keywords(a, 64).map(stem));
  const y = new Set(keywords(b, 64).map(stem));
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared += 1;
  return shared / Math.min(x.size, y.size);
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
  /** Whether this incident started before the one being analysed. */
  earlier: boolean;
  related: boolean;
  actions: { total: number; done: number; finished: number; lastDoneAt: string | null; titles: string[] };
  /** The earlier remediation's actions were done, yet the cause came back. */
  fixMayNotHaveWorked: boolean;
};

type WhyText = { id: number; answer: string; remediationMd: string };

const PER_WHY = 5;

/**
 * For each why of the incident, whys of other incidents (that the user may see) with similar
 * answers and remediations, best first. One full-text query per why with an answer.
 */
export function similarWhys(user: Viewer, incident: { id: number; startedAt: string }, rows: readonly WhyText[]): Map<number, SimilarWhy[]> {
  const found = new Map<number, Omit<SimilarWhy, "actions" | "fixMayNotHaveWorked" | "related">[]>();
  const visible = visibleTo(user);
  for (const row of rows) {
    const words = keywords(`${row.answer} ${row.remediationMd}`);
    if (!row.answer.trim() || words.length === 0) continue;
    // Every word quoted: nothing people type can be read as query syntax.
    const match = `{body extra} : (${words.map((w) => `"${w.replace(/"/g, '""')}"`).join(" OR ")})`;
    const hits = db()
      .select({
        whyId: whys.id,
        incidentId: whys.incidentId,
        question: whys.question,
        answer: whys.answer,
        remediationMd: whys.remediationMd,
        title: incidents.title,
        severity: incidents.severity,
        status: incidents.status,
        startedAt: incidents.startedAt,
      })
      .from(sql`search_index`)
      .innerJoin(whys, sql`${whys.id} = search_index.rowid / 8`)
      .innerJoin(incidents, eq(incidents.id, whys.incidentId))
      .where(
        and(
          sql`search_index match ${match}`,
          sql`search_index.rowid % 8 = 2`,
          sql`${whys.incidentId} <> ${incident.id}`,
          sql`${whys.answer} <> ''`,
          visible,
        ),
      )
      .orderBy(sql`bm25(search_index, 0.0, 1.0, 0.6)`)
      .limit(PER_WHY * 2)
      .all();
    const text = `${row.answer} ${row.remediationMd}`;
    const close = hits
      .map((h) => ({
        ...h,
        reference: reference(h.incidentId),
        similarity: overlap(text, `${h.answer} ${h.remediationMd}`),
        earlier: h.startedAt < incident.startedAt,
      }))
      // BM25 finds candidates sharing any word; a few shared common words are not the same cause.
      .filter((h) => h.similarity >= 0.25)
      .slice(0, PER_WHY);
    if (close.length > 0) found.set(row.id, close);
  }
  const whyIds = [...new Set([...found.values()].flat().map((h) => h.whyId))];
  const progress = actionsOf(whyIds);
  const related = new Set(relatedIds(incident.id));
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

function actionsOf(whyIds: number[]) {
  const progress = new Map<number, SimilarWhy["actions"]>();
  if (whyIds.length === 0) return progress;
  const rows = db()
    .select({ whyId: actions.whyId, title: actions.title, status: actions.status, completedAt: actions.completedAt })
    .from(actions)
    .where(inArray(actions.whyId, whyIds))
    .orderBy(asc(actions.id))
    .all();
  for (const r of rows) {
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

function relatedIds(incidentId: number): number[] {
  return db()
    .select({ id: incidentLinks.relatedId })
    .from(incidentLinks)
    .where(eq(incidentLinks.incidentId, incidentId))
    .all()
    .map((r) => r.id);
}

export type RelatedIncident = { id: number; reference: string; title: string; severity: Severity; status: Status; startedAt: string };

/** Incidents marked as related to this one, that the user may see. */
export function listRelated(user: Viewer, incidentId: number): RelatedIncident[] {
  return db()
    .select({ id: incidents.id, title: incidents.title, severity: incidents.severity, status: incidents.status, startedAt: incidents.startedAt })
    .from(incidentLinks)
    .innerJoin(incidents, eq(incidents.id, incidentLinks.relatedId))
    .where(and(eq(incidentLinks.incidentId, incidentId), visibleTo(user)))
    .orderBy(asc(incidents.startedAt))
    .all()
    .map((r) => ({ ...r, reference: reference(r.id) }));
}

/** Marks two incidents as related. Whoever may change this one and see the other may do it. */
export function linkIncidents(actor: Viewer, incidentId: number, relatedId: number) {
  if (incidentId === relatedId) throw new HttpError(400, "An incident cannot be related to itself.");
  db().transaction((tx) => {
    const incident = requireIncident(tx, actor, incidentId, "contribute");
    const other = requireIncident(tx, actor, relatedId, "view");
    const added = tx
      .insert(incidentLinks)
      .values([
        { incidentId, relatedId, createdById: actor.id },
        { incidentId: relatedId, relatedId: incidentId, createdById: actor.id },
      ])
      .onConflictDoNothing()
      .returning({ incidentId: incidentLinks.incidentId })
      .all();
    if (added.length === 0) return;
    recordEvent(tx, { incident, actorId: actor.id, kind: "incident.linked", summary: `Marked ${other.reference} as related` });
    recordEvent(tx, { incident: other, actorId: actor.id, kind: "incident.linked", summary: `Marked ${incident.reference} as related` });
  });
}

export function unlinkIncidents(actor: Viewer, incidentId: number, relatedId: number) {
  db().transaction((tx) => {
    const incident = requireIncident(tx, actor, incidentId, "contribute");
    const other = requireIncident(tx, actor, relatedId, "view");
    const removed = tx
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
    recordEvent(tx, { incident, actorId: actor.id, kind: "incident.unlinked", summary: `No longer related to ${other.reference}` });
    recordEvent(tx, { incident: other, actorId: actor.id, kind: "incident.unlinked", summary: `No longer related to ${incident.reference}` });
  });
}
