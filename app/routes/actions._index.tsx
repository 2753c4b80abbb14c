import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ActionTable } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { actionRow } from "~/lib/action-views.server";
import { requireUser } from "~/lib/session.server";
import { listActions, openActionCounts } from "~/models/action.server";

export const meta: MetaFunction = () => [{ title: "My actions · Hindsight" }];

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

/** Open actions listed here; All actions, filtered to the person, lists the rest. */
const OPEN_SHOWN = 25;
const RECENT_FINISHED = 10;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const open = await listActions(user, { ownerId: user.id, status: "unfinished", sort: "due" }, { limit: OPEN_SHOWN });
  const done = await listActions(user, { ownerId: user.id, status: "done", sort: "completed" }, { limit: RECENT_FINISHED });
  return {
    open: open.items.map((item) => actionRow(user, item)),
    counts: await openActionCounts(user, user.id),
    done: done.items.map((item) => actionRow(user, item)),
    allOpen: `/actions/all?owner=${user.id}&status=unfinished`,
  };
}

export default function MyActions() {
  const { open, counts, done, allOpen } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>My actions</h1>
        <p className="muted">
          {counts.open === 0
            ? "Nothing to do."
            : `${counts.open} to do${counts.overdue > 0 ? `, ${counts.overdue} overdue` : ""}. Overdue first, then by due date.`}
        </p>
      </div>
      {open.length > 0 ? (
        <>
          <ActionTable rows={open} redirectTo="/actions" caption="My open actions" />
          {counts.open > open.length ? (
            <p className="small">
              <Link to={allOpen}>All {counts.open} of my open actions</Link>
            </p>
          ) : null}
        </>
      ) : (
        <div className="panel empty">
          <p>You have no open follow-up actions.</p>
          <p>
            <Link to="/incidents">See the incidents</Link>
          </p>
        </div>
      )}
      {done.length > 0 ? (
        <section aria-labelledby="done-title" className="section-gap">
          <h2 id="done-title">Recently done</h2>
          <ActionTable rows={done} redirectTo="/actions" caption="My recently done actions" />
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
