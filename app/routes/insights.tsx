import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FIGURES_EXPLAINED, formatDays, formatDoneRatherThanDropped, formatDoneShare } from "~/components/action-figures";
import { SeverityBadge } from "~/components/badges";
import { LineChart, monthLabel, ParetoChart, StackedBarChart, type Series } from "~/components/charts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/form";
import { plainOptions, SelectFilter } from "~/components/list-controls";
import { requireUser } from "~/lib/session.server";
import { formatDate } from "~/lib/time";
import { listTeams } from "~/models/action.server";
import { SEVERITIES, SEVERITY_DEFINITIONS } from "~/models/incident";
import { listServiceNames } from "~/models/incident.server";
import { insightsFilters } from "~/models/inputs";
import { insightsFor, type Insights } from "~/models/insights.server";

export const meta: MetaFunction = () => [{ title: "Insights · Hindsight" }];

// The page leaves out a filter it cannot read, and says so, rather than failing.
const filtersSchema = z.object({
  team: insightsFilters.shape.team.catch(undefined),
  service: insightsFilters.shape.service.catch(undefined),
  from: insightsFilters.shape.from.catch(undefined),
  to: insightsFilters.shape.to.catch(undefined),
});

const FIELD_NAMES: Record<keyof z.infer<typeof filtersSchema>, string> = { team: "team", service: "service", from: "start date", to: "end date" };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const raw = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v.trim() !== ""));
  const filters = filtersSchema.parse(raw);
  // A value that does not parse is left out, and the page says so, rather than failing.
  const ignored = (Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[])
    .filter((key) => raw[key] !== undefined && filters[key] === undefined)
    .map((key) => `The ${FIELD_NAMES[key]} “${String(raw[key]).slice(0, 40)}” was not understood, so it was left out.`);
  const insights = await insightsFor(user, filters);
  return {
    filters: { team: filters.team, service: filters.service },
    filtered: Boolean(filters.team || filters.service || filters.from || filters.to),
    teams: await listTeams(),
    services: await listServiceNames(user),
    notices: [...ignored, ...insights.notices],
    insights: {
      ...insights,
      recurring: insights.recurring.map((cause) => ({
        ...cause,
        incidents: cause.incidents.map(({ startedAt, ...incident }) => ({ ...incident, started: formatDate(startedAt.slice(0, 10)) })),
      })),
    },
  };
}

// Severity colours follow the badges' hues (red, orange, yellow, grey), dark enough to stand
// 3:1 against the white page.
const SEVERITY_SERIES: Series[] = [
  { key: "SEV1", label: "SEV1", color: "#a1170f" },
  { key: "SEV2", label: "SEV2", color: "#d0640b" },
  { key: "SEV3", label: "SEV3", color: "#b08a00" },
  { key: "SEV4", label: "SEV4", color: "#8a93a6" },
];

/** Minutes as people say them: "45 min", "2 h 5 min", "3.5 days". */
function formatMinutes(minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 1) return "under a minute";
  const total = Math.round(minutes);
  if (total < 60) return `${total} min`;
  if (total < 48 * 60) return total % 60 ? `${Math.floor(total / 60)} h ${total % 60} min` : `${total / 60} h`;
  return `${(total / 1440).toFixed(1)} days`;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** The query of the same filters over a longer period. */
function widened(filters: { team?: string; service?: string }, from: string, to: string) {
  const query = new URLSearchParams();
  if (filters.team) query.set("team", filters.team);
  if (filters.service) query.set("service", filters.service);
  query.set("from", from);
  query.set("to", to);
  return query.toString();
}

function periodLabel(period: Insights["period"]) {
  return `between ${formatDate(period.from)} and ${formatDate(period.to)}`;
}

