import { and, sql, type SQL } from "drizzle-orm";
import { schema } from "~/lib/db.server";
import type { Viewer } from "../authorization";
import { viewableBy } from "../authorization.server";
import { RESULT_LIMIT, SEARCH_PAGE_SIZE, searchTerms } from "../search";

// Full-text search as SQLite's FTS5 does it: the search_index table (db/migrations/0004_search.sql,
// kept by triggers), its MATCH syntax, bm25() ranking and snippet()/highlight(). Search and Seen
// before read the index only through this module. PostgreSQL's twin will use a tsvector column
// with a GIN index, websearch_to_tsquery, ts_rank_cd and ts_headline, returning the same rows.

const { incidents, whys } = schema;

// search_index rowids are sourceId * 8 + kind (db/migrations/0004_search.sql).
export const KIND_INCIDENT = 1;
export const KIND_WHY = 2;
export const KIND_TIMELINE = 3;
export const KIND_ACTION = 4;

/** The source row of an index row and what kind of thing it is (one of the KIND_ values). */
export function indexSource(rid: number): { sourceId: number; kind: number } {
  return { sourceId: Math.floor(rid / 8), kind: rid % 8 };
}

// Control characters around hits: they never occur in what people write, so the snippet splits
// into plain text and hits without any HTML being made or parsed.
export const HIT_START = "\u0002";
export const HIT_END = "\u0003";
const SNIPPET_TOKENS = 24;

/**
 * The user's text as an FTS5 query that cannot be a syntax error: every word or phrase
 * (searchTerms) is a quoted string, so operators (AND, NEAR, -, :, *, parentheses) are only ever
 * words, with `*` after the last word for a prefix. Returns null when nothing in the text can match.
 */
export function toMatchQuery(text: string): string | null {
  const terms = searchTerms(text);
  if (terms.length === 0) return null;
  return terms.map(({ words, prefix }) => `"${words.replace(/"/g, '""')}"${prefix ? "*" : ""}`).join(" ");
}

const score = sql`bm25(search_index, 4.0, 2.0, 1.0)`;

/**
 * One page of index rowids, best first, among the hits the user may see and `narrowed` (the
 * search filters, as conditions on the incident) keeps,
 * with how many there are. CROSS JOIN fixes the join order: the full-text index first, then
 * incidents by primary key. Looking up a hit's incident costs far more than scoring it, so the
 * two cases go different ways.
 */
export function rankStatement(user: Viewer, narrowed: SQL | undefined, match: string, offset: number): SQL {
  const visible = viewableBy(user);
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
      ${incidents.id} as "incidentId",
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

/** What Seen before asks of the index: any of the words, in a why's answer or remediation. */
export function anyWordInWhy(words: readonly string[]): string {
  // Every word quoted: nothing people type can be read as query syntax.
  return `{body extra} : (${words.map((w) => `"${w.replace(/"/g, '""')}"`).join(" OR ")})`;
}

/**
 * Whys of other incidents sharing words with `match` (anyWordInWhy), best first by BM25 with
 * the answer weighing more than the remediation, at most `limit`.
 */
export function whysMatching(match: string, exceptIncidentId: number, limit: number): SQL {
  const rank = sql`bm25(search_index, 0.0, 1.0, 0.6)`;
  return sql`
    select ${whys.id} as id, ${whys.answer} as answer, ${whys.remediationMd} as "remediationMd", ${rank} as rank
    from search_index inner join ${whys} on ${whys.id} = search_index.rowid / 8
    where search_index match ${match} and search_index.rowid % 8 = ${KIND_WHY}
      and ${whys.incidentId} <> ${exceptIncidentId} and ${whys.answer} <> ''
    order by ${rank}
    limit ${limit}`;
}
