import { type LoaderFunctionArgs } from "@remix-run/node";
import { actionFiltersFrom } from "~/lib/action-filters.server";
import { toCsv } from "~/lib/csv.server";
import { requireUser } from "~/lib/session.server";
import { env } from "~/lib/env.server";
import { ACTION_STATUS_LABELS } from "~/models/action";
import { listActions } from "~/models/action.server";

/** The most rows one download holds: a spreadsheet's worth, and a response of a few megabytes. */
const EXPORT_ROWS = 10_000;

/** The filtered All actions list as CSV, for spreadsheets and reports. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { filters } = actionFiltersFrom(new URL(request.url));
  // One row more than may be exported tells whether there are more.
  const { items, today } = await listActions(user, filters, { limit: EXPORT_ROWS + 1 });
  if (items.length > EXPORT_ROWS) {
    return new Response(`More than ${EXPORT_ROWS.toLocaleString("en")} actions match. Narrow the filters (status, team, incident, severity) and download again.`, {
      status: 422,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const csv = toCsv(
    items.map((a) => ({
      id: a.id,
      title: a.title,
      status: ACTION_STATUS_LABELS[a.status],
      overdue: a.overdue ? "yes" : "no",
      priority: a.priority,
      due: a.dueDate,
      owner: a.ownerName,
      team: a.ownerTeam,
      incident: a.incidentReference,
      incident_title: a.incidentTitle,
      severity: a.severity,
      remediates: a.whyQuestion ?? "",
      completed_at: a.completedAt ?? "",
      wont_do_reason: a.wontDoReason,
      tracker_url: a.trackerUrl,
      link: `${env().APP_URL}/actions/${a.id}`,
    })),
    ["id", "title", "status", "overdue", "priority", "due", "owner", "team", "incident", "incident_title", "severity", "remediates", "completed_at", "wont_do_reason", "tracker_url", "link"],
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="hindsight-actions-${today}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
