import { TZDate } from "@date-fns/tz";
import { addWeeks, getISOWeek, getISOWeeksInYear, getISOWeekYear, setISOWeek, startOfISOWeek } from "date-fns";

// ISO weeks ("2026-W48") in the organisation's time zone: Monday 00:00 to the next Monday 00:00
// there. Digests were once one per week, keyed so in the outbox; the migration to numbered
// digests (0012_digest_sequence.sql) reads those keys with this.

export type Period = { key: string; start: string; end: string; label: string };

const PATTERN = /^(\d{4})-W(\d{2})$/;

/** The years a digest can be asked for: outside them dates stop being plain ISO strings (and years below 100 are misread by Date). */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9999;

/**
 * Why a week key ("2026-W48") names no week, in words for the person who typed it; null when
 * it names one. The one check of a week from outside (a link, a form, the command line).
 */
export function periodProblem(key: string): string | null {
  const m = PATTERN.exec(key);
  if (!m) return `“${key.slice(0, 40)}” is not a week: write it as year and week, e.g. 2026-W48.`;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < FIRST_YEAR || year > LAST_YEAR) return `There is no digest for ${m[1]}: choose a week between ${FIRST_YEAR} and ${LAST_YEAR}.`;
  if (week < 1) return "Weeks are numbered from 01: the first week of 2026 is 2026-W01.";
  // The 4th of January is always in week 1 of its ISO year.
  const weeks = getISOWeeksInYear(new Date(Date.UTC(year, 0, 4)));
  if (week > weeks) return `${year} has ${weeks} weeks, so there is no week ${week}.`;
  return null;
}

function periodOf(monday: TZDate): Period {
  const week = getISOWeek(monday);
  const year = getISOWeekYear(monday);
  const end = addWeeks(monday, 1);
  const sunday = new TZDate(end.getTime() - 86_400_000, monday.timeZone);
  const fmt = (d: Date) => d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: monday.timeZone });
  return {
    key: `${year}-W${String(week).padStart(2, "0")}`,
    start: new Date(monday.getTime()).toISOString(),
    end: new Date(end.getTime()).toISOString(),
    label: `week ${week} of ${year} (${fmt(monday)} – ${fmt(sunday)})`,
  };
}

/** "2026-W48" in the time zone; throws, saying why (periodProblem), on anything else. */
export function parsePeriod(key: string, timeZone: string): Period {
  const problem = periodProblem(key);
  const m = PATTERN.exec(key);
  if (problem || !m) throw new Error(problem ?? key);
  const jan4 = new TZDate(Number(m[1]), 0, 4, timeZone);
  const monday = new TZDate(startOfISOWeek(setISOWeek(jan4, Number(m[2]))).getTime(), timeZone);
  const period = periodOf(monday);
  if (period.key !== key) throw new Error(`Not a week: ${key}`);
  return period;
}
