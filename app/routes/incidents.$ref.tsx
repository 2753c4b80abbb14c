import sessionStyles from "~/live-session.css?url";
import { type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLoaderData, useLocation } from "@remix-run/react";
import { RestrictedBadge, SeverityBadge, StatusBadge } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PrintButton } from "~/components/print-button";
import { requireIncidentRoute } from "~/lib/guards.server";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { canManage, permissionsFor } from "~/models/authorization";
import { openSessionOf } from "~/models/live-session.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: sessionStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.reference}: ${data.title} · Hindsight` : "Incident · Hindsight" },
];

export const shouldRevalidate = revalidateAfterRefusal;

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

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
    liveSession: (await openSessionOf(incident.id)) !== null,
    canStartSession: canManage(user, incident) && incident.status === "analysis",
  };
}

export default function IncidentLayout() {
  const incident = useLoaderData<typeof loader>();
  const onSessionPage = useLocation().pathname.endsWith("/session");
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
      {onSessionPage ? null : incident.liveSession ? (
        <p className="session-banner no-print">
          <span className="presence presence--here" aria-hidden="true" /> <strong>Session in progress</strong>{" "}
          <Link to={`/incidents/${incident.reference}/session`} className="button button--small">
            Join
          </Link>
        </p>
      ) : incident.canStartSession ? (
        <p className="session-banner session-banner--quiet no-print">
          Running the 5 Whys meeting now?{" "}
          <Link to={`/incidents/${incident.reference}/session`}>Start a live session</Link>
        </p>
      ) : null}
      <nav className="tabs" aria-label="Incident">
        <NavLink to={`/incidents/${incident.reference}`} end>
          Analysis
        </NavLink>
        <NavLink to={`/incidents/${incident.reference}/session`}>Live session</NavLink>
        <NavLink to={`/incidents/${incident.reference}/history`}>History</NavLink>
      </nav>
      <Outlet />
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
