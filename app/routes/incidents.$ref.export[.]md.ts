import { type LoaderFunctionArgs } from "@remix-run/node";
import { attachment, orErrorPage } from "~/lib/http.server";
import { requireUser } from "~/lib/session.server";
import { incidentExport } from "~/models/export.server";
import { parseReference } from "~/models/incident";

/** /incidents/INC-7.md (rewritten here by the server): the incident as a Markdown file to save. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = parseReference(params.ref);
  if (!id) throw new Response("Not found", { status: 404 });
  const { text, fileName } = await orErrorPage(() => incidentExport(user, id));
  return new Response(text, {
    headers: {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": attachment(fileName),
      "Cache-Control": "private, no-store",
    },
  });
}
