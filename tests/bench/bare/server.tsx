// The bare limit: a plain node:http server that runs the app's own loaders (the same SQL) and
// renders the app's own route components with React's renderToString. No Express, no Remix
// routing, no data serialisation, no hydration scripts. Built by the benchmark with
// "@remix-run/react" replaced by ./remix-react.tsx.
import http from "node:http";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { renderToString } from "react-dom/server";
import { openAppDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import * as root from "~/root";
import * as actionsLayout from "~/routes/actions";
import * as actionsAll from "~/routes/actions.all";
import * as myActions from "~/routes/actions._index";
import * as overdueActions from "~/routes/actions.overdue";
import * as floor from "~/routes/bench.floor";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import * as incidentList from "~/routes/incidents._index";
import * as learnings from "~/routes/learnings._index";
import { BareContext, RouteElement, type BareMatch } from "./remix-react";

type RouteModule = { default: () => JSX.Element; loader?: (args: LoaderFunctionArgs) => unknown; meta?: unknown; links?: unknown };
type Route = { pattern: RegExp; params?: (match: RegExpExecArray) => Record<string, string>; chain: [string, RouteModule][] };

const ROUTES: Route[] = [
  { pattern: /^\/bench\/floor$/, chain: [["routes/bench.floor", floor]] },
  { pattern: /^\/incidents$/, chain: [["routes/incidents._index", incidentList]] },
  {
    pattern: /^\/incidents\/([^/]+)$/,
    params: (m) => ({ ref: m[1] }),
    chain: [
      ["routes/incidents.$ref", incidentLayout],
      ["routes/incidents.$ref._index", incidentPage],
    ],
  },
  {
    pattern: /^\/actions$/,
    chain: [
      ["routes/actions", actionsLayout],
      ["routes/actions._index", myActions],
    ],
  },
  {
    pattern: /^\/actions\/all$/,
    chain: [
      ["routes/actions", actionsLayout],
      ["routes/actions.all", actionsAll],
    ],
  },
  {
    pattern: /^\/actions\/overdue$/,
    chain: [
      ["routes/actions", actionsLayout],
      ["routes/actions.overdue", overdueActions],
    ],
  },
  { pattern: /^\/learnings$/, chain: [["routes/learnings._index", learnings]] },
];

/** What a loader returned, without the `data()` wrapper the root loader uses for headers. */
function unwrap(value: unknown): unknown {
  return value && typeof value === "object" && "data" in value && "init" in value ? (value as { data: unknown }).data : value;
}

async function render(req: http.IncomingMessage): Promise<{ status: number; body: string; location?: string }> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
  const route = ROUTES.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).find((x) => x.m);
  if (!route) return { status: 404, body: "Not found" };
  const params = route.r.params?.(route.m!) ?? {};
  const request = new Request(url, { headers: req.headers as Record<string, string> });
  const chain: [string, RouteModule][] = [["root", root], ...route.r.chain];
  let loaded: unknown[];
  try {
    loaded = await Promise.all(chain.map(async ([, mod]) => mod.loader?.({ request, params, context: { clientAddress: "127.0.0.1" } }) ?? null));
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: "", location: thrown.headers.get("Location") ?? undefined };
    throw thrown;
  }
  const matches: BareMatch[] = chain.map(([id, mod], i) => {
    const Component = mod.default;
    return { id, data: unwrap(loaded[i]), element: <Component />, meta: mod.meta as BareMatch["meta"], links: mod.links as BareMatch["links"] };
  });
  const Layout = root.Layout;
  const html = renderToString(
    <BareContext.Provider value={{ url, params, matches }}>
      <Layout>
        <RouteElement index={0} />
      </Layout>
    </BareContext.Provider>,
  );
  return { status: 200, body: `<!DOCTYPE html>${html}` };
}

await openAppDatabase(DATA_MIGRATIONS);
const port = Number(process.env.PORT ?? 3001);
http
  .createServer((req, res) => {
    render(req).then(
      ({ status, body, location }) => {
        res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", ...(location ? { Location: location } : {}) });
        res.end(body);
      },
      (error: unknown) => {
        console.error(error);
        res.writeHead(500).end();
      },
    );
  })
  .listen(port, "127.0.0.1", () => console.log(`bare limit on http://127.0.0.1:${port}`));

// A normal exit, so that a CPU profile (node --cpu-prof) is written.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
