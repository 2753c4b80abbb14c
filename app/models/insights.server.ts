import { tz } from "@date-fns/tz";
import { median } from "d3-array";
import { addDays, differenceInCalendarMonths, eachMonthOfInterval, format, isValid, parseISO, startOfMonth, subMonths } from "date-fns";
import { and, count, countDistinct, eq, exists, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { db, rowsOf, schema } from "~/lib/db.server";
import type { Viewer } from "./authorization";
import { doneRatherThanDropped, doneShare, figuresFrom, type ActionFigures, type ActionStatus } from "./action";
import { tallyColumns, tallyOf, today } from "./action.server";
import { categoryLabels } from "./category.server";
import { reference, SEVERITIES, type Severity } from "./incident";
import { viewableBy } from "./authorization.server";
import { withService } from "./incident.server";
import { idList, inIdList, monthOf, secondsBetween } from "./sql/index.server";

// Figures for the Insights page. Everything counts the incidents that started in the period and
// match the team and service, as the viewer may see them, together with their whys and actions.
// Months are calendar months in UTC, as times are shown everywhere else.

const { actions, incidents, participants, users, whys } = schema;

const UTC = tz("UTC");
/** Longer periods are cut to the last ten years: more monthly bars than that cannot be read. */
export const MAX_MONTHS = 120;
/** How many categories the recurring-causes list shows, and how many incidents under each. */
export const RECURRING_CATEGORIES = 5;
export const INCIDENTS_PER_CAUSE = 8;

export type InsightsFilters = {
  team?: string;
  service?: string;
  /** Calendar dates ("2026-01-31"), both included. */
  from?: string;
  to?: string;
};

export type Period = {
  from: string;
  to: string;
  /** Every month of the period, "2026-01", oldest first. */
  months: string[];
};

export type ParetoBar = {
  slug: string;
  label: string;
  whys: number;
  /** Distinct incidents with at least one why in this category. */
  incidents: number;
  /** This category's share of the categorised whys, 0–1. */
  share: number;
  /** Running share up to and including this bar, 0–1. */
  cumulative: number;
};

export type SeverityMonth = { month: string; counts: Record<Severity, number>; total: number };

export type TimesMonth = {
  month: string;
  /** Median minutes from start to detection; null when no incident of the month has both times. */
  detectMinutes: number | null;
  /** Median minutes from start to resolution; null likewise. */
  resolveMinutes: number | null;
  detected: number;
  resolved: number;
};

export type ActionMonth = {
  /** The month the actions were created. */
  month: string;
  total: number;
  done: number;
  wontDo: number;
  doneShare: number | null;
  doneRatherThanDropped: number | null;
};

/** The figures as on the actions summary, and by the month the actions were created: the period's months, and later ones with actions. */
export type ActionInsights = ActionFigures & { byMonth: ActionMonth[] };

export type CauseIncident = { reference: string; title: string; severity: Severity; startedAt: string };

export type RecurringCause = {
  slug: string;
  label: string;
  incidentCount: number;
  whyCount: number;
  /** The most recent incidents first, at most INCIDENTS_PER_CAUSE. */
  incidents: CauseIncident[];
};

export type Insights = {
  period: Period;
  /** What was changed in the filters to make sense of them (swapped dates, a cut period). */
  notices: string[];
  incidentCount: number;
  whyCount: number;
  causes: { bars: ParetoBar[]; categorised: number; uncategorised: number };
  severityByMonth: SeverityMonth[];
  times: { byMonth: TimesMonth[]; detectMinutes: number | null; resolveMinutes: number | null };
  actions: ActionInsights;
  recurring: RecurringCause[];
  /**
   * When nothing started in the period: the latest incident in scope that started before it, and
   * the start of a period reaching back to it, to offer instead of an empty page; else null.
   */
  earlier: { startedAt: string; widenFrom: string } | null;
};

const monthKey = (d: Date) => format(d, "yyyy-MM", { in: UTC });
const dateKey = (d: Date) => format(d, "yyyy-MM-dd", { in: UTC });

function parseDate(value: string | undefined): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = parseISO(value, { in: UTC });
  return isValid(d) ? d : undefined;
}

