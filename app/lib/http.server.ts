import { z } from "zod";
import { data } from "@remix-run/node";
import { Conflict, DomainError, type DomainErrorKind, Forbidden, NotFound, PublishBlocked } from "~/models/errors";
import { DatabaseBusy } from "./db.server";
import { fromForm, type FormInput } from "./form-input";

export type FieldErrors = Record<string, string[] | undefined>;
export type FormFailure<V = Record<string, string>> = {
  /** Which of the page's forms failed (an intent, or a form's id on pages with many). */
  target?: string;
  errors: FieldErrors;
  formError?: string;
  values: V;
  /** The stored version, when a save was refused because someone else saved first. */
  conflict?: Record<string, string>;
  /** A confirmation to give before saving again (e.g. "pastDue"): the form offers it. */
  confirm?: string;
  /** Checks that stopped a lifecycle move, each with the why it is about. */
  problems?: { field: string; message: string; whyId?: number }[];
};

/** The form comes back with what was typed and the message next to the field. */
export function formFailure<V>(status: number, failure: FormFailure<V>, headers?: HeadersInit) {
  return data({ ok: false as const, ...failure }, { status, headers });
}

/**
 * Whether a failure is the database staying busy (a lock held past its wait, or on PostgreSQL a
 * transaction that kept losing to concurrent ones): nothing was changed, and the same request
 * succeeds a moment later. Pages and the API answer it with 503 and Retry-After.
 */
export function isDatabaseBusy(error: unknown): boolean {
  return error instanceof DatabaseBusy || (error instanceof Error && error.cause instanceof DatabaseBusy);
}

/** How long a client is asked to wait before sending again a request the busy database refused. */
export const BUSY_RETRY_AFTER = { "Retry-After": "5" };

const BUSY_MESSAGE = "The database is busy with other changes, and nothing was saved. Send this again in a few seconds.";

/** The status each domain refusal answers with, on a page and in an API. */
const STATUS: Record<DomainErrorKind, number> = {
  "not-found": 404,
  forbidden: 403,
  invalid: 400,
  "state-conflict": 409,
  conflict: 409,
  "limit-reached": 422,
  "publish-blocked": 422,
};

const TITLES: Record<DomainErrorKind, string> = {
  "not-found": "Not found",
  forbidden: "Not allowed",
  invalid: "Invalid input",
  "limit-reached": "Limit reached",
  "state-conflict": "Not possible now",
  conflict: "Changed by someone else",
  "publish-blocked": "Not ready to publish",
};

/** The HTTP status of a domain refusal. */
export function statusOf(error: DomainError): number {
  return STATUS[error.kind];
}

/**
 * Turns a model's refusal into the form failure the page shows: the message next to its field,
 * or above the form; the stored version for a stale save; the failed checks for a blocked
 * publication. A busy database gives the form back too, with what was typed, to send again. A
 * missing thing stays a 404 page, not a form message. Anything that is not a domain error is a
 * real fault and rethrown.
 */
export function modelFailure<V>(error: unknown, values: V, target?: string) {
  if (isDatabaseBusy(error)) return formFailure(503, { target, errors: {}, formError: BUSY_MESSAGE, values }, BUSY_RETRY_AFTER);
  if (!(error instanceof DomainError)) throw error;
  if (error instanceof NotFound) throw new Response(error.message, { status: 404 });
  const field = error.field;
  return formFailure(statusOf(error), {
    target,
    errors: field ? { [field]: [error.message] } : {},
    formError: field ? undefined : error.message,
    values,
    conflict: error instanceof Conflict ? error.current : undefined,
    problems: error instanceof PublishBlocked ? error.problems : undefined,
  });
}

/**
 * Reads for a page: a thing that is missing or not the person's to see becomes the 404 or 403
 * page (with the refusal's words) instead of a crash, and a busy database the 503 page.
 */
export async function orErrorPage<T>(read: () => Promise<T> | T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw errorPage(error);
  }
}

function errorPage(error: unknown): unknown {
  if (error instanceof NotFound) return new Response(error.message, { status: 404 });
  if (error instanceof Forbidden) return new Response(error.message, { status: 403 });
  if (isDatabaseBusy(error)) return new Response("The database is busy with other changes. Try again in a few seconds.", { status: 503, headers: BUSY_RETRY_AFTER });
  return error;
}

/** An RFC 9457 problem: what an API answers with `Content-Type: application/problem+json`. */
export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The input the refusal is about, one entry per field (a JSON pointer into the request body). */
  errors?: { pointer: string; detail: string; whyId?: number }[];
  /** For a stale save: the stored version. */
  current?: Record<string, string>;
};

/** The problem+json body and status for a domain refusal; anything else is a fault and rethrown. */
export function problemDetails(error: unknown): { status: number; body: ProblemDetails } {
  if (!(error instanceof DomainError)) throw error;
  const status = statusOf(error);
  const body: ProblemDetails = {
    type: `tag:hindsight,2026:${error.kind}`,
    title: TITLES[error.kind],
    status,
    detail: error.message,
  };
  if (error instanceof PublishBlocked) {
    body.errors = error.problems.map((p) => ({ pointer: `#/${p.field}`, detail: p.message, ...(p.whyId ? { whyId: p.whyId } : {}) }));
  } else if (error.field) {
    body.errors = [{ pointer: `#/${error.field}`, detail: error.message }];
  }
  if (error instanceof Conflict) body.current = error.current;
  return { status, body };
}

/** The problem as an HTTP response, ready for an API route to return or throw. */
export function problemResponse(error: unknown): Response {
  const { status, body } = problemDetails(error);
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/problem+json" } });
}

/** The posted form. A body that is not one (JSON, plain text, a broken multipart) is a 400, not a crash. */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("Send this as a form.", { status: 400 });
  }
}

/** Form data as plain strings (files and repeated keys beyond the first are ignored). */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) {
    if (typeof value === "string" && !(key in values)) values[key] = value;
  }
  return values;
}

/** Stands for this site when resolving a return address; `.invalid` is never anyone's host. */
const THIS_SITE = "https://hindsight.invalid";

/**
 * A local path to return to after sign-in; anything pointing elsewhere falls back. The address
 * is resolved as a browser would (which drops tabs and newlines and reads `\` as `/`), and only
 * the path, query and fragment of a result on this site are kept, so control characters never
 * reach the Location header. A path that resolves to `//…` would be read as another host.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || to === "") return fallback;
  let url: URL;
  try {
    url = new URL(to, THIS_SITE);
  } catch {
    return fallback;
  }
  if (url.origin !== THIS_SITE || url.pathname.startsWith("//")) return fallback;
  return url.pathname + url.search + url.hash;
}

/** Validates input with a zod schema: the parsed data, or errors by field. */
export function validate<S extends z.ZodType>(
  schema: S,
  values: unknown,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: z.flattenError(result.error).fieldErrors as FieldErrors };
}

/**
 * Validates a posted form against one of the domain's inputs (app/models/inputs.ts): its text
 * is read as the types the input asks for first, so the form meets the API's rules and messages.
 */
export function validateForm<S extends z.ZodObject>(schema: S, form: FormInput) {
  return validate(schema, fromForm(schema, form));
}

/**
 * A Content-Disposition that saves the response as `fileName` (RFC 6266): `filename` is a plain
 * ASCII stand-in for old clients (accents dropped, anything else an underscore), and `filename*`
 * the name itself in UTF-8 (RFC 5987), so no title can break or inject into the header.
 */
export function attachment(fileName: string): string {
  const ascii = fileName
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\w.-]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