function paretoDescription({ bars, categorised }: Insights["causes"]): string {
  const top = bars[0];
  const vital = bars.findIndex((b) => b.cumulative >= 0.8) + 1;
  return (
    `${categorised} categorised whys in ${bars.length} ${bars.length === 1 ? "category" : "categories"}. ` +
    `${top.label} is the most common, with ${top.whys} whys (${percent(top.share)}). ` +
    `${vital === 1 ? "That category alone makes" : `The first ${vital} categories make`} up ${percent(bars[vital - 1].cumulative)} of them.`
  );
}

function severityDescription(months: Insights["severityByMonth"], total: number): string {
  const busiest = months.reduce((a, b) => (b.total > a.total ? b : a));
  const bySeverity = SEVERITIES.map((s) => `${months.reduce((sum, m) => sum + m.counts[s], 0)} ${s}`).join(", ");
  return (
    `${total} ${total === 1 ? "incident" : "incidents"} from ${monthLabel(months[0].month)} to ${monthLabel(months.at(-1)!.month)}: ${bySeverity}. ` +
    `The most were in ${monthLabel(busiest.month)}, with ${busiest.total}.`
  );
}

function timesDescription(times: Insights["times"]): string {
  return (
    `Over the period, the median time to detect was ${formatMinutes(times.detectMinutes)} and the median time to resolve ` +
    `${formatMinutes(times.resolveMinutes)}. Months without incidents that have these times are gaps in the lines.`
  );
}

