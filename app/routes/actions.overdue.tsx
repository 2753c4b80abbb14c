import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/session.server";
import { formatDate } from "~/lib/time";
import { teamName } from "~/models/action";
import { overdueOverview } from "~/models/action.server";

export const meta: MetaFunction = () => [{ title: "Overdue actions · Hindsight" }];

/** How many of each person's overdue actions the page lists; a link leads to the rest. */
const OLDEST = 3;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const asked = new URL(request.url).searchParams.get("team");
  const { total, teams, team } = overdueOverview(user, [asked, user.team], { perOwner: OLDEST });
  return {
    total,
    teams: teams.map((t) => ({ ...t, label: teamName(t.team) })),
    team: team && {
      ...team,
      label: teamName(team.team),
      owners: team.owners.map((o) => ({
        id: o.id,
        name: o.name,
        count: o.count,
        oldest: o.oldest.map((a) => ({ id: a.id, title: a.title, incidentReference: a.incidentReference, due: formatDate(a.dueDate) })),
      })),
    },
  };
}

export default function Overdue() {
  const { total, teams, team } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>Overdue actions</h1>
        <p className="muted">
          {total === 0
            ? "Nothing is overdue."
            : `${total.toLocaleString("en")} overdue in ${teams.length} ${teams.length === 1 ? "team" : "teams"}, each person's oldest first.`}
        </p>
      </div>
      {team ? (
        <section className="section-gap" aria-labelledby="team-title">
          <h2 id="team-title">
            {team.label} <span className="muted">({team.count.toLocaleString("en")})</span>
          </h2>
          {team.owners.map((owner) => (
            <div key={owner.id} className="owner-group">
              <h3>
                {owner.name} <span className="muted">({owner.count})</span>
              </h3>
              <ul className="oldest-actions">
                {owner.oldest.map((action) => (
                  <li key={action.id}>
                    <Link to={`/actions/${action.id}`}>{action.title}</Link>{" "}
                    <span className="muted small">
                      {action.incidentReference} · due {action.due}
                    </span>
                  </li>
                ))}
              </ul>
              {owner.count > owner.oldest.length ? (
                <Link to={`/actions/all?overdue=on&owner=${owner.id}`} className="small">
                  and {owner.count - owner.oldest.length} more<span className="visually-hidden"> overdue actions of {owner.name}</span>
                </Link>
              ) : null}
            </div>
          ))}
        </section>
      ) : null}
      {teams.length > 0 ? (
        <section className="section-gap" aria-labelledby="teams-title">
          <h2 id="teams-title">Teams</h2>
          <div className="table-wrap">
            <table className="list list--stack">
              <caption className="visually-hidden">Overdue actions by team</caption>
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col">Overdue</th>
                  <th scope="col">People</th>
                </tr>
              </thead>
              <tbody>
                {teams.map((t) => (
                  <tr key={t.team}>
                    <th scope="row">
                      <Link to={`?team=${encodeURIComponent(t.team)}`} aria-current={t.team === team?.team ? "page" : undefined}>
                        {t.label}
                      </Link>
                    </th>
                    <td data-label="Overdue">{t.count.toLocaleString("en")}</td>
                    <td data-label="People">{t.people}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
