import crypto from "node:crypto";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { db, execute, rowOf, schema } from "~/lib/db.server";
import { sessionSecret } from "~/lib/env.server";

// How often one person may do something, counted over a sliding window: a cap on what one member
// can make the server do (and store) by repeating a request in a loop, set far above what a person
// at a keyboard does. The counts are rows in the database (rate_counts), shared by every process on
// it: several instances, or several processes on one SQLite file, allow together what one does.
//
// The sliding window is estimated from two fixed windows: the attempts of the current one, plus
// those of the one before weighted by the share of it still inside the sliding window. One row per
// key and window, one statement per attempt; the estimate is exact for steady traffic and errs by
// at most a share of one window's count for bursts at a window's edge.
//
// One statement counts an attempt and decides it, so two processes counting at the same moment
// cannot both take the last place.

const { rateCounts } = schema;

/** How a limit weighs its windows: the counts of the current window and of the one before it. */
type WindowCounts = { current: number; previous: number };

/** Per mille: the share of the previous window still inside the sliding window, in whole numbers both engines compare exactly. */
const SCALE = 1000;

export type RateLimit<K = number> = {
  /** Whether the person (or whoever the key names) may go on; counts the attempt when they may. */
  take(key: K): Promise<boolean>;
  /** Seconds until the estimate leaves room for one more attempt (at least one). */
  retryAfter(key: K): Promise<number>;
};

/** The longest window a limit may have: the counts of windows that started twice as long ago are deleted. */
export const LONGEST_RATE_WINDOW_MS = 60 * 60_000;

/** At most `limit` attempts per person in any `windowMs`; `name` tells this limit's counts from others'. */
export function perPersonRate(name: string, limit: number, windowMs: number): RateLimit {
  return perKeyRate<number>(name, limit, windowMs);
}

/**
 * At most `limit` attempts per key in any `windowMs`. A key is an id (a person's, a token hash);
 * with `hashed`, the key is something personal (a client address) and only a keyed hash of it is
 * stored: the same on every instance, which share the session secret, and unreadable without it.
 */
export function perKeyRate<K extends string | number>(name: string, limit: number, windowMs: number, options: { hashed?: boolean } = {}): RateLimit<K> {
  if (windowMs > LONGEST_RATE_WINDOW_MS) throw new Error(`A rate window may last at most ${LONGEST_RATE_WINDOW_MS / 60_000} minutes.`);
  const keyOf = (key: K) => `${name}:${options.hashed ? crypto.createHmac("sha256", sessionSecret()).update(`${name}\0${key}`).digest("base64url").slice(0, 32) : key}`;
  let tidiedWindow: number | undefined;
  return {
    async take(key) {
      const now = Date.now();
      const start = windowStartOf(now, windowMs);
      // The first attempt this process counts in a window deletes a bounded batch of old counts:
      // the table holds the last two hours of attempts, whichever processes come and go.
      if (tidiedWindow !== start) {
        tidiedWindow = start;
        await forgetRateCounts(now - 2 * LONGEST_RATE_WINDOW_MS);
      }
      return await countAttempt(keyOf(key), start, windowMs, limit, previousShare(now, start, windowMs));
    },
    async retryAfter(key) {
      const now = Date.now();
      const start = windowStartOf(now, windowMs);
      return secondsUntilRoom(await windowCounts(keyOf(key), start, windowMs), limit, start, windowMs, now);
    },
  };
}

function windowStartOf(now: number, windowMs: number): number {
  return now - (now % windowMs);
}

/** The share of the previous window still inside the sliding window ending now, in thousandths, rounded up (never in the attempt's favour). */
function previousShare(now: number, start: number, windowMs: number): number {
  return Math.ceil((SCALE * (start + windowMs - now)) / windowMs);
}

/**
 * When the estimate will leave room for one more attempt, in whole seconds from now (at least
 * one: this is asked after a refusal). Within the current window, room comes as the previous
 * window's share shrinks; once the current window alone is full, only in the next window, as
 * this one's share shrinks in turn. Other processes may count meanwhile: it is a hint, as a
 * Retry-After is.
 */
export function secondsUntilRoom({ current, previous }: WindowCounts, limit: number, start: number, windowMs: number, now: number): number {
  const end = start + windowMs;
  let at: number;
  if (current + 1 <= limit) at = previous === 0 ? now : end - ((limit - current - 1) * windowMs) / previous;
  else at = end + windowMs - ((limit - 1) * windowMs) / current;
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/**
 * Counts one attempt on `key` in the window starting at `windowStart`, if the estimate with it
 * stays within `limit`: `current + 1 + previous × previousShare ≤ limit`, `previousShare` in
 * thousandths. Returns whether it was counted (the attempt may go on).
 */
async function countAttempt(key: string, windowStart: number, windowMs: number, limit: number, previousShare: number): Promise<boolean> {
  const previous = sql`coalesce((select p.count from rate_counts p where p.key = ${key} and p.window_start = ${windowStart - windowMs}), 0) * ${previousShare}`;
  // The insert's select has a where clause, which SQLite needs to read the on conflict that follows
  // as the upsert's and not as a join's. The update's where sees the row as the last writer left
  // it (PostgreSQL's row lock, SQLite's single writer), so the count never passes the limit.
  const row = await rowOf<{ count: number }>(
    db(),
    sql`insert into rate_counts (key, window_start, count)
      select ${key}, ${windowStart}, 1 where ${SCALE} + ${previous} <= ${limit * SCALE}
      on conflict (key, window_start) do update set count = rate_counts.count + 1
      where (rate_counts.count + 1) * ${SCALE} + ${previous} <= ${limit * SCALE}
      returning count`,
  );
  return row !== undefined;
}

/** The counts of the window starting at `windowStart` and of the one before it. */
async function windowCounts(key: string, windowStart: number, windowMs: number): Promise<WindowCounts> {
  const rows = await db()
    .select({ windowStart: rateCounts.windowStart, count: rateCounts.count })
    .from(rateCounts)
    .where(and(eq(rateCounts.key, key), inArray(rateCounts.windowStart, [windowStart, windowStart - windowMs])))
    .all();
  const countOf = (start: number) => rows.find((r) => r.windowStart === start)?.count ?? 0;
  return { current: countOf(windowStart), previous: countOf(windowStart - windowMs) };
}

/**
 * Deletes up to `most` counts of windows that started before `before`: no limit reads them any
 * more. Bounded, so that the statement stays short however many there are; the next call takes
 * the rest.
 */
export async function forgetRateCounts(before: number, most = 1000): Promise<number> {
  const old = db()
    .select({ key: rateCounts.key, windowStart: rateCounts.windowStart })
    .from(rateCounts)
    .where(lt(rateCounts.windowStart, before))
    .limit(most);
  return await execute(db(), sql`delete from rate_counts where (key, window_start) in (${old})`);
}
