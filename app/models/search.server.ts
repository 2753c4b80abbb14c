import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import { addDays } from "~/lib/time";
import { STOPWORDS } from "~/lib/words";
import type { Viewer } from "./authorization";
import { reference, type Severity, type Status } from "./incident";
import { viewableBy } from "./authorization.server";
import { withService } from "./incident.server";
import { MAX_QUERY_LENGTH, type SearchHit, type Segment } from "./search";

const { incidents } = schema;

export const SEARCH_PAGE_SIZE = 20;
/** Results counted and offered page by page; past this, people are asked to narrow down. */
export const RESULT_LIMIT = 1000;
const MAX_TERMS = 16;
// Prefix queries on one or two letters expand to a large share of the vocabulary: slow, and
// rarely what someone means.
const MIN_PREFIX_LENGTH = 3;

// search_index rowids are sourceId * 8 + kind (db/migrations/0004_search.sql).
const KIND_INCIDENT = 1;
const KIND_WHY = 2;
const KIND_TIMELINE = 3;
const KIND_ACTION = 4;

// Control characters around hits: they never occur in what people write, so the snippet splits
// into plain text and hits without any HTML being made or parsed.
const HIT_START = "\u0002";
const HIT_END = "\u0003";
const SNIPPET_TOKENS = 24;

export type SearchFilters = {
  q: string;
  severity?: Severity;
  service?: string;
  status?: Status;
  /** Calendar dates ("2026-10-06", UTC) bounding when the incident started; both inclusive. */
  from?: string;
  to?: string;
  page?: number;
};

export type SearchResult = {
  /** False when the text holds nothing to search for (empty, or only punctuation). */
  searched: boolean;
  items: SearchHit[];
  /** How many results, up to RESULT_LIMIT. */
  total: number;
  /** True when there are more than RESULT_LIMIT: only the best RESULT_LIMIT are offered. */
  more: boolean;
  page: number;
  pageCount: number;
};

/**
 * The user's text as an FTS5 query that cannot be a syntax error: every word is a quoted
 * string, so operators (AND, NEAR, -, :, *, parentheses) are only ever words. Text in double
 * quotes stays a phrase; the last word also matches as a prefix, for people still typing.
 * Common words ("the", "was") outside quotes are left out.
 * Returns null when nothing in the text can match.
 */
export function toMatchQuery(text: string): string | null {
  const chunks: { words: string; phrase: boolean }[] = [];
  for (const m of text.slice(0, MAX_QUERY_LENGTH).matchAll(/"([^"]*)"|[^\s"]+/gu)) {
    const words = (m[1] ?? m[0]).replace(/[\u0000-\u001f]/g, " ").trim();
    // A chunk without a letter or digit tokenizes to nothing, and an empty phrase would make
    // the whole query match nothing.
    const phrase = m[1] !== undefined;
    // "the" or "and" on its own matches nearly everything and says nothing: quote it to search for it.
    if (!phrase && STOPWORDS.has(words.toLowerCase())) continue;
    if (/[\p{L}\p{N}]/u.test(words)) chunks.push({ words, phrase });
  }
  if (chunks.length === 0) return null;
  const kept = chunks.slice(0, MAX_TERMS);
  return kept
    .map(({ words, phrase }, i) => {
      const quoted = `"${words.replace(/"/g, '""')}"`;
      const lastWord = words.split(/[^\p{L}\p{N}]+/u).filter(Boolean).pop() ?? "";
      const prefix = i === kept.length - 1 && !phrase && lastWord.length >= MIN_PREFIX_LENGTH;
      return prefix ? `${quoted}*` : quoted;
    })
    .join(" ");
}

/** A snippet with hit markers as plain-text segments, with Markdown punctuation removed. */
export function toSegments(marked: string): Segment[] {
  const segments: Segment[] = [];
  const parts = tidy(marked).split(HIT_START);
  parts.forEach((part, i) => {
    if (i === 0) {
      if (part) segments.push({ text: part, hit: false });
      return;
    }
    const end = part.indexOf(HIT_END);
    const hit = end === -1 ? part : part.slice(0, end);
    const rest = end === -1 ? "" : part.slice(end + HIT_END.length);
    if (hit) segments.push({ text: hit, hit: true });
    if (rest) segments.push({ text: rest, hit: false });
  });
  return segments;
}

