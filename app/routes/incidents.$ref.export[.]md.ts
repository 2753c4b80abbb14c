import { type LoaderFunctionArgs } from "@remix-run/node";
import { requireIncidentRoute } from "~/lib/guards.server";
import { attachment } from "~/lib/http.server";
import { listIncidentActions } from "~/models/action.server";
import { incidentMarkdown } from "~/models/export.server";
import { exportFileStem } from "~/models/incident";
import { listTimeline } from "~/models/timeline.server";
import { listWhys } from "~/models/why.server";

/** /incidents/INC-7.md (rewritten here by the server): the incident as a Markdown file to save. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { incident } = await requireIncidentRoute(request, params.ref);
  const markdown = await incidentMarkdown(incident, await listWhys(incident.id), await listIncidentActions(incident.id), await listTimeline(incident.id));
  return new Response(markdown, {
    headers: {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": attachment(`${exportFileStem(incident.reference, incident.title)}.md`),
      "Cache-Control": "private, no-store",
    },
  });
}
