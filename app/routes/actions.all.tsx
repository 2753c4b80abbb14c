import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { ActionTable } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/form";
import { countText, Pagination, plainOptions, SelectFilter } from "~/components/list-controls";
import { actionFiltersFrom } from "~/lib/action-filters.server";
import { actionRow } from "~/lib/action-views.server";
import { requireUser } from "~/lib/session.server";
import { ACTION_STATUSES, ACTION_STATUS_LABELS } from "~/models/action";
import { listTeams, pageOfActions } from "~/models/action.server";
import { SEVERITIES } from "~/models/incident";
import { ownerFilterPeople } from "~/models/user.server";

export const meta: MetaFunction = () => [{ title: "All actions · Hindsight" }];

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

const SORT_LABELS = { due: "Due date", priority: "Priority", incident: "Incident, newest first", owner: "Owner", status: "Status" };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const { filters, page, query } = actionFiltersFrom(url);
  const result = await pageOfActions(user, filters, page);
  return {
    rows: result.items.map((item) => actionRow(user, item)),
    total: result.total,
    capped: result.capped,
    page: result.page,
    pageCount: result.pageCount,
    query,
    people: await ownerFilterPeople(),
    teams: await listTeams(),
  };
}

export default function AllActions() {
  const { rows, total, capped, page, pageCount, query, people, teams } = useLoaderData<typeof loader>();
  const location = useLocation();
  const search = new URLSearchParams(query);
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
        <SelectFilter
          label="Status"
          name="status"
          anyLabel="Any status"
          options={[{ value: "unfinished", label: "Not finished" }, ...ACTION_STATUSES.map((v) => ({ value: v, label: ACTION_STATUS_LABELS[v] }))]}
          defaultValue={query.status}
        />
        <SelectFilter label="Owner" name="owner" anyLabel="Anyone" options={people.map((p) => ({ value: String(p.id), label: p.name }))} defaultValue={query.owner} />
        <SelectFilter label="Team" name="team" anyLabel="Any team" options={plainOptions(teams)} defaultValue={query.team} />
        <Field label="Incident" name="incident">
          {(p) => <input {...p} type="text" placeholder="INC-7" size={8} defaultValue={query.incident ?? ""} />}
        </Field>
        <SelectFilter label="Severity" name="severity" anyLabel="Any severity" options={plainOptions(SEVERITIES)} defaultValue={query.severity} />
        <SelectFilter
          label="Sort by"
          name="sort"
          options={Object.entries(SORT_LABELS).map(([value, label]) => ({ value, label }))}
          defaultValue={query.sort ?? "due"}
        />
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
            {countText({ total, capped }, "action", "actions")}
            {capped ? `. The pages show the first ${total.toLocaleString("en")}: filter to narrow them down, or download the CSV for all.` : null}
          </p>
          <ActionTable rows={rows} redirectTo={`${location.pathname}${location.search}`} caption="Actions" />
        </>
      )}
      <Pagination page={page} pageCount={pageCount} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
