// Runs a page's loaders and renders its components on the server, as a request would, without
// HTTP: for tests that count what a page costs (statements, wording checks) and how large it is.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { createRemixStub } from "@remix-run/testing";
import type { ComponentType } from "react";
import { renderToString } from "react-dom/server";
import { vi } from "vitest";
import { recordQueries, sessionCookie, type RecordedQuery } from "./helpers";

export type RouteModule = { loader: (args: LoaderFunctionArgs) => unknown; default: ComponentType };

export type RenderedPage = {
  html: string;
  /** The loaders' data, as JSON: what the page sends to the browser besides its HTML. */
  data: string;
  queries: RecordedQuery[];
  /** Regular-expression scans of text (`matchAll`) while loading and rendering: what the wording check runs on. */
  scans: number;
};

/**
 * Loads and renders `path` as `userId` through the route modules from the outermost layout in:
 * each with its URL pattern, relative to the one before ("/incidents/:ref", then "history"), or
 * `index` for the layout's index route.
 */
export async function renderPage(userId: number, path: string, routes: { pattern: string; module: RouteModule; index?: boolean }[]): Promise<RenderedPage> {
  const cookie = await sessionCookie(userId);
  const url = new URL(path, "http://localhost");
  const params = paramsOf(routes.filter((r) => !r.index).map((r) => r.pattern).join("/"), url.pathname);
  const scans = vi.spyOn(String.prototype, "matchAll");
  try {
    const { result: loaderData, queries } = await recordQueries(async () => {
      const data: Record<string, unknown> = {};
      for (const [i, route] of routes.entries()) {
        data[`r${i}`] = await route.module.loader({ request: new Request(url, { headers: { cookie } }), params, context: {} } as LoaderFunctionArgs);
      }
      return data;
    });
    // Nested from the innermost route out: each layout holds the next one as its only child.
    const tree = routes.reduceRight<Record<string, unknown> | undefined>((child, route, i) => {
      const node: Record<string, unknown> = { id: `r${i}`, Component: route.module.default, children: child ? [child] : undefined };
      if (route.index) node.index = true;
      else node.path = route.pattern;
      return node;
    }, undefined)!;
    const Stub = createRemixStub([tree as never]);
    const html = quietly(() => renderToString(<Stub initialEntries={[`${url.pathname}${url.search}`]} hydrationData={{ loaderData }} />));
    return { html, data: JSON.stringify(loaderData), queries, scans: scans.mock.calls.length };
  } finally {
    scans.mockRestore();
  }
}

function paramsOf(pattern: string, pathname: string): Record<string, string> {
  const names = pattern.split("/");
  const parts = pathname.split("/");
  return Object.fromEntries(names.flatMap((name, i) => (name.startsWith(":") ? [[name.slice(1), decodeURIComponent(parts[i])]] : [])));
}

/** React Router's memory router warns that layout effects do nothing on the server; they don't need to. */
function quietly<T>(render: () => T): T {
  const error = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].includes("useLayoutEffect does nothing on the server")) return;
    error(...args);
  };
  try {
    return render();
  } finally {
    console.error = error;
  }
}
