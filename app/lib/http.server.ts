import { z } from "zod";
import { data } from "@remix-run/node";

/** An error a model raises for the person acting: a status, a message, and the field it is about. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail: { field?: string } = {},
  ) {
    super(message);
  }
}

export function notFound(): never {
  throw new Response("Not found", { status: 404 });
}

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
export function formFailure<V>(status: number, failure: FormFailure<V>) {
  return data({ ok: false as const, ...failure }, { status });
}

/**
 * Turns a model's HttpError into a form failure; anything else is a real fault and rethrown.
 * A 404 stays a 404 page, not a form message.
 */
export function modelFailure<V>(error: unknown, values: V, target?: string) {
  if (!(error instanceof HttpError)) throw error;
  if (error.status === 404) throw new Response(error.message, { status: 404 });
  const field = error.detail.field;
  return formFailure(error.status, {
    target,
    errors: field ? { [field]: [error.message] } : {},
    formError: field ? undefined : error.message,
    values,
    conflict: error instanceof ConflictError ? (error.current as Record<string, string>) : undefined,
  });
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

/**
 * A save based on an older version than the one stored. Carries the stored values so the
 * person sees both versions and decides; nothing is overwritten.
 */
export class ConflictError extends HttpError {
  constructor(
    readonly current: Record<string, unknown>,
    message = "Someone else saved this while you were editing. Compare both versions below, then save again.",
  ) {
    super(409, message);
  }
}

/** Validates form values with a zod schema: the parsed data, or errors by field. */
export function validate<S extends z.ZodType>(
  schema: S,
  values: Record<string, string>,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: z.flattenError(result.error).fieldErrors as FieldErrors };
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
