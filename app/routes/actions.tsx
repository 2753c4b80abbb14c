import { type LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/session.server";

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export default function ActionsLayout() {
  return (
    <>
      <nav className="tabs" aria-label="Follow-up actions">
        <NavLink to="/actions" end>
          My actions
        </NavLink>
        <NavLink to="/actions/all">All actions</NavLink>
        <NavLink to="/actions/overdue">Overdue</NavLink>
        <NavLink to="/actions/summary">Summary</NavLink>
      </nav>
      <Outlet />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
