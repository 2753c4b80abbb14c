import { and, sql, type SQL } from "drizzle-orm";
import { schema } from "~/lib/db.server";
import type { Viewer } from "../authorization";
import { viewableBy } from "../authorization.server";
import { SEARCH_PAGE_SIZE, searchTerms } from "../search";

// Full-text search as PostgreSQL does it, the twin of sqlite-search.server.ts with the same names:
// the search_index table (db/migrations-pg/0001_search_and_triggers.sql, kept by triggers) holds
// each source row's text and two generated tsvectors with GIN indexes, `doc` (title A, body B,
// extra C) and `why_doc` (body and extra only); queries are tsquery text, ranked by
// ts_rank_cd and cut into snippets by ts_headline. How this differs from SQLite's FTS5:
// docs/decisions/0034-search-on-each-engine.md

const { incidents, whys } = schema;

export { HIT_END, HIT_START, KIND_ACTION, KIND_INCIDENT, KIND_TIMELINE, KIND_WHY, indexSource } from "./sqlite-search.server";
import { HIT_END, HIT_START, KIND_WHY } from "./sqlite-search.server";

const SNIPPET_WORDS = 24;

/** A word or phrase as a tsquery operand: quoted, so nothing people type is query syntax. */
function quoted(words: string): string {
  return `'${words.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * The user's text as tsquery text that cannot be a syntax error: every word or phrase
 * (searchTerms) quoted (the `hindsight` configuration, english with accents folded, then stems
 * it as it stemmed the index; a phrase's words must follow each other), all of them required,
 * `:*` after the last word for a prefix. Returns null when nothing in the text can match.
 */
export function toMatchQuery(text: string): string | null {
  const terms = searchTerms(text);
  if (terms.length === 0) return null;
  return terms.map(({ words, prefix }) => `${quoted(words)}${prefix ? ":*" : ""}`).join(" & ");
}

const query = (match: string) => sql`to_tsquery('hindsight', ${match})`;
// ts_rank_cd's weights are given D, C, B, A: title (A) 4, body (B) 2, extra (C) 1, as bm25's on
// SQLite; normalization 1 divides by the logarithm of the text's length, so that, as with bm25, a
// short text with the words ranks above a long one that merely has them too; of two that rank
// the same, the shorter comes first.
const score = (match: string) => sql`ts_rank_cd('{0.1, 0.25, 0.5, 1.0}'::float4[], search_index.doc, ${query(match)}, 1)`;

/**
 * One page of index row ids, best first, among the hits the user may see and `narrowed` (the
 * search filters, as conditions on the incident) keeps, with how many there are. The GIN index
 * finds the matches; PostgreSQL's planner chooses the join order from its statistics.
 */
export function rankStatement(user: Viewer, narrowed: SQL | undefined, match: string, offset: number): SQL {
  const conditions = and(viewableBy(user), narrowed);
  return sql`
    select search_index.rid as rid, count(*) over () as total
    from search_index join ${incidents} on ${incidents.id} = search_index.incident_id
    where search_index.doc @@ ${query(match)}${conditions ? sql` and ${conditions}` : sql``}
    order by ${score(match)} desc, length(search_index.title) + length(search_index.body) + length(search_index.extra), search_index.rid desc
    limit ${SEARCH_PAGE_SIZE} offset ${offset}`;
}

/** Snippets and incident details of the page's hits (their ids, whole numbers, written as literals). */
export function pageStatement(match: string, rowids: number[]): SQL {
  const list = sql.raw(rowids.map((id) => String(Math.trunc(id))).join(", "));
  const marks = `StartSel=${HIT_START}, StopSel=${HIT_END}`;
  const heading = `${marks}, HighlightAll=true`;
  const snippet = `${marks}, MaxWords=${SNIPPET_WORDS}, MinWords=${Math.floor(SNIPPET_WORDS / 2)}, ShortWord=2`;
  const headline = (column: SQL, options: string) =>
    sql`case when ${column} = '' then '' else ts_headline('hindsight', ${column}, ${query(match)}, ${options}) end`;
  return sql`
    select search_index.rid as rid,
      ${headline(sql`search_index.title`, heading)} as heading,
      ${headline(sql`search_index.body`, snippet)} as body,
      ${headline(sql`search_index.extra`, snippet)} as extra,
      ${incidents.id} as "incidentId",
      ${incidents.title} as "incidentTitle",
      ${incidents.severity} as severity,
      ${incidents.status} as status,
      ${incidents.startedAt} as "startedAt",
      ${incidents.visibility} as visibility
    from search_index join ${incidents} on ${incidents.id} = search_index.incident_id
    where search_index.rid in (${list})`;
}

/** What Seen before asks of the index: any of the words (searched in a why's answer and remediation). */
export function anyWordInWhy(words: readonly string[]): string {
  return words.map(quoted).join(" | ");
}

/**
 * Whys of other incidents sharing words with `match` (anyWordInWhy), best first, the answer
 * (B) weighing more than the remediation (C), at most `limit`. `rank` is lower for better, as
 * SQLite's bm25 is.
 */
export function whysMatching(match: string, exceptIncidentId: number, limit: number): SQL {
  const rank = sql`-ts_rank_cd('{0, 0.6, 1.0, 0}'::float4[], search_index.why_doc, ${query(match)}, 1)`;
  return sql`
    select ${whys.id} as id, ${whys.answer} as answer, ${whys.remediationMd} as "remediationMd", ${rank} as rank
    from search_index inner join ${whys} on ${whys.id} = search_index.rid / 8
    where search_index.why_doc @@ ${query(match)} and search_index.rid % 8 = ${KIND_WHY}
      and ${whys.incidentId} <> ${exceptIncidentId} and ${whys.answer} <> ''
    order by ${rank}
    limit ${limit}`;
}
