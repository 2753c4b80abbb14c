import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { RestrictedBadge, SeverityBadge, StatusBadge } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { countText, CursorPagination, plainOptions, SelectFilter } from "~/components/list-controls";
import { requireUser } from "~/lib/session.server";
import { formatAge, formatTime } from "~/lib/time";
import { SEVERITIES, STATUSES, STATUS_LABELS } from "~/models/incident";
import { progressLabel } from "~/models/action";
import { actionProgress } from "~/models/action.server";
import { listIncidents, listServiceNames } from "~/models/incident.server";
import { MAX_ID } from "~/models/inputs";

const filtersSchema = z.object({
  status: z.enum(STATUSES).optional().catch(undefined),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  service: z.string().trim().max(60).optional().catch(undefined),
  after: z.coerce.number().int().positive().max(MAX_ID).optional().catch(undefined),
  before: z.coerce.number().int().positive().max(MAX_ID).optional().catch(undefined),
});

export const meta: MetaFunction = () => [{ title: "Incidents · Hindsight" }];

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const filters = filtersSchema.parse({ ...params, service: params.service || undefined, status: params.status || undefined, severity: params.severity || undefined });
  const result = await listIncidents(user, filters);
  const now = new Date();
  const progress = await actionProgress(result.items.map((i) => i.id));
  return {
    ...result,
    filters,
    services: await listServiceNames(user),
    items: result.items.map(({ startedAt, ...item }) => {
      const p = progress.get(item.id);
      return {
        ...item,
        age: formatAge(startedAt, now),
        started: formatTime(startedAt),
        actions: p ? { label: progressLabel(p), overdue: p.overdue > 0 } : null,
      };
    }),
  };
}

export default function Incidents() {
  const { items, total, capped, newer, older, filters, services } = useLoaderData<typeof loader>();
  const filtered = Boolean(filters.status || filters.severity || filters.service);
  return (
    <>
      <div className="page-header">
        <h1>Incidents</h1>
        <Link to="/incidents/new" className="button">
          Report an incident
        </Link>
      </div>

      <Form method="get" className="filters" aria-label="Filter incidents">
        <SelectFilter
          label="Status"
          name="status"
          anyLabel="Any status"
          options={STATUSES.map((v) => ({ value: v, label: STATUS_LABELS[v] }))}
          defaultValue={filters.status}
        />
        <SelectFilter label="Severity" name="severity" anyLabel="Any severity" options={plainOptions(SEVERITIES)} defaultValue={filters.severity} />
        <SelectFilter label="Service" name="service" anyLabel="Any service" options={plainOptions(services)} defaultValue={filters.service} />
        <button type="submit" className="button button--quiet">
          Filter
        </button>
        {filtered ? <Link to="/incidents">Clear filters</Link> : null}
      </Form>

      {items.length === 0 ? (
        <div className="panel empty">
          {filtered ? (
            <p>No incidents match these filters.</p>
          ) : (
            <>
              <p>No incidents yet. When something goes wrong, report it here and run a 5 Whys with the people involved.</p>
              <p>
                <Link to="/incidents/new" className="button">
                  Report the first incident
                </Link>
              </p>
            </>
          )}
        </div>
      ) : (
        <div className="table-wrap">
          <table className="list list--stack">
            <caption className="muted small" style={{ captionSide: "bottom", textAlign: "left", padding: "0.5rem 0" }}>
              {countText({ total, capped }, "incident", "incidents")}
              {filtered ? " match" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
                <th scope="col" className="hide-narrow">
                  Facilitator
                </th>
                <th scope="col" className="hide-narrow">
                  Started
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <span className="ref">{item.reference}</span>{" "}
                    <Link to={`/incidents/${item.reference}`}>{item.title}</Link>{" "}
                    {item.visibility === "restricted" ? <RestrictedBadge /> : null}
                    {item.services.length > 0 ? (
                      <ul className="tags" aria-label="Services">
                        {item.services.map((s) => (
                          <li key={s} className="tag">
                            {s}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                  <td data-label="Severity">
                    <SeverityBadge severity={item.severity} />
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={item.status} />
                  </td>
                  <td data-label="Actions" className={item.actions?.overdue ? "overdue-count" : undefined}>
                    {item.actions ? item.actions.label : <span className="muted">None</span>}
                  </td>
                  <td data-label="Facilitator" className="hide-narrow">{item.facilitatorName}</td>
                  <td data-label="Started" className="hide-narrow">
                    <span title={item.started}>{item.age} ago</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <CursorPagination newer={newer} older={older} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
