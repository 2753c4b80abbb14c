import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { ActionTable } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/form";
import { actionFiltersFrom } from "~/lib/action-filters.server";
import { actionRow } from "~/lib/action-views.server";
import { requireUser } from "~/lib/session.server";
import { ACTION_STATUSES, ACTION_STATUS_LABELS } from "~/models/action";
import { listActions, listTeams } from "~/models/action.server";
import { SEVERITIES } from "~/models/incident";
import { listUsers } from "~/models/user.server";

export const meta: MetaFunction = () => [{ title: "All actions · Hindsight" }];

const PAGE_SIZE = 50;
const SORT_LABELS = { due: "Due date", priority: "Priority", incident: "Incident, newest first", owner: "Owner", status: "Status" };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const { filters, page, query } = actionFiltersFrom(url);
  const result = listActions(user, filters, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  return {
    rows: result.items.map((item) => actionRow(user, item)),
    total: result.total,
    page,
    pageCount: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    query,
    people: listUsers().map((u) => ({ id: u.id, name: u.name })),
    teams: listTeams(),
  };
}

export default function AllActions() {
  const { rows, total, page, pageCount, query, people, teams } = useLoaderData<typeof loader>();
  const location = useLocation();
  const search = new URLSearchParams(query);
  const pageLink = (to: number) => {
    const next = new URLSearchParams(search);
    next.set("page", String(to));
    return `?${next}`;
  };
  const csv = new URLSearchParams(search);
  csv.delete("page");
  return (
    <>
      <div className="page-header">
        <h1>All actions</h1>
        <a href={`/actions/export.csv?${csv}`} className="button button--quiet" download>
          Download CSV
        </a>
      </div>
      <Form method="get" className="filters" aria-label="Filter actions">
        <Field label="Status" name="status">
          {(p) => (
            <select {...p} defaultValue={query.status ?? ""}>
              <option value="">Any status</option>
              <option value="unfinished">Not finished</option>
              {ACTION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {ACTION_STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Owner" name="owner">
          {(p) => (
            <select {...p} defaultValue={query.owner ?? ""}>
              <option value="">Anyone</option>
              {people.map((person) => (
                <option key={person.id} value={person.id}>
                  {person.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Team" name="team">
          {(p) => (
            <select {...p} defaultValue={query.team ?? ""}>
              <option value="">Any team</option>
              {teams.map((team) => (
                <option key={team} value={team}>
                  {team}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Incident" name="incident">
          {(p) => <input {...p} type="text" placeholder="INC-7" size={8} defaultValue={query.incident ?? ""} />}
        </Field>
        <Field label="Severity" name="severity">
          {(p) => (
            <select {...p} defaultValue={query.severity ?? ""}>
              <option value="">Any severity</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Sort by" name="sort">
          {(p) => (
            <select {...p} defaultValue={query.sort ?? "due"}>
              {Object.entries(SORT_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" name="overdue" value="on" defaultChecked={query.overdue === "on"} /> Overdue only
          </label>
        </div>
        <button type="submit" className="button button--quiet">
          Filter
        </button>
        {search.toString() ? <Link to="/actions/all">Clear filters</Link> : null}
      </Form>
      {rows.length === 0 ? (
        <div className="panel empty">
          <p>No actions match.</p>
        </div>
      ) : (
        <>
          <p className="muted small">
            {total} {total === 1 ? "action" : "actions"}
          </p>
          <ActionTable rows={rows} redirectTo={`${location.pathname}${location.search}`} caption="Actions" />
        </>
      )}
      {pageCount > 1 ? (
        <nav className="pagination" aria-label="Pages">
          {page > 1 ? <Link to={pageLink(page - 1)}>← Previous</Link> : <span />}
          <span className="muted">
            Page {page} of {pageCount}
          </span>
          {page < pageCount ? <Link to={pageLink(page + 1)}>Next →</Link> : <span />}
        </nav>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
