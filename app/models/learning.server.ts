import { firstParagraphText } from "~/lib/markdown.server";
import { LIMITS } from "./limits";
import type { Snapshot, SnapshotWhy } from "./publication.server";
import { nestedTo } from "./why-tree";
import { shorten } from "~/lib/shorten";

// What the learnings feed, the Atom feed and the digest show of a publication, drawn from its
// snapshot once, when it is published. Lists read this small JSON instead of whole snapshots,
// and never process markdown while someone waits.

export type ContentWhy = {
  level: number;
  /** The answer; the question while a why has none. */
  text: string;
  category: string;
  children: ContentWhy[];
};

export type LearningContent = {
  facilitator: string;
  services: string[];
  categories: string[];
  summaryHtml: string;
  /** The summary's first paragraph as plain text: what email and feed readers show. */
  summaryText: string;
  /** The first whys (GLANCE), and how many the analysis has; older rows lack the count. */
  whys: ContentWhy[];
  whyCount?: number;
  /** The remediations of the deepest levels in reading order (GLANCE): HTML for pages, plain text for email. */
  remediations: { level: number; html: string; text: string }[];
  remediationCount?: number;
};

/**
 * How much of an analysis a glance holds (the learnings feed, the Atom feed, the digest), however
 * large the analysis: the first whys in reading order, each answer cut short, the remediations of
 * the deepest levels, and the summary's first paragraph when the summary is long. The whole
 * analysis is on its own page.
 */
export const GLANCE = { whys: 30, textLength: 300, remediations: 10, summaryLength: 10_000 } as const;


/** The first GLANCE.whys whys in reading order, as a tree: a why is kept only under a kept parent. */
function contentWhys(whys: SnapshotWhy[]): ContentWhy[] {
  let room: number = GLANCE.whys;
  const keep = (list: SnapshotWhy[]): ContentWhy[] =>
    list.flatMap((w) => {
      if (room === 0) return [];
      room -= 1;
      return [{ level: w.level, text: shorten(w.answer || w.question, GLANCE.textLength), category: w.category, children: keep(w.children) }];
    });
  return keep(whys);
}

type GlanceWhy = { level: number; text: string; children: GlanceWhy[] };

/** What the learnings card and the Atom feed show of each why, nested no deeper than a page nests. */
export function glanceWhys(whys: ContentWhy[]): GlanceWhy[] {
  const only = (list: ContentWhy[]): GlanceWhy[] => list.map(({ level, text, children }) => ({ level, text, children: only(children) }));
  return nestedTo(only(whys), LIMITS.depth);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function learningContent(s: Snapshot): LearningContent {
  const remediations: (LearningContent["remediations"][number] & { order: number })[] = [];
  let whyCount = 0;
  const walk = (whys: SnapshotWhy[]) =>
    whys.forEach((w) => {
      whyCount += 1;
      if (w.remediationHtml) remediations.push({ level: w.level, html: w.remediationHtml, text: firstParagraphText(w.remediationMd), order: remediations.length });
      walk(w.children);
    });
  walk(s.whys);
  // The farthest-reaching fixes, the deepest levels, in reading order.
  const kept = [...remediations].sort((a, b) => b.level - a.level || a.order - b.order).slice(0, GLANCE.remediations).sort((a, b) => a.order - b.order);
  const summaryText = firstParagraphText(s.summaryMd);
  return {
    facilitator: s.facilitator,
    services: s.services,
    categories: s.categories,
    summaryHtml: s.summaryMd.length > GLANCE.summaryLength ? `<p>${escapeHtml(shorten(summaryText, GLANCE.summaryLength))}</p>` : s.summaryHtml,
    summaryText: shorten(summaryText, GLANCE.summaryLength),
    whys: contentWhys(s.whys),
    whyCount,
    remediations: kept.map(({ order: _order, ...r }) => r),
    remediationCount: remediations.length,
  };
}

/**
 * learningContent from and to JSON: the SQL function `learning_content(snapshot)`, so that a
 * migration fills rows published before it exactly as publishing fills new ones.
 */
export function learningContentJson(snapshot: string): string {
  return JSON.stringify(learningContent(JSON.parse(snapshot) as Snapshot));
}
