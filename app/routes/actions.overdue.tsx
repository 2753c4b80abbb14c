import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ActionTable, type ActionRow } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { actionRow } from "~/lib/action-views.server";
import { requireUser } from "~/lib/session.server";
import { listActions } from "~/models/action.server";

export const meta: MetaFunction = () => [{ title: "Overdue actions · Hindsight" }];

type Group = { team: string; owners: { name: string; rows: ActionRow[] }[]; count: number };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { items } = listActions(user, { overdue: true, sort: "owner" });
  const teams = new Map<string, Map<string, ActionRow[]>>();
  for (const item of items) {
    const team = item.ownerTeam || "No team";
    const owners = teams.get(team) ?? new Map<string, ActionRow[]>();
    owners.set(item.ownerName, [...(owners.get(item.ownerName) ?? []), actionRow(user, item)]);
    teams.set(team, owners);
  }
  const groups: Group[] = [...teams.entries()]
    .map(([team, owners]) => ({
      team,
      owners: [...owners.entries()].map(([name, rows]) => ({ name, rows })),
      count: [...owners.values()].reduce((n, rows) => n + rows.length, 0),
    }))
    .sort((a, b) => b.count - a.count || a.team.localeCompare(b.team));
  return { groups, total: items.length };
}

export default function Overdue() {
  const { groups, total } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>Overdue actions</h1>
        <p className="muted">{total === 0 ? "Nothing is overdue." : `${total} overdue, by team and owner.`}</p>
      </div>
      {groups.map((group) => (
        <section key={group.team} className="section-gap" aria-labelledby={`team-${group.team}`}>
          <h2 id={`team-${group.team}`}>
            {group.team} <span className="muted">({group.count})</span>
          </h2>
          {group.owners.map((owner) => (
            <div key={owner.name} className="owner-group">
              <h3>{owner.name}</h3>
              <ActionTable rows={owner.rows} redirectTo="/actions/overdue" caption={`Overdue actions of ${owner.name}`} />
            </div>
          ))}
        </section>
      ))}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
