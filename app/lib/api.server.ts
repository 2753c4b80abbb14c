import { z } from "zod";
import { Conflict, DomainError } from "~/models/errors";
import { holderOfToken, noteTokenUse, type Scope, type TokenHolder } from "~/models/api-token.server";
import { BUSY_RETRY_AFTER, isDatabaseBusy, problemDetails, type ProblemDetails } from "./http.server";
import { perKeyRate } from "~/models/rate.server";

// The JSON API's machinery: each operation is declared once (app/lib/api/*.server.ts) with the zod
// schemas that check its input and describe its answer; the same declarations route requests
// here and write the OpenAPI document (api-openapi.server.ts). A request is authenticated by
// its bearer token alone: cookies are never read, so a page on another site cannot make a
// signed-in browser act through the API (there is no CSRF to defend against), and the token's
// owner is authorised by the same models as in the browser.

export const API_BASE = "/api/v1";

/** Requests one token may make per minute; the next waits (429 with Retry-After). */
export const API_RATE_PER_MINUTE = Number(process.env.API_RATE_PER_MINUTE ?? 600);
/** Requests one person's tokens may make together per minute. */
export const API_RATE_PER_PERSON = Number(process.env.API_RATE_PER_PERSON ?? 1200);
/** Requests with a token that does not work, per address per minute: guessing is answered with waiting. */
const BAD_TOKENS_PER_MINUTE = 30;
/** The largest JSON body the API reads; the server refuses any body over 1 MB before it gets here. */
export const API_BODY_LIMIT = 256 * 1024;
/**
 * Values (strings, numbers, lists, objects…) one JSON body may hold: the largest input is an
 * incident with 20 services and a hundred people. Counted before any check runs, so a body of a
 * hundred thousand bad list items costs a count, not a hundred thousand messages.
 */
export const API_BODY_VALUES = 2_000;
/** Field errors listed in one answer; a body with more is refused with the first ones. */
const ERRORS_LISTED = 20;
/** Changes one person may make through the API in a minute, over all their tokens. */
export const API_WRITES_PER_MINUTE = Number(process.env.API_WRITES_PER_MINUTE ?? 120);

// Counted in the database, by every instance together (app/models/rate.server.ts). A token is
// named by its hash, as it is stored; a client address only by a keyed hash.
const perToken = perKeyRate<string>("api-token", API_RATE_PER_MINUTE, 60_000);
const perPerson = perKeyRate<number>("api-person", API_RATE_PER_PERSON, 60_000);
const writesPerPerson = perKeyRate<number>("api-writes", API_WRITES_PER_MINUTE, 60_000);
const badTokens = perKeyRate<string>("api-bad-token", BAD_TOKENS_PER_MINUTE, 60_000, { hashed: true });

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export type ApiContext<P, Q, B, H = Record<string, never>> = {
  holder: TokenHolder;
  params: P;
  query: Q;
  body: B;
  /** The request headers the operation declares, as their schema reads them. */
  headers: H;
  /** The version named by If-Match, when the request sent one. */
  version: number | undefined;
  /** This server's address, for links: APP_URL's when set. */
  origin: string;
};

export type ApiResult = {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The media type of a body given as text (an export: text/csv, text/markdown); the body is JSON otherwise. */
  type?: string;
};

export type Operation = {
  id: string;
  method: Method;
  /** Under /api/v1, with {name} for each path parameter. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** What the token must allow: reading, or reading and writing. */
  scope: Scope;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers the operation reads, by their names (besides If-Match). */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Whether If-Match must name the version the change is based on. */
  ifMatch?: "required" | "optional";
  /** The answers, by status; `schema` describes the JSON body, `type` names the media type of a text body instead. */
  responses: Record<number, { description: string; schema?: z.ZodType; type?: string; headers?: Record<string, string> }>;
  run: (context: ApiContext<never, never, never, never>) => Promise<ApiResult>;
  /** The resource as it is now, for the body of a 409 after a stale write. */
  current?: (context: ApiContext<never, never, never, never>) => Promise<unknown>;
};

/** Declares an operation, its context typed from its schemas. */
export function operation<
  P extends z.ZodObject = z.ZodObject<{}>,
  Q extends z.ZodObject = z.ZodObject<{}>,
  B extends z.ZodType = z.ZodUnknown,
  H extends z.ZodObject = z.ZodObject<{}>,
