import cluster from "node:cluster";
import crypto from "node:crypto";
import { Writable } from "node:stream";
import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { engine, openAppDatabase, poolOf } from "~/lib/db.server";
import { clusterBus } from "~/lib/event-bus-cluster.server";
import { postgresBus, type PostgresBus } from "~/lib/event-bus-postgres.server";
import { useEventBus } from "~/lib/event-bus.server";
import { BUSY_RETRY_AFTER, isDatabaseBusy } from "~/lib/http.server";
import { NonceContext } from "~/lib/nonce";
import { KEEP_HEADER, keepableRoutes, pageCacheOf } from "~/lib/page-cache.server";
import { SCHEDULE_LEASE, startScheduler } from "~/lib/scheduler.server";
import { releaseLease } from "~/models/lease.server";
import { checkUncheckedWhysInBackground } from "~/models/blame.server";
import { startDelivery } from "~/models/outbox.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { queueUnanswered } from "~/models/deployment-review.server";
import { refreshUncheckedSimilaritiesInBackground } from "~/models/recurrence.server";

/** The bus on PostgreSQL's LISTEN/NOTIFY, when the database is PostgreSQL. */
let bus: PostgresBus | undefined;

/**
 * Whether this process does the work that only needs doing once per start (looking at whys
 * saved before their wording check or similar whys were stored): the only server process, or the
 * first of several on one machine (server.js, WEB_CONCURRENCY).
 */
const firstProcess = !cluster.isWorker || process.env.HINDSIGHT_PROCESS_INDEX === "0";

/**
 * Opens and migrates the database when the server starts, not on the first request, then starts
 * the daily jobs, the sending of queued emails and of answers to GitHub's deployment reviews, and
 * checks the wording and looks up the similar whys of whys saved before either was stored with
 * them. Live changes reach the event streams of every server process: on PostgreSQL through the
 * database, so that a change made on one instance reaches the streams open on every other; between
 * the processes of one machine on SQLite, through their primary. The server (server.js) awaits it
 * before it takes a request.
 */
export const ready: Promise<void> = openAppDatabase(DATA_MIGRATIONS).then((database) => {
  if (engine === "postgres") bus = useEventBus(postgresBus(poolOf(database))) as PostgresBus;
  else if (cluster.isWorker) useEventBus(clusterBus());
  startScheduler();
  startDelivery();
  if (!firstProcess) return;
  queueUnanswered().catch((error: unknown) => console.error("Queueing the answers to GitHub's deployment reviews failed:", error));
  checkUncheckedWhysInBackground();
  refreshUncheckedSimilaritiesInBackground();
});

/**
 * The server is stopping (server.js, on SIGTERM or SIGINT): it lets its lease on the schedule go,
 * so another process takes the scheduled work on its next tick rather than once the lease expires,
 * and closes the event bus's own connection.
 */
export async function stopping(): Promise<void> {
  await Promise.all([releaseLease(SCHEDULE_LEASE), bus?.close()]);
}

/** Rendered pages served again while nothing they show has changed (server.js serves them, given the build's routes). */
export { pageCacheOf };

/**
 * Who a rendered page may be kept for, to serve again (page-cache.server.ts): the person signed
 * in, for a page read with GET, rendered whole (200) with no cookie to set, whose every route
 * says it shows only what the database holds for them (`handle: { pageCache: true }`).
 */
function keptFor(request: Request, status: number, headers: Headers, context: EntryContext): number | undefined {
  if (process.env.NODE_ENV !== "production" || request.method !== "GET" || status !== 200 || headers.has("Set-Cookie")) return undefined;
  if (!keepableRoutes(context.staticHandlerContext.matches.map((match) => context.routeModules[match.route.id]?.handle))) return undefined;
  const root = context.staticHandlerContext.loaderData.root as { user?: { id: number } | null } | undefined;
  return root?.user?.id;
}

// No page defers data, so a render still running is only slow (the largest incident on a busy
// machine), not stuck: it is given time to finish rather than cut off into a broken page.
const ABORT_DELAY = 30_000;

/**
 * Scripts run only from this origin or inline with this response's nonce (Remix's loader data
 * and module imports); no page may frame Hindsight. Inline styles stay allowed: the charts and
 * a few layouts set style attributes, and styles cannot run code. In development Vite's hot
 * reload needs more, so the policy is sent by the production server.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Pages whose loader or action found the database busy: they answer 503, to be asked again. */
const foundBusy = new WeakSet<Request>();

/**
 * A loader or action failed (Remix sanitises the error before the page renders, so what it was
 * is noted here): logged, unless the visitor went away; a busy database is remembered for the
 * answer's status. The forms' actions give the form back on a busy database themselves
 * (modelFailure); this covers what nothing else caught.
 */
export function handleError(error: unknown, { request }: LoaderFunctionArgs | ActionFunctionArgs) {
  // A response thrown from an error keeps the error inside (as Remix's own handler reads it).
  const cause = isRouteErrorResponse(error) && (error as { error?: unknown }).error ? (error as { error?: unknown }).error : error;
  if (isDatabaseBusy(cause)) foundBusy.add(request);
  if (!request.signal.aborted) console.error(cause);
}

/**
 * The data of a navigation made in the browser (single fetch): a busy database answers 503 with
 * Retry-After there too.
 */
export function handleDataRequest(response: Response, { request }: LoaderFunctionArgs | ActionFunctionArgs): Response {
  if (!foundBusy.has(request)) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(BUSY_RETRY_AFTER)) headers.set(name, value);
  return new Response(response.body, { status: 503, statusText: "Service Unavailable", headers });
}

/**
 * Renders the whole document, then answers with it in one piece. No page defers data, so
 * streaming would send nothing earlier, and one buffer costs far less than a web stream of
 * chunks. Remix's own inline scripts (the loader data) are complete once everything is ready.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  _loadContext: AppLoadContext,
) {
  const nonce = crypto.randomBytes(16).toString("base64");
  // A busy database (a form given back, or a failure nothing caught): asked again in a moment.
  if (foundBusy.has(request)) responseStatusCode = 503;
  if (responseStatusCode === 503) for (const [name, value] of Object.entries(BUSY_RETRY_AFTER)) responseHeaders.set(name, value);
  return new Promise<Response>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const document = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        clearTimeout(deadline);
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        if (process.env.NODE_ENV === "production") responseHeaders.set("Content-Security-Policy", contentSecurityPolicy(nonce));
        const viewer = keptFor(request, responseStatusCode, responseHeaders, remixContext);
        if (viewer !== undefined) responseHeaders.set(KEEP_HEADER, `${nonce} ${viewer}`);
        resolve(new Response(Buffer.concat(chunks.splice(0)), { headers: responseHeaders, status: responseStatusCode }));
        done();
      },
    });
    const page = (
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>
    );
    const { pipe, abort } = renderToPipeableStream(page, {
      nonce,
      onAllReady() {
        pipe(document);
      },
      onShellError(error: unknown) {
        clearTimeout(deadline);
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    // Cleared as soon as the document is complete: the timer holds the whole render (its data, its
    // HTML) for as long as it waits.
    deadline = setTimeout(abort, ABORT_DELAY);
  });
}
