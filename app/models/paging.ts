// How long lists page and count: shared by the incident list, the learnings feed and the
// action lists.

/** Rows on a page of the incident list and the action lists. */
export const PAGE_SIZE = 25;

/** Lists count their matches up to here and then say "more than": counting all costs a full scan. */
export const COUNT_LIMIT = 1000;

/** A count read with `limit COUNT_LIMIT + 1`, as a list shows it: `capped` when more match. */
export function boundedCount(counted: number): { total: number; capped: boolean } {
  return { total: Math.min(counted, COUNT_LIMIT), capped: counted > COUNT_LIMIT };
}

/** Where a keyset page starts: after (older than) or before (newer than) the row with this id. */
export type Keyset = { after?: number; before?: number };

/** The cursors of the neighbouring pages, null at either end. */
export type Cursors = { newer: number | null; older: number | null };

/** The cursor a page reads from, and whether it reads backwards (towards newer rows). */
export function keysetOf(keyset: Keyset): { cursor: number | undefined; backwards: boolean } {
  return { cursor: keyset.after ?? keyset.before, backwards: keyset.after === undefined && keyset.before !== undefined };
}

/**
 * One page of a list kept newest first and paged by keyset. `rows` are what the query read from
 * the cursor, at most `limit + 1` of them: in list order after it, in reverse order before it.
 */
export function keysetPage<T>(rows: T[], limit: number, keyset: Keyset, idOf: (row: T) => number): { shown: T[] } & Cursors {
  const { cursor, backwards } = keysetOf(keyset);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (backwards) shown.reverse();
  const first = shown.length > 0 ? idOf(shown[0]) : null;
  const last = shown.length > 0 ? idOf(shown[shown.length - 1]) : null;
  return {
    shown,
    newer: cursor !== undefined && (!backwards || more) ? first : null,
    older: !backwards ? (more ? last : null) : last,
  };
}
