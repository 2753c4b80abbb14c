import { TZDate } from "@date-fns/tz";
import { addWeeks, getISOWeek, getISOWeekYear, setISOWeek, startOfISOWeek } from "date-fns";

// Digest periods are ISO weeks ("2026-W48") in the organisation's time zone: Monday 00:00 to
// the next Monday 00:00 there.

export type Period = { key: string; start: string; end: string; label: string };

const PATTERN = /^(\d{4})-W(\d{2})$/;

export function isPeriodKey(key: string): boolean {
  const m = PATTERN.exec(key);
  return Boolean(m && Number(m[2]) >= 1 && Number(m[2]) <= 53);
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

/** The week that `now` falls in, in the time zone. */
export function currentPeriod(timeZone: string, now: Date = new Date()): Period {
  return periodOf(new TZDate(startOfISOWeek(new TZDate(now.getTime(), timeZone)).getTime(), timeZone));
}

/** The week before the one `now` falls in: the last complete week. */
export function previousPeriod(timeZone: string, now: Date = new Date()): Period {
  return periodOf(new TZDate(addWeeks(startOfISOWeek(new TZDate(now.getTime(), timeZone)), -1).getTime(), timeZone));
}

/** "2026-W48" in the time zone; throws on anything else. */
export function parsePeriod(key: string, timeZone: string): Period {
  const m = PATTERN.exec(key);
  if (!m || !isPeriodKey(key)) throw new Error(`Not a week: ${key} (expected e.g. 2026-W48)`);
  // The 4th of January is always in week 1 of its ISO year.
  const jan4 = new TZDate(Number(m[1]), 0, 4, timeZone);
  const monday = new TZDate(startOfISOWeek(setISOWeek(jan4, Number(m[2]))).getTime(), timeZone);
  const period = periodOf(monday);
  if (period.key !== key) throw new Error(`Not a week: ${key}`);
  return period;
}
