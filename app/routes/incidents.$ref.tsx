import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { RestrictedBadge, SeverityBadge, StatusBadge } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PrintButton } from "~/components/print-button";
import { requireIncidentRoute } from "~/lib/guards.server";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { permissionsFor } from "~/models/authorization";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.reference}: ${data.title} · Hindsight` : "Incident · Hindsight" },
];

export const shouldRevalidate = revalidateAfterRefusal;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  return {
    reference: incident.reference,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    visibility: incident.visibility,
    facilitatorName: incident.facilitator.name,
    permissions: permissionsFor(user, incident),
  };
}

export default function IncidentLayout() {
  const incident = useLoaderData<typeof loader>();
  return (
    <article aria-labelledby="incident-title">
      <header>
        <h1 id="incident-title" className="incident-title">
          {incident.title}
        </h1>
        <div className="incident-meta">
          <span className="ref">{incident.reference}</span>
          <SeverityBadge severity={incident.severity} />
          <StatusBadge status={incident.status} />
          {incident.visibility === "restricted" ? <RestrictedBadge /> : null}
          <span>Facilitated by {incident.facilitatorName}</span>
          {incident.permissions.contribute ? (
            <Link to={`/incidents/${incident.reference}/edit`} className="no-print">
              Edit details and people
            </Link>
          ) : null}
        </div>
        <p className="incident-exports no-print">
          {/* A plain link: the file is a download, not a page to route to. */}
          <a href={`/incidents/${incident.reference}.md`}>Download Markdown</a>
          <PrintButton className="button button--small button--quiet" />
        </p>
      </header>
      <nav className="tabs" aria-label="Incident">
        <NavLink to={`/incidents/${incident.reference}`} end>
          Analysis
        </NavLink>
        <NavLink to={`/incidents/${incident.reference}/history`}>History</NavLink>
      </nav>
      <Outlet />
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
