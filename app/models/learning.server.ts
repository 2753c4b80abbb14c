import { firstParagraphText } from "~/lib/markdown.server";
import type { Snapshot, SnapshotWhy } from "./publication.server";

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
  whys: ContentWhy[];
  /** Each level's remediation in reading order: HTML for pages, plain text for email. */
  remediations: { level: number; html: string; text: string }[];
};

function contentWhys(whys: SnapshotWhy[]): ContentWhy[] {
  return whys.map((w) => ({ level: w.level, text: w.answer || w.question, category: w.category, children: contentWhys(w.children) }));
}

export function learningContent(s: Snapshot): LearningContent {
  const remediations: LearningContent["remediations"] = [];
  const walk = (whys: SnapshotWhy[]) =>
    whys.forEach((w) => {
      if (w.remediationHtml) remediations.push({ level: w.level, html: w.remediationHtml, text: firstParagraphText(w.remediationMd) });
      walk(w.children);
    });
  walk(s.whys);
  return {
    facilitator: s.facilitator,
    services: s.services,
    categories: s.categories,
    summaryHtml: s.summaryHtml,
    summaryText: firstParagraphText(s.summaryMd),
    whys: contentWhys(s.whys),
    remediations,
  };
}

/**
 * learningContent from and to JSON: the SQL function `learning_content(snapshot)`, so that a
 * migration fills rows published before it exactly as publishing fills new ones.
 */
export function learningContentJson(snapshot: string): string {
  return JSON.stringify(learningContent(JSON.parse(snapshot) as Snapshot));
}
