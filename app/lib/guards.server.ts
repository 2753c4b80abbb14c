import { parseReference } from "~/models/incident";
import { getIncident } from "~/models/incident.server";
import { requireUser } from "./session.server";

/**
 * The signed-in user and the incident named in the URL ("INC-7"). Anyone who may not see the
 * incident gets a 404, exactly as if it did not exist. Every incident route starts here.
 */
export async function requireIncidentRoute(request: Request, ref: string | undefined) {
  const user = await requireUser(request);
  const id = parseReference(ref);
  if (!id) throw new Response("Not found", { status: 404 });
  return { user, incident: getIncident(user, id) };
}