export default function InsightsPage() {
  const { filters, filtered, teams, services, notices, insights } = useLoaderData<typeof loader>();
  const { period, causes, times, actions, recurring } = insights;
  const inHours = Math.max(...times.byMonth.flatMap((m) => [m.detectMinutes ?? 0, m.resolveMinutes ?? 0])) >= 180;
  const unit = inHours ? 60 : 1;
  const hasTimes = times.detectMinutes !== null || times.resolveMinutes !== null;
  return (
    <>
      <div className="page-header">
        <h1>Insights</h1>
        <p className="muted">What keeps causing incidents, how fast they are found and fixed, and whether the follow-ups get done.</p>
      </div>

      <Form method="get" className="filters insights-filters" aria-label="Filter insights">
        <SelectFilter label="Team" name="team" anyLabel="Any team" options={plainOptions(teams)} defaultValue={filters.team} />
        <SelectFilter label="Service" name="service" anyLabel="Any service" options={plainOptions(services)} defaultValue={filters.service} />
        <Field label="Started from" name="from">
          {(p) => <input {...p} type="date" defaultValue={period.from} />}
        </Field>
        <Field label="Started until" name="to">
          {(p) => <input {...p} type="date" defaultValue={period.to} />}
        </Field>
        <button type="submit" className="button button--quiet">
          Apply
        </button>
        {filtered ? <Link to="/insights">Clear filters</Link> : null}
      </Form>

      {notices.length > 0 ? (
        <ul className="insights-notices" role="status">
          {notices.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}

      <p className="muted small">
        Incidents that started {periodLabel(period)} (UTC){filters.team ? `, with someone from ${filters.team} facilitating or taking part` : ""}
        {filters.service ? `, affecting ${filters.service}` : ""}, with their whys and follow-up actions. Restricted incidents count only for
        the people who may see them.
      </p>

      {insights.incidentCount === 0 ? (
        <div className="panel empty">
          <p>
            No incidents started {periodLabel(period)}
            {filters.team || filters.service ? " for these filters" : ""}.
            {insights.earlier ? ` The latest one before started on ${formatDate(insights.earlier.startedAt.slice(0, 10))}.` : null}
          </p>
          <p>
            {insights.earlier ? (
              <Link to={`/insights?${widened(filters, insights.earlier.widenFrom, period.to)}`}>Widen the period to start on {formatDate(insights.earlier.widenFrom)}</Link>
            ) : filtered ? (
              <Link to="/insights">Clear the filters</Link>
            ) : (
              <Link to="/incidents/new">Report an incident</Link>
            )}
          </p>
        </div>
      ) : (
        <>
          <section aria-labelledby="headline-title" className="panel">
            <h2 id="headline-title" className="visually-hidden">
              In figures
            </h2>
            <dl className="insights-figures">
              <div>
                <dt>Incidents</dt>
                <dd>{insights.incidentCount}</dd>
              </div>
              <div>
                <dt>Whys asked</dt>
                <dd>{insights.whyCount}</dd>
              </div>
              <div>
                <dt>Median time to detect</dt>
                <dd>{formatMinutes(times.detectMinutes)}</dd>
              </div>
              <div>
                <dt>Median time to resolve</dt>
                <dd>{formatMinutes(times.resolveMinutes)}</dd>
              </div>
              <div>
                <dt>Follow-up actions done</dt>
                <dd>{formatDoneShare(actions)}</dd>
              </div>
              <div>
                <dt>Median time to done</dt>
                <dd>{formatDays(actions.medianDaysToDone)}</dd>
              </div>
            </dl>
          </section>

          <section aria-labelledby="causes-title" className="panel">
            <h2 id="causes-title">Causes by category</h2>
            <p className="muted small">
              Each why is filed under a cause category. The few categories on the left account for most of the causes: the line shows
              their running share, with a dashed mark at 80%.
            </p>
            {causes.bars.length > 0 ? (
              <ParetoChart
                title="Whys by cause category"
                description={paretoDescription(causes)}
                countLabel="Whys"
                data={causes.bars.map((b) => ({ key: b.slug, label: b.label, count: b.whys, cumulative: b.cumulative, incidents: b.incidents }))}
              />
            ) : (
              <p>None of these whys has a cause category yet.</p>
            )}
            {causes.uncategorised > 0 ? (
              <p className="muted small">
                {causes.uncategorised} {causes.uncategorised === 1 ? "why has" : "whys have"} no category yet and {causes.uncategorised === 1 ? "is" : "are"}{" "}
                not in the chart.
              </p>
            ) : null}
          </section>

          <section aria-labelledby="severity-title" className="panel">
            <h2 id="severity-title">Incidents per month</h2>
            <p className="muted small">
              By the month each incident started, stacked by severity.{" "}
              {SEVERITIES.map((s) => `${s}: ${SEVERITY_DEFINITIONS[s].split(":")[0].toLowerCase()}`).join("; ")}.
            </p>
            <StackedBarChart
              title="Incidents per month by severity"
              description={severityDescription(insights.severityByMonth, insights.incidentCount)}
              valueLabel="Incidents"
              series={SEVERITY_SERIES}
              data={insights.severityByMonth.map((m) => ({ month: m.month, values: m.counts }))}
            />
          </section>

          <section aria-labelledby="times-title" className="panel">
            <h2 id="times-title">Time to detect and to resolve</h2>
            <p className="muted small">
              Medians per month, measured from the start of each incident to its detection and to its resolution. Incidents without those
              times are left out.
            </p>
            {hasTimes ? (
              <LineChart
                title="Median time to detect and to resolve, per month"
                description={timesDescription(times)}
                valueLabel={inHours ? "Median, hours" : "Median, minutes"}
                formatValue={(v) => formatMinutes(v * unit)}
                series={[
                  { key: "detect", label: "Time to detect", count: "Incidents with a detection time", color: "#2f5d8a", marker: "circle" },
                  { key: "resolve", label: "Time to resolve", count: "Incidents with a resolution time", color: "#c2410c", marker: "square", dashed: true },
                ]}
                data={times.byMonth.map((m) => ({
                  month: m.month,
                  values: {
                    detect: m.detectMinutes === null ? null : m.detectMinutes / unit,
                    resolve: m.resolveMinutes === null ? null : m.resolveMinutes / unit,
                  },
                  counts: { detect: m.detected, resolve: m.resolved },
                }))}
              />
            ) : (
              <p>None of these incidents has a detection or resolution time yet.</p>
            )}
          </section>

          <section aria-labelledby="actions-title" className="panel">
            <h2 id="actions-title">Follow-up actions</h2>
            {actions.total === 0 ? (
              <p>These incidents have no follow-up actions yet.</p>
            ) : (
              <>
                <dl className="insights-figures">
                  <div>
                    <dt>Actions</dt>
                    <dd>{actions.total}</dd>
                  </div>
                  <div>
                    <dt>Done</dt>
                    <dd>{actions.done}</dd>
                  </div>
                  <div>
                    <dt>Won't do</dt>
                    <dd>{actions.wontDo}</dd>
                  </div>
                  <div>
                    <dt>Open</dt>
                    <dd>{actions.open}</dd>
                  </div>
                  <div>
                    <dt>Overdue</dt>
                    <dd className={actions.overdue > 0 ? "overdue-count" : undefined}>{actions.overdue}</dd>
                  </div>
                  <div>
                    <dt>Share done</dt>
                    <dd>{formatDoneShare(actions)}</dd>
                  </div>
                  <div>
                    <dt>Done rather than dropped</dt>
                    <dd>{formatDoneRatherThanDropped(actions)}</dd>
                  </div>
                  <div>
                    <dt>Median time to done</dt>
                    <dd>{formatDays(actions.medianDaysToDone)}</dd>
                  </div>
                </dl>
                <p className="muted small">
                  {FIGURES_EXPLAINED} The same figures by team are on the <Link to="/actions/summary">actions summary</Link>.
                </p>
                <details className="chart__table">
                  <summary>By the month the actions were created</summary>
                  <div className="table-wrap">
                    <table className="list list--stack">
                      <caption>Follow-up actions by the month they were created</caption>
                      <thead>
                        <tr>
                          <th scope="col">Month</th>
                          <th scope="col">Created</th>
                          <th scope="col">Done</th>
                          <th scope="col">Won't do</th>
                          <th scope="col">Share done</th>
                          <th scope="col">Done rather than dropped</th>
                        </tr>
                      </thead>
                      <tbody>
                        {actions.byMonth.map((m) => (
                          <tr key={m.month}>
                            <th scope="row">{monthLabel(m.month)}</th>
                            <td data-label="Created">{m.total}</td>
                            <td data-label="Done">{m.done}</td>
                            <td data-label="Won't do">{m.wontDo}</td>
                            <td data-label="Share done">{formatDoneShare(m)}</td>
                            <td data-label="Done rather than dropped">{formatDoneRatherThanDropped(m)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </details>
              </>
            )}
          </section>

          <section aria-labelledby="recurring-title" className="panel">
            <h2 id="recurring-title">Recurring causes</h2>
            {recurring.length === 0 ? (
              <p>No cause category came up in more than one incident.</p>
            ) : (
              <>
                <p className="muted small">The categories found in the most incidents, with those incidents, most recent first.</p>
                <ol className="recurring">
                  {recurring.map((cause) => (
                    <li key={cause.slug}>
                      <h3>
                        {cause.label}{" "}
                        <span className="muted small">
                          in {cause.incidentCount} incidents, {cause.whyCount} whys
                        </span>
                      </h3>
                      <ul className="recurring__incidents">
                        {cause.incidents.map((incident) => (
                          <li key={incident.reference}>
                            <Link to={`/incidents/${incident.reference}`}>
                              <span className="ref">{incident.reference}</span> {incident.title}
                            </Link>{" "}
                            <SeverityBadge severity={incident.severity} /> <span className="muted small nowrap">{incident.started}</span>
                          </li>
                        ))}
                      </ul>
                      {cause.incidentCount > cause.incidents.length ? (
                        <p className="muted small">
                          and {cause.incidentCount - cause.incidents.length} earlier {cause.incidentCount - cause.incidents.length === 1 ? "incident" : "incidents"}.
                        </p>
                      ) : null}
                      <p className="small">
                        <Link to={`/learnings?category=${encodeURIComponent(cause.slug)}`}>Published analyses with this cause</Link>
                      </p>
                    </li>
                  ))}
                </ol>
              </>
            )}
          </section>
        </>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
