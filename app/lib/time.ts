import { formatDistanceStrict, formatDuration, intervalToDuration } from "date-fns";

// Times are stored and shown in UTC, labelled as such: an incident room spans time zones, and
// the same text renders identically on the server and in the browser.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-10-06T14:02:00.000Z" → "6 Oct 2026, 14:02 UTC" */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const hh = String(d.getUTCHours()).padStart(2, "0");
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** ISO → the value of a `datetime-local` input, in UTC. */
export function toInputValue(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 16) : "";
}

/** A `datetime-local` value (read as UTC) → ISO, or null when empty or not a time. */
export function fromInputValue(value: string | null | undefined): string | null {
  const v = (value ?? "").trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return null;
  const d = new Date(`${v.length === 16 ? `${v}:00` : v}Z`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The span between two times in words ("1 hour 45 minutes"); empty if either is missing. */
export function formatSpan(from: string | null, to: string | null): string {
  if (!from || !to) return "";
  const start = new Date(from);
  const end = new Date(to);
  if (end < start) return "";
  if (end.getTime() - start.getTime() < 60_000) return "under a minute";
  return formatDuration(intervalToDuration({ start, end }), {
    format: ["years", "months", "days", "hours", "minutes"],
  });
}

/** How long ago, in words ("3 days"). */
export function formatAge(iso: string, now = new Date()): string {
  return formatDistanceStrict(new Date(iso), now);
}

// Calendar dates ("2026-12-07") are for due dates: a day, not an instant.

/** "2026-11-23" plus n days, as a calendar date (no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// Making a formatter costs far more than using one: one per time zone and purpose is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions & { timeZone: string }): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) formatters.set(key, (made = new Intl.DateTimeFormat(locale, options)));
  return made;
}

/** The calendar date at `now` in a time zone ("Europe/Berlin"), as "2026-11-23". */
export function dateIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD.
  return formatter("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** The hour (0–23) at `now` in a time zone. */
export function hourIn(timeZone: string, now: Date = new Date()): number {
  return Number(formatter("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(now));
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** "2026-12-07" → "7 Dec 2026" */
export function formatDate(date: string | null | undefined): string {
  if (!date) return "";
  const [y, m, d] = date.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** The offset of a time zone from UTC at `at`, in milliseconds (east of Greenwich is positive). */
function offsetIn(timeZone: string, at: Date): number {
  const parts = formatter("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a calendar date begins in a time zone, as ISO: "2026-11-23" in Europe/Berlin → "2026-11-22T23:00:00.000Z". */
export function startOfDayIn(timeZone: string, date: string): string {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  // Twice: the offset at the first guess may differ from the offset at midnight itself (a change of summer time in between).
  let guess = midnightUtc - offsetIn(timeZone, new Date(midnightUtc));
  guess = midnightUtc - offsetIn(timeZone, new Date(guess));
  return new Date(guess).toISOString();
}

/**
 * Whether an ISO 8601 date or time ("2026-01-31", "2026-01-31T10:00:00Z") is one both stores
 * keep: PostgreSQL has no year 0 (1 BC), which the four-digit form can write as "0000".
 */
export function isStorableDate(iso: string): boolean {
  return !iso.startsWith("0000");
}
