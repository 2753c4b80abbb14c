import { z } from "zod";
import { ACTION_STATUSES } from "~/models/action";
import { ACTION_SORTS, type ActionFilters } from "~/models/action.server";
import { SEVERITIES, parseReference } from "~/models/incident";
import { invalid } from "../api.server";
import { Problem } from "./representations.server";
import { MAX_ID } from "~/models/inputs";

// What the API's operations share: how a path names an incident or a thing, and the refusals
// every operation may answer with.

/** An incident's reference in the path ("INC-7"), read as its number. */
export const refParam = z
  .string()
  .meta({ description: "The incident's reference, e.g. INC-7." })
  .transform((value, ctx) => parseReference(value) ?? (ctx.addIssue({ code: "custom", message: "Not a reference" }), z.NEVER));
export const idParam = (description: string) => z.coerce.number().int().positive().max(MAX_ID).meta({ description });


export const errors = {
  400: { description: "The input did not pass the checks (field errors in `errors`).", schema: Problem },
  401: { description: "No token, or one that does not work.", schema: Problem },
  403: { description: "The token's owner may not do this, or the token may only read.", schema: Problem },
  404: { description: "Not found, or not the token owner's to see.", schema: Problem },
  429: { description: "Too many requests: wait as long as Retry-After says.", schema: Problem, headers: { "Retry-After": "Seconds to wait." } },
};
export const readErrors = { 401: errors[401], 404: errors[404], 429: errors[429] };
export const writeErrors = {
  ...errors,
  409: { description: "A stale write (If-Match names an older version; `current` holds the resource now), or a change not possible in its current state.", schema: Problem },
  422: { description: "A limit reached, or publishing refused (the checks that failed in `errors`).", schema: Problem },
};
export const versionedWriteErrors = { ...writeErrors, 428: { description: "If-Match is missing.", schema: Problem } };
export const withEtag = { ETag: "The version, for If-Match." };

/** The All actions page's filters and sorts, as the action list and its CSV export read them. */
export const actionFilterFields = {
  status: z.enum([...ACTION_STATUSES, "unfinished"]).optional(),
  owner: z.coerce.number().int().positive().max(MAX_ID).optional().meta({ description: "The owner's person id." }),
  team: z.string().max(60).optional(),
  incident: z
    .string()
    .max(20)
    .optional()
    .transform((value, ctx) => (value === undefined ? undefined : (parseReference(value) ?? (ctx.addIssue({ code: "custom", message: "Write a reference like INC-12." }), z.NEVER))))
    .meta({ description: "An incident's reference, INC-7." }),
  severity: z.enum(SEVERITIES).optional(),
  overdue: z.enum(["true", "false"]).optional(),
  sort: z.enum(ACTION_SORTS).default("due"),
};

export function actionFiltersOf(query: z.output<z.ZodObject<typeof actionFilterFields>>): ActionFilters {
  return {
    status: query.status,
    ownerId: query.owner,
    team: query.team,
    incidentId: query.incident,
    severity: query.severity,
    overdue: query.overdue === "true",
    sort: query.sort,
  };
}

/**
 * The sent fields laid over the stored ones, checked as a whole by the input the page's form
 * uses (a change of some fields is checked as the full input would be); a refusal names the field.
 */
export function merged<S extends z.ZodType>(schema: S, stored: object, sent: object = {}): z.output<S> {
  const result = schema.safeParse({ ...stored, ...sent });
  if (result.success) return result.data;
  throw invalid("body", result.error);
}
