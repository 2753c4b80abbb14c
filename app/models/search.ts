import { STOPWORDS } from "~/lib/words";
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

/** At most this many words or phrases of a query are searched for. */
const MAX_TERMS = 16;
// Prefix queries on one or two letters expand to a large share of the vocabulary: slow, and
// rarely what someone means.
const MIN_PREFIX_LENGTH = 3;

/** A word or a quoted phrase of a search, and whether it also matches as a prefix. */
export type SearchTerm = { words: string; phrase: boolean; prefix: boolean };

/**
 * What a search looks for, read the same way on either engine: text in double quotes is a phrase,
 * other text is words; common words ("the", "was") outside quotes are left out; the last word
 * also matches as a prefix, for people still typing. Empty when nothing in the text can match.
 * Each engine's search module writes the terms in its own query syntax.
 */
export function searchTerms(text: string): SearchTerm[] {
  const chunks: { words: string; phrase: boolean }[] = [];
  for (const m of text.slice(0, MAX_QUERY_LENGTH).matchAll(/"([^"]*)"|[^\s"]+/gu)) {
    const words = (m[1] ?? m[0]).replace(/[\u0000-\u001f]/g, " ").trim();
    const phrase = m[1] !== undefined;
    // "the" or "and" on its own matches nearly everything and says nothing: quote it to search for it.
    if (!phrase && STOPWORDS.has(words.toLowerCase())) continue;
    // A chunk without a letter or digit has no word to find, and an empty phrase would make the
    // whole query match nothing.
    if (/[\p{L}\p{N}]/u.test(words)) chunks.push({ words, phrase });
  }
  const kept = chunks.slice(0, MAX_TERMS);
  return kept.map(({ words, phrase }, i) => {
    const lastWord = words.split(/[^\p{L}\p{N}]+/u).filter(Boolean).pop() ?? "";
    return { words, phrase, prefix: i === kept.length - 1 && !phrase && lastWord.length >= MIN_PREFIX_LENGTH };
  });
}