// Snippets come from the Markdown source; emphasis and heading marks read as noise in a line
// of text.
function tidy(markdown: string): string {
  return markdown
    .replace(/^[ \t]*(#{1,6}|>|[-*+]|\d+\.)[ \t]+/gm, "")
    .replace(/\*\*|__|`+|~~/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function hasHit(segments: Segment[]): boolean {
  return segments.some((s) => s.hit);
}

type Ranked = { rid: number; total: number };

type Row = {
  rid: number;
  heading: string;
  body: string;
  extra: string;
  incidentId: number;
  incidentTitle: string;
  severity: Severity;
  status: Status;
  startedAt: string;
  visibility: "org" | "restricted";
};

function hitFrom(row: Row): SearchHit {
  const sourceId = Math.floor(row.rid / 8);
  const ref = reference(row.incidentId);
  const heading = toSegments(row.heading);
  const body = toSegments(row.body);
  const extra = toSegments(row.extra);
  const incident = {
    reference: ref,
    title: row.incidentTitle,
    severity: row.severity,
    status: row.status,
    startedAt: row.startedAt,
    restricted: row.visibility === "restricted",
  };
  switch (row.rid % 8) {
    case KIND_WHY: {
      // A hit only in the remediation is a remediation result; otherwise the answer is shown.
      const inRemediation = hasHit(extra) && !hasHit(body);
      return {
        key: row.rid,
        kind: inRemediation ? "remediation" : "why",
        href: `/incidents/${ref}#why-${sourceId}`,
        heading,
        field: inRemediation ? "Remediation" : "Answer",
        snippet: inRemediation ? extra : body,
        incident,
      };
    }
    case KIND_TIMELINE:
      return { key: row.rid, kind: "timeline", href: `/incidents/${ref}#entry-${sourceId}`, heading: [], field: "Entry", snippet: body, incident };
    case KIND_ACTION:
      return { key: row.rid, kind: "action", href: `/actions/${sourceId}`, heading, field: "Description", snippet: body, incident };
    case KIND_INCIDENT:
    default: {
      const inImpact = hasHit(extra) && !hasHit(body);
      return {
        key: row.rid,
        kind: "incident",
        href: `/incidents/${ref}`,
        heading,
        field: inImpact || body.length === 0 ? "Impact" : "Summary",
        snippet: inImpact || body.length === 0 ? extra : body,
        incident,
      };
    }
  }
}

/** What the filters ask of the incident a hit belongs to; undefined without filters. */
function filterConditions(filters: SearchFilters): SQL | undefined {
  return and(
    filters.severity ? eq(incidents.severity, filters.severity) : undefined,
    filters.status ? eq(incidents.status, filters.status) : undefined,
    filters.from ? gte(incidents.startedAt, `${filters.from}T00:00:00.000Z`) : undefined,
    filters.to ? lt(incidents.startedAt, `${addDays(filters.to, 1)}T00:00:00.000Z`) : undefined,
    filters.service
      ? withService(filters.service)
      : undefined,
  );
}

const score = sql`bm25(search_index, 4.0, 2.0, 1.0)`;

/**
 * One page of index rowids, best first, among the hits the user may see and the filters keep,
 * with how many there are. CROSS JOIN fixes the join order: the full-text index first, then
 * incidents by primary key. Looking up a hit's incident costs far more than scoring it, so the
 * two cases go different ways.
 */
export function rankStatement(user: Viewer, filters: SearchFilters, match: string, offset: number): SQL {
  const visible = viewableBy(user);
  const narrowed = filterConditions(filters);
  const page = sql`limit ${SEARCH_PAGE_SIZE} offset ${offset}`;
  if (narrowed) {
    // Filters may keep few of many matches: look up every match's incident, then score, sort
    // and count only what is left. (bm25() cannot sit next to a window function, hence the
    // inner query.)
    return sql`
      select rid, count(*) over () as total
      from (
        select search_index.rowid as rid, ${score} as score
        from search_index cross join ${incidents} on ${incidents.id} = search_index.incident_id
        where search_index match ${match} and ${and(visible, narrowed)}
      )
      order by score, rid desc
      ${page}`;
  }
  // Without filters nearly every match is one the user may see: score every match from the
  // index alone, then look up incidents in score order only until the page is full (the
  // materialized rows are already in order, so SQLite does not sort them again), and count
  // only as far as RESULT_LIMIT.
  const counted = sql`(
    select count(*) from (
      select 1 from search_index${visible ? sql` cross join ${incidents} on ${incidents.id} = search_index.incident_id` : sql``}
      where search_index match ${match}${visible ? sql` and ${visible}` : sql``}
      limit ${RESULT_LIMIT + 1}
    )
  )`;
  if (!visible) {
    return sql`
      select search_index.rowid as rid, ${counted} as total
      from search_index
      where search_index match ${match}
      order by ${score}, rid desc
      ${page}`;
  }
  return sql`
    with ranked as materialized (
      select rowid as rid, ${score} as score
      from search_index
      where search_index match ${match}
      order by score, rid desc
    )
    select ranked.rid as rid, ${counted} as total
    from ranked
      cross join search_index as source on source.rowid = ranked.rid
      cross join ${incidents} on ${incidents.id} = source.incident_id
    where ${visible}
    order by ranked.score, ranked.rid desc
    ${page}`;
}

