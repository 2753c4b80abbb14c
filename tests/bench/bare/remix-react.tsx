// The bare limit renders the app's own route components without Remix: the bare server is
// built with "@remix-run/react" pointing here. Links and forms become plain <a> and <form>,
// loader data comes from the render context, and nothing is hydrated.
import { createContext, forwardRef, useContext, type AnchorHTMLAttributes, type FormHTMLAttributes, type ReactNode } from "react";

export type BareMatch = {
  id: string;
  data: unknown;
  element: ReactNode;
  meta?: (args: { data: unknown; location: BareLocation; params: Record<string, string>; matches: never[] }) => Record<string, string>[];
  links?: () => Record<string, string>[];
};
type BareLocation = { pathname: string; search: string; hash: string; state: null; key: string };
type BareRender = { url: URL; params: Record<string, string>; matches: BareMatch[] };

export const BareContext = createContext<BareRender | null>(null);
const RouteIndex = createContext(0);

function useRender(): BareRender {
  const render = useContext(BareContext);
  if (!render) throw new Error("rendered outside the bare server");
  return render;
}

function location(url: URL): BareLocation {
  return { pathname: url.pathname, search: url.search, hash: "", state: null, key: "default" };
}

/** The route element at `index`, with its matches below it reachable through <Outlet />. */
export function RouteElement({ index }: { index: number }) {
  const { matches } = useRender();
  return <RouteIndex.Provider value={index}>{matches[index].element}</RouteIndex.Provider>;
}

export function Outlet() {
  const index = useContext(RouteIndex);
  const { matches } = useRender();
  return index + 1 < matches.length ? <RouteElement index={index + 1} /> : null;
}

export function useLoaderData<T>(): T {
  const index = useContext(RouteIndex);
  return useRender().matches[index].data as T;
}

export function useRouteLoaderData<T>(id: string): T | undefined {
  return useRender().matches.find((m) => m.id === id)?.data as T | undefined;
}

export function useActionData<T>(): T | undefined {
  return undefined;
}

export function useLocation(): BareLocation {
  return location(useRender().url);
}

export function useSearchParams(): [URLSearchParams, () => void] {
  return [useRender().url.searchParams, () => {}];
}

export function useNavigation() {
  return { state: "idle" as const, location: undefined, formMethod: undefined, formAction: undefined, formData: undefined };
}

export function useRouteError(): unknown {
  return undefined;
}

export function isRouteErrorResponse(): boolean {
  return false;
}

type To = string | { pathname?: string; search?: string; hash?: string };
const href = (to: To) => (typeof to === "string" ? to : `${to.pathname ?? ""}${to.search ?? ""}${to.hash ?? ""}`);
type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: To; prefetch?: string; replace?: boolean; reloadDocument?: boolean; preventScrollReset?: boolean; state?: unknown };

export const Link = forwardRef<HTMLAnchorElement, LinkProps>(function Link({ to, prefetch, replace, reloadDocument, preventScrollReset, state, ...rest }, ref) {
  return <a ref={ref} href={href(to)} {...rest} />;
});

type NavLinkProps = Omit<LinkProps, "className"> & { end?: boolean; className?: string | ((s: { isActive: boolean }) => string | undefined) };

export const NavLink = forwardRef<HTMLAnchorElement, NavLinkProps>(function NavLink({ to, end, className, ...rest }, ref) {
  const path = useRender().url.pathname;
  const target = href(to);
  const isActive = path === target || (!end && path.startsWith(`${target}/`));
  const classes = typeof className === "function" ? className({ isActive }) : [className, isActive ? "active" : undefined].filter(Boolean).join(" ") || undefined;
  return <Link ref={ref} to={to} className={classes} aria-current={isActive ? "page" : undefined} {...rest} />;
});

type FormProps = FormHTMLAttributes<HTMLFormElement> & { replace?: boolean; reloadDocument?: boolean; preventScrollReset?: boolean; navigate?: boolean; fetcherKey?: string };

export const Form = forwardRef<HTMLFormElement, FormProps>(function Form({ replace, reloadDocument, preventScrollReset, navigate, fetcherKey, method = "get", action, ...rest }, ref) {
  const { url } = useRender();
  return <form ref={ref} method={method} action={action ?? url.pathname + url.search} {...rest} />;
});

/** A fetcher that never fetches: nothing is hydrated, so its forms are plain forms. */
export function useFetcher() {
  return { state: "idle" as const, data: undefined, formData: undefined, Form, submit: () => {}, load: () => {} };
}

/** Nothing to revalidate: the page is rendered once, on the server. */
export function useRevalidator() {
  return { state: "idle" as const, revalidate: () => {} };
}

/** The deepest route's meta, as Remix picks it. */
export function Meta() {
  const { url, params, matches } = useRender();
  const leaf = [...matches].reverse().find((m) => m.meta);
  const tags = leaf?.meta?.({ data: leaf.data, location: location(url), params, matches: [] }) ?? [];
  return (
    <>
      {tags.map((tag, i) => ("title" in tag ? <title key={i}>{tag.title}</title> : <meta key={i} {...tag} />))}
    </>
  );
}

export function Links() {
  const { matches } = useRender();
  return (
    <>
      {matches.flatMap((m) => m.links?.() ?? []).map((attributes, i) => (
        <link key={i} {...attributes} />
      ))}
    </>
  );
}

export function Scripts() {
  return null;
}

export function ScrollRestoration() {
  return null;
}
