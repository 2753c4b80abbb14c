import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

// SQL only SQLite understands, named for what it does. Every statement the models build from
// drizzle's query builder is plain SQL either engine runs, except for the pieces here: each says
// why it is written this way on SQLite and what stands in its place on PostgreSQL, where its twin
// will sit beside it (app/models/sql/postgres.server.ts). Full-text search has a module of its
// own (sqlite-search.server.ts). tests/unit/sqlite-only-sql.test.ts keeps such SQL out of the
// models.

/**
 * `column` is one of `ids`, given as one JSON array text (a value or a `sql.placeholder`).
 * SQLite has no array parameter: one JSON text keeps the statement the same for any number of
 * ids, so it is compiled once, and never meets SQLite's limit on parameters.
 * PostgreSQL: `column = any($1::int[])`.
 */
export function inIdList(column: SQLWrapper, ids: SQLWrapper | string): SQL {
  return sql`${column} in (select value from json_each(${ids}))`;
}

/** The ids as the JSON text inIdList takes. */
export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids);
}

/**
 * A subquery's values as one JSON array text: a list read with its row in one statement.
 * PostgreSQL: `json_agg(…)`.
 */
export function jsonArrayOf(value: SQLWrapper, where?: SQLWrapper): SQL {
  return where ? sql`json_group_array(${value}) filter (where ${where})` : sql`json_group_array(${value})`;
}

/**
 * Several values as one JSON array, an element of jsonArrayOf: a person as [id, name, email, team].
 * PostgreSQL: `json_build_array(…)`.
 */
export function jsonTuple(...values: SQLWrapper[]): SQL {
  return sql`json_array(${sql.join(values, sql`, `)})`;
}

/** A group's texts joined by `separator`. PostgreSQL: `string_agg(…, separator)`. */
export function joined(value: SQLWrapper, separator: string): SQL<string | null> {
  return sql<string | null>`group_concat(${value}, ${separator})`;
}

/**
 * A timestamp as the ISO 8601 text the models read, where SQL gives it inside a value (a JSON
 * array) rather than as a column: stored so on SQLite. PostgreSQL: `to_char(…)`, which
 * writes a timestamp in JSON as "+00:00" rather than "Z".
 */
export function timestampText(timestamp: SQLWrapper): SQL<string> {
  return sql<string>`${timestamp}`;
}

/**
 * Whole seconds from one ISO 8601 text timestamp to another (timestamps are stored as text,
 * docs/decisions/0018-text-timestamps.md). PostgreSQL: `extract(epoch from to - from)`.
 */
export function secondsBetween(from: SQLWrapper, to: SQLWrapper): SQL<number | null> {
  return sql<number | null>`(unixepoch(${to}) - unixepoch(${from}))`;
}

/**
 * The month of a text timestamp, "2026-12" (stored in UTC, so the month is UTC's). PostgreSQL:
 * `to_char(… at time zone 'UTC', 'YYYY-MM')`.
 */
export function monthOf(timestamp: SQLWrapper): SQL<string> {
  return sql<string>`substr(${timestamp}, 1, 7)`;
}

/** Whole milliseconds from one text timestamp to another, to the millisecond stored. */
export function millisecondsBetween(from: SQLWrapper, to: SQLWrapper): SQL<number> {
  return sql<number>`cast(round((unixepoch(${to}, 'subsec') - unixepoch(${from}, 'subsec')) * 1000) as integer)`;
}

/** What firstOfEach reads: rows of `from` meeting `where`, in groups, each group ordered. */
export type GroupedRows = { id: SQLWrapper; group: SQLWrapper; from: SQLWrapper; where: SQLWrapper | undefined; orderBy: SQLWrapper[]; limit: SQLWrapper };

/**
 * The ids of the first `limit` rows of the group `outer` names (a column of the row joined to
 * them), as a subquery for `in`. SQLite walks the group's index and stops at the limit, once per
 * outer row. PostgreSQL: numbers every group's rows once (`row_number()`), uncorrelated, since it
 * would run a correlated one for every pair of rows.
 */
export function firstOfEach(rows: GroupedRows, outer: SQLWrapper): SQL {
  const where = rows.where ? sql` and ${rows.where}` : sql``;
  return sql`(select ${rows.id} from ${rows.from} where ${rows.group} = ${outer}${where} order by ${sql.join(rows.orderBy, sql`, `)} limit ${rows.limit})`;
}

/**
 * A condition that does not hold, written `= 0` so that SQLite's planner matches it to an index
 * on the condition (actions_due_idx is on "finished"). PostgreSQL: `not (…)`, a boolean.
 */
export function isFalse(condition: SQLWrapper): SQL {
  return sql`${condition} = 0`;
}

/**
 * A condition SQLite's planner should take to hold for most rows (`likely`): it then walks the
 * sort's index rather than the condition's. PostgreSQL plans from its statistics: the condition.
 */
export function likelyTrue(condition: SQLWrapper): SQL {
  return sql`likely(${condition})`;
}

/**
 * A table read through the named index (`indexed by`), in the index's order: SQLite would
 * otherwise choose to sort. PostgreSQL: the table; its planner walks the index for an ORDER BY
 * with a LIMIT.
 */
export function throughIndex(table: SQLWrapper, index: string): SQL {
  return sql`${table} indexed by ${sql.identifier(index)}`;
}

/** Newest row first among rows of the same time: SQLite's rowid. PostgreSQL: the id. */
export const laterInsertedFirst = sql`rowid desc`;
