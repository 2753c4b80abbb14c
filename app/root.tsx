import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useFocusSavedItem } from "~/components/form-state";
import { useNonce } from "~/lib/nonce";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { getUser, readFlash } from "~/lib/session.server";
import { isAdmin } from "~/models/authorization";
import { MAX_QUERY_LENGTH } from "~/models/search";
import styles from "~/styles.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: "/print.css", media: "print" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Hindsight" }];

// After a refused form the one-time message of the previous page must not linger.
export const shouldRevalidate = revalidateAfterRefusal;

/**
 * The layout shows who is signed in and a one-time message (never kept: page-cache.server.ts):
 * pages below it that show only what the database holds may be served from the page cache.
 */
export const handle = { pageCache: true };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const flash = await readFlash(request);
  return data(
    { user: user ? { id: user.id, name: user.name, role: user.role } : null, flash: flash.message ?? null },
    flash.setCookie ? { headers: { "Set-Cookie": flash.setCookie } } : undefined,
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const root = useRouteLoaderData<typeof loader>("root");
  const user = root?.user;
  const nonce = useNonce();
  // The folded menu closes once a page is chosen from it, as a full page load would leave it.
  const menu = useRef<HTMLDetailsElement>(null);
  const { pathname, search } = useLocation();
  // Not on the first run: a menu opened before the page's scripts ran stays open once they do.
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const here = `${pathname}${search}`;
    if (shown.current !== null && shown.current !== here && menu.current) menu.current.open = false;
    shown.current = here;
  }, [pathname, search]);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="site-header__inner">
            <Link to="/" className="brand">
              Hindsight
            </Link>
            {user ? (
              // On a phone the menu folds behind "Menu" (works without JavaScript); on wider
              // screens styles.css keeps it open and hides the toggle.
              <details className="site-menu" ref={menu}>
                <summary className="site-menu__toggle">Menu</summary>
                <div className="site-menu__body">
                  <nav aria-label="Main" className="site-nav">
                    <NavLink to="/incidents" end>
                      Incidents
                    </NavLink>
                    <NavLink to="/actions">Actions</NavLink>
                    <NavLink to="/learnings">Learnings</NavLink>
                    <NavLink to="/insights">Insights</NavLink>
                    <NavLink to="/incidents/new">Report an incident</NavLink>
                  </nav>
                  <Form method="get" action="/search" role="search" aria-label="Search Hindsight" className="site-search">
                    <label htmlFor="site-search-q" className="visually-hidden">
                      Search incidents, whys and actions
                    </label>
                    <input id="site-search-q" type="search" name="q" placeholder="Search…" maxLength={MAX_QUERY_LENGTH} />
                    <button type="submit" className="button button--quiet">
                      Search
                    </button>
                  </Form>
                  <Form method="post" action="/signout" className="site-user">
                    <Link to="/account" className="site-user__name">
                        {user.name}
                      </Link>
                    <button type="submit" className="button button--quiet">
                      Sign out
                    </button>
                  </Form>
                </div>
              </details>
            ) : null}
          </div>
          {user && isAdmin(user) ? (
            <nav aria-label="Admin" className="admin-nav">
              <div className="admin-nav__inner">
                <span className="admin-nav__label">Admin</span>
                <NavLink to="/admin/users">People</NavLink>
                <NavLink to="/admin/sign-in">Sign-in</NavLink>
                <NavLink to="/admin/settings">Settings</NavLink>
                <NavLink to="/admin/categories">Categories</NavLink>
                <NavLink to="/admin/deploy-gate">Deploy gate</NavLink>
                <NavLink to="/digest">Digest</NavLink>
                <NavLink to="/admin/outbox">Outbox</NavLink>
                <NavLink to="/admin/tokens">API tokens</NavLink>
                <NavLink to="/admin/webhooks">Webhooks</NavLink>
              </div>
            </nav>
          ) : null}
        </header>
        <main id="main" className="site-main">
          {root?.flash ? (
            <p className="flash" role="status">
              {root.flash}
            </p>
          ) : null}
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  useFocusSavedItem();
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
