import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/session.server";
import { formatDate } from "~/lib/time";
import { teamName } from "~/models/action";
import { OVERDUE_VIEW, overdueOverview } from "~/models/action.server";

export const meta: MetaFunction = () => [{ title: "Overdue actions · Hindsight" }];

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { total, teams } = await overdueOverview(user, { ...OVERDUE_VIEW, ownTeam: user.team });
  return {
    total,
    teams: teams.map((t) => ({
      team: t.team,
      label: teamName(t.team),
      count: t.count,
      people: t.people,
      morePeople: t.morePeople,
      owners: t.owners.map((o) => ({
        id: o.id,
        name: o.name,
        count: o.count,
        oldest: o.oldest.map((a) => ({ id: a.id, title: a.title, incidentReference: a.incidentReference, due: formatDate(a.dueDate) })),
      })),
    })),
  };
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export default function Overdue() {
  const { total, teams } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>Overdue actions</h1>
        <p className="muted">
          {total === 0
            ? "Nothing is overdue."
            : `${total.toLocaleString("en")} overdue in ${plural(teams.length, "team", "teams")}, grouped by team below; each person's oldest first.`}
        </p>
      </div>
      {teams.length > 1 ? (
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
              {teams.map((t, i) => (
                <tr key={t.team}>
                  <th scope="row">
                    <a href={`#overdue-team-${i}`}>{t.label}</a>
                  </th>
                  <td data-label="Overdue">{t.count.toLocaleString("en")}</td>
                  <td data-label="People">{t.people}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {teams.map((team, i) => (
        <section key={team.team} className="section-gap" aria-labelledby={`overdue-team-${i}`}>
          <h2 id={`overdue-team-${i}`}>
            {team.label}{" "}
            <span className="muted">
              ({team.count.toLocaleString("en")} overdue, {plural(team.people, "person", "people")})
            </span>
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
          {team.morePeople > 0 ? (
            <p className="small">
              {team.team ? (
                <Link to={`/actions/all?overdue=on&team=${encodeURIComponent(team.team)}`}>
                  and {plural(team.morePeople, "more person", "more people")} in {team.label}
                </Link>
              ) : (
                `and ${plural(team.morePeople, "more person", "more people")} without a team`
              )}
            </p>
          ) : null}
        </section>
      ))}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
