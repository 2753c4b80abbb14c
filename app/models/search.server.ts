import { and, eq, gte, lt, type SQL } from "drizzle-orm";
import { db, rowsOf, schema } from "~/lib/db.server";
import { addDays } from "~/lib/time";
import type { Viewer } from "./authorization";
import { reference, type Severity, type Status } from "./incident";
import { withService } from "./incident.server";
import { RESULT_LIMIT, SEARCH_PAGE_SIZE, type SearchHit, type Segment } from "./search";
import { HIT_END, HIT_START, KIND_ACTION, KIND_INCIDENT, KIND_TIMELINE, KIND_WHY, indexSource, pageStatement, rankStatement, toMatchQuery } from "./sql/search-index.server";

const { incidents } = schema;




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
  const { sourceId, kind } = indexSource(row.rid);
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
  switch (kind) {
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
export function filterConditions(filters: SearchFilters): SQL | undefined {
  return and(
    filters.severity ? eq(incidents.severity, filters.severity) : undefined,
    filters.status ? eq(incidents.status, filters.status) : undefined,
    filters.from ? gte(incidents.startedAt, `${filters.from}T00:00:00.000Z`) : undefined,
    // Through the last day there is: nothing starts after it (and the day after has no date).
    filters.to && filters.to < "9999-12-31" ? lt(incidents.startedAt, `${addDays(filters.to, 1)}T00:00:00.000Z`) : undefined,
    filters.service
      ? withService(filters.service)
      : undefined,
  );
}


/**
 * Incidents, whys, remediations, timeline entries and actions matching the text, best first,
 * among the incidents the user may see (restricted ones only for admins and the people involved).
 * Two statements: one ranks and counts, one fetches the snippets of the page.
 */
export async function searchFor(user: Viewer, filters: SearchFilters): Promise<SearchResult> {
  const match = toMatchQuery(filters.q);
  if (!match) return { searched: false, items: [], total: 0, more: false, page: 1, pageCount: 1 };
  const rank = (page: number) => rowsOf<Ranked>(db(), rankStatement(user, filterConditions(filters), match, (page - 1) * SEARCH_PAGE_SIZE));
  const lastPage = Math.ceil(RESULT_LIMIT / SEARCH_PAGE_SIZE);
  let page = Math.min(lastPage, Math.max(1, Math.floor(filters.page ?? 1)));
  let ranked = await rank(page);
  if (ranked.length === 0 && page > 1) {
    // Past the last page (an old link): show the last page instead of nothing.
    const found = (await rank(1))[0]?.total ?? 0;
    page = Math.max(1, Math.ceil(Math.min(found, RESULT_LIMIT) / SEARCH_PAGE_SIZE));
    ranked = found > 0 ? await rank(page) : [];
  }
  const found = ranked[0]?.total ?? 0;
  const total = Math.min(found, RESULT_LIMIT);
  const rows = ranked.length > 0 ? await rowsOf<Row>(db(), pageStatement(match, ranked.map((r) => r.rid))) : [];
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