>(spec: {
  id: string;
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  scope: Scope;
  params?: P;
  query?: Q;
  headers?: H;
  body?: B;
  ifMatch?: "required" | "optional";
  responses: Operation["responses"];
  run: (context: ApiContext<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>) => Promise<ApiResult>;
  current?: (context: ApiContext<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>) => Promise<unknown>;
}): Operation {
  return spec as unknown as Operation;
}

/** An API problem raised by the machinery itself (not a model's refusal). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: Partial<ProblemDetails> & Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const PROBLEM_TYPE = "tag:hindsight,2026:";

function json(status: number, body: unknown, headers: Record<string, string> = {}, type = "application/json"): Response {
  return new Response(status === 204 || status === 304 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": type, "Cache-Control": "no-store", ...headers },
  });
}

export function problem(status: number, kind: string, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return json(status, { type: PROBLEM_TYPE + kind, title, status, detail, ...extra }, headers, "application/problem+json");
}

const KINDS: Record<number, string> = {
  400: "invalid",
  401: "unauthenticated",
  403: "forbidden",
  404: "not-found",
  405: "method-not-allowed",
  409: "conflict",
  413: "too-large",
  415: "unsupported-media-type",
  423: "locked",
  428: "precondition-required",
  429: "rate-limited",
};

function problemOf(error: ApiProblem): Response {
  return problem(error.status, KINDS[error.status] ?? "problem", error.title, error.message, error.extra, error.headers);
}

/** A zod issue's path as a JSON pointer into the request (RFC 6901, in its URI fragment form). */
function pointer(path: PropertyKey[]): string {
  return "#/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** Input the schema refuses: 400 with one entry per field. */
export function invalid(where: "body" | "query" | "path" | "header", error: z.ZodError): ApiProblem {
  const errors = error.issues.slice(0, ERRORS_LISTED).map((issue) => ({ pointer: pointer(issue.path), detail: issue.message }));
  const what = { body: "body", query: "query parameters", path: "address", header: "headers" }[where];
  return new ApiProblem(400, "Invalid input", `The request's ${what} did not pass the checks: see errors.`, {
    errors,
    ...(where !== "body" ? { in: where } : {}),
  });
}

/** A path template ("/incidents/{ref}") as a pattern, and the names of its parameters. */
function compile(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_, a: string, b: string) => {
    names.push(a ?? b);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

/** The version in an If-Match header: `"7"`, `W/"7"` or `7`. A list or `*` is not a version. */
export function versionOf(header: string | null): number | undefined | "unreadable" {
  if (header === null) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  return match ? Number(match[1]) : "unreadable";
}

/** The ETag of a resource at a version. */
export function etag(version: number): string {
  return `"${version}"`;
}

async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new ApiProblem(415, "Send JSON", "Send the body as JSON, with Content-Type: application/json.");
  }
  const text = await request.text();
  if (text.length > API_BODY_LIMIT) {
    throw new ApiProblem(413, "Body too large", `A request body may hold at most ${API_BODY_LIMIT / 1024} KB.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiProblem(400, "Not JSON", `The body is not JSON: ${error instanceof Error ? error.message : "it cannot be read"}.`);
  }
  if (countValues(value, API_BODY_VALUES) > API_BODY_VALUES) {
    throw new ApiProblem(413, "Body too large", `A request body may hold at most ${API_BODY_VALUES.toLocaleString("en")} values (strings, numbers, lists, objects).`);
  }
  return value;
}

/** How many values a JSON value holds, counting stops past `limit`; without recursion, so no nesting exhausts the stack. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const next = stack.pop();
    count += 1;
    if (Array.isArray(next)) stack.push(...next.slice(0, limit + 1));
    else if (next !== null && typeof next === "object") stack.push(...Object.values(next).slice(0, limit + 1));
  }
  return count;
}

function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("Authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

const REALM = 'Bearer realm="hindsight"';

async function authenticate(request: Request, address: string): Promise<TokenHolder> {
  const token = bearerToken(request);
  if (!token) {
    throw new ApiProblem(401, "Token needed", "Send a personal API token: Authorization: Bearer hs_… (make one on your profile page). The API does not read the browser's session.", {}, {
      "WWW-Authenticate": REALM,
    });
  }
  const holder = await holderOfToken(token);
  if (!holder) {
    if (!(await badTokens.take(address))) {
      const wait = await badTokens.retryAfter(address);
      throw new ApiProblem(429, "Too many requests", `Too many requests with tokens that do not work. Try again in ${wait} seconds.`, {}, { "Retry-After": String(wait) });
    }
    throw new ApiProblem(401, "Token not accepted", "This token does not work: it is unknown, revoked or expired, or its owner no longer has an account.", {}, {
      "WWW-Authenticate": `${REALM}, error="invalid_token"`,
    });
  }
  return holder;
}

/** Every operation, compiled once. */
export type Router = { operations: Operation[]; routes: { op: Operation; pattern: RegExp; names: string[] }[] };

export function router(operations: Operation[]): Router {
  const routes = operations.map((op) => ({ op, ...compile(op.path) }));
  // Of the templates that match a path (they have as many segments), the one with a named segment
  // where another has a parameter answers: /actions/summary is its own operation, not the action
  // whose id is "summary". A template's methods keep their order.
  const key = (path: string) => path.split("/").map((s) => (s.startsWith("{") ? "1" : "0")).join("");
  routes.sort((a, b) => {
    const [x, y] = [key(a.op.path), key(b.op.path)];
    return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
  });
  return { operations, routes };
}

/** The operation a request names, with its path's parameters, or the problem to answer. */
function route(r: Router, method: string, path: string): { op: Operation; raw: Record<string, string> } {
  const allowed: string[] = [];
  let template: string | undefined;
  for (const { op, pattern, names } of r.routes) {
    const match = pattern.exec(path);
    // Only the most specific template that matches answers the path, in whichever methods it has.
    if (!match || (template !== undefined && op.path !== template)) continue;
    template = op.path;
    if (op.method !== method) {
      allowed.push(op.method);
      continue;
    }
    let raw: Record<string, string>;
    try {
      raw = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    } catch {
      break;
    }
    return { op, raw };
  }
  if (allowed.length > 0) {
    throw new ApiProblem(405, "Method not allowed", `${path} answers ${allowed.join(", ")}.`, {}, { Allow: allowed.join(", ") });
  }
  throw new ApiProblem(404, "Not found", `There is no ${API_BASE}${path}. The operations are listed at ${API_BASE}/openapi.json.`);
}

/**
 * Answers one API request: routes it, authenticates its token, checks its scope and rate, reads
 * its input through the operation's schemas, runs it, and turns every refusal into
 * application/problem+json.
 */
export async function serveApi(r: Router, request: Request, address: string, origin: string): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname.slice(API_BASE.length) || "/";
  let context: ApiContext<never, never, never, never> | undefined;
  let op: Operation | undefined;
  try {
    // The token first: without one that works, nothing is said about what exists. Every request
    // it makes counts, those to no operation too.
    const holder = await authenticate(request, address);
    if (!(await perToken.take(holder.tokenHash))) {
      const wait = await perToken.retryAfter(holder.tokenHash);
      throw new ApiProblem(429, "Too many requests", `This token made ${API_RATE_PER_MINUTE} requests in the last minute, the most it may. Try again in ${wait} seconds.`, {}, {
        "Retry-After": String(wait),
      });
    }
    // A person's tokens together: twenty tokens are not twenty times the server.
    if (!(await perPerson.take(holder.user.id))) {
      const wait = await perPerson.retryAfter(holder.user.id);
      throw new ApiProblem(429, "Too many requests", `Your tokens made ${API_RATE_PER_PERSON} requests in the last minute, the most one person's may. Try again in ${wait} seconds.`, {}, {
        "Retry-After": String(wait),
      });
    }
    const found = route(r, request.method === "HEAD" ? "GET" : request.method, path);
    op = found.op;
    if (op.scope === "write" && holder.scope !== "write") {
      throw new ApiProblem(403, "Token may only read", "This token was made to read only; make a token with read and write access to change anything.", {}, {
        "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="write"`,
      });
    }
    // Changes cost the most (a save renders Markdown and checks wording): fewer per person, whatever their tokens.
    if (op.scope === "write" && !(await writesPerPerson.take(holder.user.id))) {
      const wait = await writesPerPerson.retryAfter(holder.user.id);
      throw new ApiProblem(429, "Too many changes", `You made ${API_WRITES_PER_MINUTE} changes through the API in the last minute, the most one person may. Try again in ${wait} seconds.`, {}, {
        "Retry-After": String(wait),
      });
    }
    const params = op.params ? op.params.safeParse(found.raw) : { success: true as const, data: {} };
    // A thing the address names but that cannot exist is simply not found.
    if (!params.success) throw new ApiProblem(404, "Not found", `There is no ${API_BASE}${path}.`);
    const rawQuery: Record<string, string> = {};
    for (const [key, value] of url.searchParams) if (!(key in rawQuery)) rawQuery[key] = value;
    const query = op.query ? op.query.safeParse(rawQuery) : { success: true as const, data: {} };
    if (!query.success) throw invalid("query", query.error);
    const rawHeaders = Object.fromEntries(Object.keys(op.headers?.shape ?? {}).flatMap((name) => (request.headers.has(name) ? [[name, request.headers.get(name)]] : [])));
    const headers = op.headers ? op.headers.safeParse(rawHeaders) : { success: true as const, data: {} };
    if (!headers.success) throw invalid("header", headers.error);
    let body: unknown;
    if (op.body) {
      const parsed = op.body.safeParse(await readJson(request));
      if (!parsed.success) throw invalid("body", parsed.error);
      body = parsed.data;
    }
    // Only a change of a stored thing reads If-Match; elsewhere it is ignored, as HTTP allows.
    const version = op.ifMatch ? versionOf(request.headers.get("If-Match")) : undefined;
    if (version === "unreadable") {
      throw new ApiProblem(400, "If-Match not understood", 'If-Match takes the one version you read, as its ETag gave it: If-Match: "7". "*" is not enough here: a change from an older version must be refused, not made.');
    }
    if (op.ifMatch === "required" && version === undefined) {
      throw new ApiProblem(428, "If-Match needed", 'Send If-Match with the version you read (the ETag of your last read, e.g. If-Match: "7"), so that a change made since is not overwritten.');
    }
    context = { holder, params: params.data, query: query.data, headers: headers.data, body, version, origin } as ApiContext<never, never, never, never>;
    const result = await op.run(context);
    await noteTokenUse(holder);
    const response = result.type
      ? new Response(String(result.body), { status: result.status ?? 200, headers: { "Content-Type": `${result.type}; charset=utf-8`, "Cache-Control": "no-store", ...result.headers } })
      : json(result.status ?? 200, result.body ?? null, result.headers);
    return request.method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;
  } catch (error) {
    if (error instanceof ApiProblem) return problemOf(error);
    if (error instanceof DomainError) {
      const { status, body } = problemDetails(error);
      // A stale write answers with the resource as it is now, in the API's own form.
      if (error instanceof Conflict && op?.current && context) {
        const current = await op.current(context).catch(() => undefined);
        return json(status, { ...body, current }, {}, "application/problem+json");
      }
      return json(status, body, {}, "application/problem+json");
    }
    if (error instanceof Response) throw error;
    if (isDatabaseBusy(error)) {
      return problem(503, "busy", "Busy", "The database is busy with other changes. Try again in a few seconds.", {}, BUSY_RETRY_AFTER);
    }
    console.error("API request failed:", error);
    return problem(500, "fault", "Something went wrong", "The server could not answer this request. It has been logged; try again.");
  }
}

// --- Cursors -----------------------------------------------------------------------------------

/**
 * Cursors are opaque to clients: where the next page starts, in base64url JSON. A client passes
 * back what it was given; anything else is a 400.
 */
/** The largest number a cursor holds: any id, offset or page this API gives stays below it. */
const CURSOR_MAX = 2 ** 31;

export function encodeCursor(position: Record<string, number>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function cursorField<K extends string>(keys: readonly K[]) {
  return z
    .string()
    .max(200)
    .transform((value, ctx) => {
      try {
        const decoded = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown;
        const inRange = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= CURSOR_MAX;
        if (decoded && typeof decoded === "object" && keys.every((k) => inRange((decoded as Record<string, unknown>)[k]))) {
          return decoded as Record<K, number>;
        }
      } catch {
        // reported below
      }
      ctx.addIssue({ code: "custom", message: "This cursor was not given by this API: pass back a page's nextCursor as it came." });
      return z.NEVER;
    })
    .optional()
    .meta({ description: "Where the page starts: the nextCursor of the page before. Leave it out for the first page." });
}