/**
 * The period the figures cover: the given dates, or the last twelve calendar months up to today
 * (this month included). Dates the wrong way round are swapped; too long a period is cut.
 */
export function resolvePeriod(filters: Pick<InsightsFilters, "from" | "to">, todayDate: string): { period: Period; notices: string[] } {
  const notices: string[] = [];
  let end = parseDate(filters.to) ?? parseDate(todayDate)!;
  let start = parseDate(filters.from) ?? startOfMonth(subMonths(end, 11), { in: UTC });
  if (start > end) {
    [start, end] = [end, start];
    notices.push("The start date was after the end date, so the two were swapped.");
  }
  if (differenceInCalendarMonths(end, start, { in: UTC }) >= MAX_MONTHS) {
    start = startOfMonth(subMonths(end, MAX_MONTHS - 1), { in: UTC });
    notices.push(`Periods are at most ${MAX_MONTHS / 12} years long, so this one starts on ${dateKey(start)}.`);
  }
  const months = eachMonthOfInterval({ start, end }, { in: UTC }).map(monthKey);
  return { period: { from: dateKey(start), to: dateKey(end), months }, notices };
}

/** The incidents the figures count: visible to the viewer, started in the period, of the team and service. */
function incidentScope(viewer: Viewer, filters: InsightsFilters, period: Pick<Period, "from" | "to">): SQL {
  const endExclusive = dateKey(addDays(parseISO(period.to, { in: UTC }), 1, { in: UTC }));
  const team = filters.team;
  return and(
    viewableBy(viewer),
    gte(incidents.startedAt, `${period.from}T00:00:00.000Z`),
    lt(incidents.startedAt, `${endExclusive}T00:00:00.000Z`),
    filters.service
      ? withService(filters.service)
      : undefined,
    team
      ? or(
          inArray(incidents.facilitatorId, db().select({ id: users.id }).from(users).where(eq(users.team, team))),
          exists(
            db()
              .select({ one: sql`1` })
              .from(participants)
              .innerJoin(users, eq(users.id, participants.userId))
              .where(and(eq(participants.incidentId, incidents.id), eq(users.team, team))),
          ),
        )
      : undefined,
  )!;
}

/** The latest incident in scope (visible, of the team and service) that started before the period. */
async function latestBefore(viewer: Viewer, filters: InsightsFilters, period: Period): Promise<Insights["earlier"]> {
  const dayBefore = dateKey(addDays(parseISO(period.from, { in: UTC }), -1, { in: UTC }));
  const row = await db()
    .select({ startedAt: sql<string | null>`max(${incidents.startedAt})` })
    .from(incidents)
    .where(incidentScope(viewer, filters, { from: "0001-01-01", to: dayBefore }))
    .get();
  if (!row?.startedAt) return null;
  return { startedAt: row.startedAt, widenFrom: dateKey(startOfMonth(parseISO(row.startedAt, { in: UTC }), { in: UTC })) };
}

const startMonth = monthOf(incidents.startedAt);
/** Whole seconds apart, in minutes (julianday's floating point would make 7 minutes 6.99999). */
const minutesSinceStart = (to: typeof incidents.detectedAt | typeof incidents.resolvedAt) =>
  sql<number | null>`${secondsBetween(incidents.startedAt, to)} / 60.0`;

/** Medians of possibly missing values; null rather than undefined when there are none. */
function medianOf(values: (number | null)[]): number | null {
  return median(values) ?? null;
}

/** The months from the first to the last key, every one of them, "2026-01" each. */
function monthsBetween(first: string, last: string): string[] {
  return eachMonthOfInterval({ start: parseISO(`${first}-01`, { in: UTC }), end: parseISO(`${last}-01`, { in: UTC }) }, { in: UTC }).map(monthKey);
}

