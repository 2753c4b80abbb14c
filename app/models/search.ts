import type { Severity, Status } from "./incident";

// What a search result is, for the page as much as the server.

/** Longest search text looked at; anything after it is ignored. */
export const MAX_QUERY_LENGTH = 200;
export const SEARCH_PAGE_SIZE = 20;
/** Results counted and offered page by page; past this, people are asked to narrow down. */
export const RESULT_LIMIT = 1000;


/** A piece of a snippet: plain text, or text that matched the query. */
export type Segment = { text: string; hit: boolean };

export type HitKind = "incident" | "why" | "remediation" | "timeline" | "action";

export const HIT_LABELS: Record<HitKind, string> = {
  incident: "Incident",
  why: "Why",
  remediation: "Remediation",
  timeline: "Timeline",
  action: "Action",
};

export type SearchHit = {
  /** Unique per result (the index rowid). */
  key: number;
  kind: HitKind;
  href: string;
  /** The question, the action's title or the incident's title; empty for timeline entries. */
  heading: Segment[];
  /** Where the snippet comes from ("Answer", "Remediation", "Summary", …). */
  field: string;
  snippet: Segment[];
  incident: {
    reference: string;
    title: string;
    severity: Severity;
    status: Status;
    startedAt: string;
    restricted: boolean;
  };
};
