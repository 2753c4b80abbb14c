import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { FIGURES_EXPLAINED, formatDays, formatDoneRatherThanDropped, formatDoneShare } from "~/components/action-figures";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/session.server";
import { ALL_TEAMS } from "~/models/action";
import { completionFigures } from "~/models/action.server";

export const meta: MetaFunction = () => [{ title: "Actions summary · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { teams: await completionFigures(user) };
}

export default function Summary() {
  const { teams } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>Actions summary</h1>
      </div>
      <p className="muted small">{FIGURES_EXPLAINED} Teams are the owners' teams.</p>
      <div className="table-wrap">
        <table className="list list--stack">
          <caption className="visually-hidden">Follow-up actions by team</caption>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Actions</th>
              <th scope="col">Done</th>
              <th scope="col">Won't do</th>
              <th scope="col">Open</th>
              <th scope="col">Overdue</th>
              <th scope="col">Share done</th>
              <th scope="col">Done rather than dropped</th>
              <th scope="col">Median time to done</th>
            </tr>
          </thead>
          <tbody>
            {teams.map((t) => (
              <tr key={t.team} className={t.team === ALL_TEAMS ? "row--total" : undefined}>
                <th scope="row">{t.team}</th>
                <td data-label="Actions">{t.total}</td>
                <td data-label="Done">{t.done}</td>
                <td data-label="Won't do">{t.wontDo}</td>
                <td data-label="Open">{t.open}</td>
                <td data-label="Overdue" className={t.overdue > 0 ? "overdue-count" : undefined}>{t.overdue}</td>
                <td data-label="Share done">{formatDoneShare(t)}</td>
                <td data-label="Done rather than dropped">{formatDoneRatherThanDropped(t)}</td>
                <td data-label="Median time to done">{formatDays(t.medianDaysToDone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