/**
 * Snippets and incident details of the page's hits. FTS5 gets one rowid range to walk, and
 * SQLite keeps the page's rowids (the unary + keeps the list away from FTS5): given the list
 * itself, FTS5 would run the query once per rowid, and a prefix query costs milliseconds each.
 * The rowids are written as integer literals: FTS5 ignores a rowid bound given as a
 * floating-point parameter, which is how JavaScript numbers are bound.
 */
export function pageStatement(match: string, rowids: number[]): SQL {
  const ids = rowids.map((id) => Math.trunc(id));
  const list = sql.raw(ids.join(", "));
  return sql`
    select search_index.rowid as rid,
      highlight(search_index, 0, ${HIT_START}, ${HIT_END}) as heading,
      snippet(search_index, 1, ${HIT_START}, ${HIT_END}, '…', ${SNIPPET_TOKENS}) as body,
      snippet(search_index, 2, ${HIT_START}, ${HIT_END}, '…', ${SNIPPET_TOKENS}) as extra,
      ${incidents.id} as incidentId,
      ${incidents.title} as incidentTitle,
      ${incidents.severity} as severity,
      ${incidents.status} as status,
      ${incidents.startedAt} as startedAt,
      ${incidents.visibility} as visibility
    from search_index cross join ${incidents} on ${incidents.id} = search_index.incident_id
    where search_index match ${match}
      and search_index.rowid >= ${sql.raw(String(Math.min(...ids)))}
      and search_index.rowid <= ${sql.raw(String(Math.max(...ids)))}
      and +search_index.rowid in (${list})`;
}

/**
 * Incidents, whys, remediations, timeline entries and actions matching the text, best first,
 * among the incidents the user may see (restricted ones only for admins and the people involved).
 * Two statements: one ranks and counts, one fetches the snippets of the page.
 */
export function searchFor(user: Viewer, filters: SearchFilters): SearchResult {
  const match = toMatchQuery(filters.q);
  if (!match) return { searched: false, items: [], total: 0, more: false, page: 1, pageCount: 1 };
  const rank = (page: number) => db().all<Ranked>(rankStatement(user, filters, match, (page - 1) * SEARCH_PAGE_SIZE));
  const lastPage = Math.ceil(RESULT_LIMIT / SEARCH_PAGE_SIZE);
  let page = Math.min(lastPage, Math.max(1, Math.floor(filters.page ?? 1)));
  let ranked = rank(page);
  if (ranked.length === 0 && page > 1) {
    // Past the last page (an old link): show the last page instead of nothing.
    const found = rank(1)[0]?.total ?? 0;
    page = Math.max(1, Math.ceil(Math.min(found, RESULT_LIMIT) / SEARCH_PAGE_SIZE));
    ranked = found > 0 ? rank(page) : [];
  }
  const found = ranked[0]?.total ?? 0;
  const total = Math.min(found, RESULT_LIMIT);
  const rows = ranked.length > 0 ? db().all<Row>(pageStatement(match, ranked.map((r) => r.rid))) : [];
  const byRowid = new Map(rows.map((row) => [row.rid, row]));
  return {
    searched: true,
    items: ranked.flatMap((r) => {
      const row = byRowid.get(r.rid);
      return row ? [hitFrom(row)] : [];
    }),
    total,
    more: found > RESULT_LIMIT,
    page,
    pageCount: Math.max(1, Math.ceil(total / SEARCH_PAGE_SIZE)),
  };
}

