import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

// The PostgreSQL twins of sqlite.server.ts: the same names and signatures (sql/index.server.ts
// checks), each doing on PostgreSQL what its twin does on SQLite. Full-text search has a module
// of its own (postgres-search.server.ts).

/**
 * `column` is one of `ids`, given as one JSON array text, as on SQLite: the statement stays the
 * same for any number of ids, and the models give the ids one way whatever the engine.
 */
export function inIdList(column: SQLWrapper, ids: SQLWrapper | string): SQL {
  return sql`${column} in (select json_array_elements_text(${ids}::json)::integer)`;
}

/** The ids as the JSON text inIdList takes. */
export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids);
}

/**
 * A subquery's values as one JSON array text. `json_agg` of no rows is null where SQLite's
 * `json_group_array` gives `[]`; the models read `[]`.
 */
export function jsonArrayOf(value: SQLWrapper, where?: SQLWrapper): SQL {
  return sql`coalesce(json_agg(${value})${where ? sql` filter (where ${where})` : sql``}, '[]'::json)`;
}

/** Several values as one JSON array, an element of jsonArrayOf. */
export function jsonTuple(...values: SQLWrapper[]): SQL {
  return sql`json_build_array(${sql.join(values, sql`, `)})`;
}

/** A group's texts joined by `separator`. */
export function joined(value: SQLWrapper, separator: string): SQL<string | null> {
  return sql<string | null>`string_agg(${value}, ${separator}::text)`;
}

/** A timestamp as the ISO 8601 text the models read ("2026-10-06T14:02:00.000Z"), inside a JSON value. */
export function timestampText(timestamp: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Whole seconds from one timestamp to another. */
export function secondsBetween(from: SQLWrapper, to: SQLWrapper): SQL<number | null> {
  return sql<number | null>`floor(extract(epoch from (${to} - ${from})))::bigint`;
}

/** The month of a timestamp, "2026-12", in UTC as on SQLite. */
export function monthOf(timestamp: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM')`;
}

/** Whole milliseconds from one timestamp to another. */
export function millisecondsBetween(from: SQLWrapper, to: SQLWrapper): SQL<number> {
  return sql<number>`round(extract(epoch from (${to} - ${from})) * 1000)::bigint`;
}

export type { GroupedRows } from "./sqlite.server";
import type { GroupedRows } from "./sqlite.server";

/** The first `limit` rows of every group, numbered once: the caller joins on the group itself. */
export function firstOfEach(rows: GroupedRows, outer: SQLWrapper): SQL {
  void outer;
  const where = rows.where ? sql` where ${rows.where}` : sql``;
  return sql`(select ranked.id from (select ${rows.id} as id, row_number() over (partition by ${rows.group} order by ${sql.join(rows.orderBy, sql`, `)}) as place from ${rows.from}${where}) as ranked where ranked.place <= ${rows.limit})`;
}

/** A condition that does not hold: booleans are booleans here. */
export function isFalse(condition: SQLWrapper): SQL {
  return sql`not ${condition}`;
}

/** PostgreSQL plans from its statistics: the condition as it is. */
export function likelyTrue(condition: SQLWrapper): SQL {
  return sql`${condition}`;
}

/** The table: PostgreSQL's planner walks an index for an ORDER BY with a LIMIT by itself. */
export function throughIndex(table: SQLWrapper, index: string): SQL {
  void index;
  return sql`${table}`;
}

/**
 * Newest row first among rows of the same time. PostgreSQL has no rowid: the id of the transaction
 * that wrote the row (`xmin`) grows with each transaction, so it orders rows inserted one by one
 * and not updated since, which is what the callers sort (sessions, made once).
 */
export const laterInsertedFirst = sql`xmin::text::bigint desc`;