type IncidentRow = { id: number; month: string; severity: Severity; detect: number | null; resolve: number | null };

function severityMonths(months: string[], rows: IncidentRow[]): SeverityMonth[] {
  const byMonth = new Map(months.map((month) => [month, Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>]));
  for (const r of rows) {
    const counts = byMonth.get(r.month);
    if (counts) counts[r.severity] += 1;
  }
  return months.map((month) => {
    const counts = byMonth.get(month)!;
    return { month, counts, total: SEVERITIES.reduce((sum, s) => sum + counts[s], 0) };
  });
}

function timeMonths(months: string[], rows: IncidentRow[]): Insights["times"] {
  const byMonth = new Map<string, IncidentRow[]>(months.map((m) => [m, []]));
  for (const r of rows) byMonth.get(r.month)?.push(r);
  return {
    byMonth: months.map((month) => {
      const list = byMonth.get(month)!;
      const detect = list.map((r) => r.detect).filter((v): v is number => v !== null);
      const resolve = list.map((r) => r.resolve).filter((v): v is number => v !== null);
      return { month, detectMinutes: medianOf(detect), resolveMinutes: medianOf(resolve), detected: detect.length, resolved: resolve.length };
    }),
    detectMinutes: medianOf(rows.map((r) => r.detect)),
    resolveMinutes: medianOf(rows.map((r) => r.resolve)),
  };
}

function paretoBars(rows: { category: string; whys: number; incidents: number }[], labels: Record<string, string>): Insights["causes"] {
  const categorised = rows
    .filter((r) => r.category !== "")
    .sort((a, b) => b.whys - a.whys || b.incidents - a.incidents || a.category.localeCompare(b.category));
  const total = categorised.reduce((sum, r) => sum + r.whys, 0);
  let running = 0;
  const bars: ParetoBar[] = categorised.map((r) => {
    running += r.whys;
    return {
      slug: r.category,
      label: labels[r.category] ?? r.category,
      whys: r.whys,
      incidents: r.incidents,
      share: r.whys / total,
      cumulative: running / total,
    };
  });
  return { bars, categorised: total, uncategorised: rows.find((r) => r.category === "")?.whys ?? 0 };
}

type ActionCountRow = { month: string; status: ActionStatus; n: number; overdue: number; msToDone: string };

function actionFigures(months: string[], rows: ActionCountRow[]): ActionInsights {
  // Actions are counted by the month they were created, which can be after the period ends.
  const created = [...months, ...rows.map((r) => r.month)].sort();
  const allMonths = monthsBetween(created[0], created.at(-1)!);
  const byMonth = new Map<string, ActionMonth>(allMonths.map((month) => [month, { month, total: 0, done: 0, wontDo: 0, doneShare: null, doneRatherThanDropped: null }]));
  for (const r of rows) {
    const m = byMonth.get(r.month)!;
    m.total += r.n;
    if (r.status === "done") m.done += r.n;
    if (r.status === "wont_do") m.wontDo += r.n;
  }
  for (const m of byMonth.values()) {
    m.doneShare = doneShare(m.done, m.total);
    m.doneRatherThanDropped = doneRatherThanDropped(m.done, m.wontDo);
  }
  return {
    ...figuresFrom(rows.map(tallyOf)),
    byMonth: [...byMonth.values()],
  };
}

/** The incidents in scope, as one list parameter (idList). */
type IdList = string;
const inScope = (column: typeof whys.incidentId | typeof actions.incidentId, ids: IdList) => inIdList(column, ids);

type CauseIncidentRow = { category: string; id: number; title: string; severity: Severity; startedAt: string };

/**
 * The most recent incidents of each category, in one statement: per category, walk the incidents
 * newest first (the unary + keeps SQLite on the started_at index instead of the id list) and stop
 * at the limit, rather than ranking every (category, incident) pair.
 */
