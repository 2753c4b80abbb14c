import { z } from "zod";
import { ACTION_STATUSES } from "~/models/action";
import { ACTION_SORTS, type ActionFilters } from "~/models/action.server";
import { SEVERITIES, parseReference } from "~/models/incident";
import { MAX_ID } from "~/models/inputs";

const schema = z.object({
  status: z.enum([...ACTION_STATUSES, "unfinished"]).optional().catch(undefined),
  owner: z.coerce.number().int().positive().max(MAX_ID).optional().catch(undefined),
  team: z.string().trim().max(60).optional().catch(undefined),
  incident: z.string().trim().max(20).optional().catch(undefined),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  overdue: z.literal("on").optional().catch(undefined),
  sort: z.enum(ACTION_SORTS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

/** The All actions filters from a URL's query; anything unreadable is ignored, not an error. */
export function actionFiltersFrom(url: URL): { filters: ActionFilters; page: number; query: Record<string, string> } {
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ""));
  const q = schema.parse(raw);
  const incidentId = q.incident ? (parseReference(q.incident) ?? (/^\d{1,9}$/.test(q.incident) ? Number(q.incident) || undefined : undefined)) : undefined;
  return {
    filters: {
      status: q.status,
      ownerId: q.owner,
      team: q.team,
      incidentId,
      severity: q.severity,
      overdue: q.overdue === "on",
      sort: q.sort ?? "due",
    },
    page: q.page ?? 1,
    query: raw,
  };
}