async function causeIncidents(ids: IdList, slugs: string[]): Promise<Map<string, CauseIncident[]>> {
  const found = new Map<string, CauseIncident[]>(slugs.map((s) => [s, []]));
  if (slugs.length === 0) return found;
  const perCategory = slugs.map(
    (slug) => sql`select * from (
      select ${slug} as category, ${incidents.id} as id, ${incidents.title} as title, ${incidents.severity} as severity,
        ${incidents.startedAt} as "startedAt"
      from ${incidents}
      where ${inIdList(sql`+${incidents.id}`, ids)}
        and exists (select 1 from ${whys} where ${whys.incidentId} = ${incidents.id} and ${whys.category} = ${slug})
      order by ${incidents.startedAt} desc, ${incidents.id} desc
      limit ${INCIDENTS_PER_CAUSE}) as by_category`,
  );
  const rows = await rowsOf<CauseIncidentRow>(db(), sql.join(perCategory, sql` union all `));
  for (const r of rows) found.get(r.category)?.push({ reference: reference(r.id), title: r.title, severity: r.severity, startedAt: r.startedAt });
  return found;
}

/**
 * The Insights figures for what the viewer may see, filtered by team, service and period.
 * The filters are evaluated once, on the incidents; whys and actions are then read by incident
 * id, so a team filter's subqueries run per incident and not per why.
 */
export async function insightsFor(viewer: Viewer, filters: InsightsFilters = {}, now: Date = new Date()): Promise<Insights> {
  const todayDate = await today(now);
  const { period, notices } = resolvePeriod(filters, todayDate);

  // One compact row per incident: the counts are tallied and the medians taken from these.
  const incidentRows: IncidentRow[] = await db()
    .select({
      id: incidents.id,
      month: startMonth,
      severity: incidents.severity,
      detect: minutesSinceStart(incidents.detectedAt),
      resolve: minutesSinceStart(incidents.resolvedAt),
    })
    .from(incidents)
    .where(incidentScope(viewer, filters, period))
    .all();
  const ids: IdList = idList(incidentRows.map((r) => r.id));

  const categoryRows = await db()
    .select({ category: whys.category, whys: count(), incidents: countDistinct(whys.incidentId) })
    .from(whys)
    .where(inScope(whys.incidentId, ids))
    .groupBy(whys.category)
    .all();

  // One pass over the actions: counts by month and status, and for those done the whole
  // milliseconds from creation to done (as on the actions summary), gathered per group as a
  // JSON array rather than one row per action.
  const createdMonth = monthOf(actions.createdAt);
  const actionRows = await db()
    .select({ month: createdMonth, ...tallyColumns(todayDate) })
    .from(actions)
    .where(inScope(actions.incidentId, ids))
    .groupBy(createdMonth, actions.status)
    .all();

  const causes = paretoBars(categoryRows, await categoryLabels());
  // Recurring: in more than one incident; those in the most incidents first.
  const recurringBars = causes.bars
    .filter((b) => b.incidents > 1)
    .sort((a, b) => b.incidents - a.incidents || b.whys - a.whys || a.label.localeCompare(b.label))
    .slice(0, RECURRING_CATEGORIES);
  const listed = await causeIncidents(ids, recurringBars.map((b) => b.slug));

  return {
    period,
    notices,
    earlier: incidentRows.length === 0 ? await latestBefore(viewer, filters, period) : null,
    incidentCount: incidentRows.length,
    whyCount: causes.categorised + causes.uncategorised,
    causes,
    severityByMonth: severityMonths(period.months, incidentRows),
    times: timeMonths(period.months, incidentRows),
    actions: actionFigures(period.months, actionRows),
    recurring: recurringBars.map((b) => ({
      slug: b.slug,
      label: b.label,
      incidentCount: b.incidents,
      whyCount: b.whys,
      incidents: listed.get(b.slug) ?? [],
    })),
  };
}
