import { parseReference } from "~/models/incident";
import { getIncident, type Incident } from "~/models/incident.server";
import { SESSION_LIMITS } from "~/models/live-session";
import type { User } from "~/models/user.server";
import { env } from "./env.server";
import { orErrorPage } from "./http.server";
import { perPersonRate, type RateLimit } from "~/models/rate.server";
import { requireUser } from "./session.server";

/**
 * The signed-in user and the incident named in the URL ("INC-7"). Anyone who may not see the
 * incident gets a 404, exactly as if it did not exist. Every incident route starts here.
 */
export function requireIncidentRoute(request: Request, ref: string | undefined): Promise<{ user: User; incident: Incident }> {
  // The incident layout and the page inside it both need it: a GET loads it once.
  if (request.method !== "GET" && request.method !== "HEAD") return loadIncidentRoute(request, ref);
  const key = ref ?? "";
  let byRef = incidentsOfRequests.get(request);
  if (!byRef) incidentsOfRequests.set(request, (byRef = new Map()));
  let loaded = byRef.get(key);
  if (!loaded) byRef.set(key, (loaded = loadIncidentRoute(request, ref)));
  return loaded;
}

const incidentsOfRequests = new WeakMap<Request, Map<string, Promise<{ user: User; incident: Incident }>>>();

async function loadIncidentRoute(request: Request, ref: string | undefined) {
  const user = await requireUser(request);
  const id = parseReference(ref);
  if (!id) throw new Response("Not found", { status: 404 });
  return { user, incident: await orErrorPage(() => getIncident(user, id)) };
}

/**
 * A meeting's pace, several times over: one person's changes to live sessions, whatever they are
 * and wherever they come from (the session page, the API). Past it, a change is refused for a few
 * seconds: a loop toggling "ready" would otherwise grow the event log and keep every screen
 * reloading.
 */
export function sessionPace(): RateLimit {
  return (sessionWrites ??= perPersonRate("session-writes", env().SESSION_WRITES_PER_10S, SESSION_LIMITS.writesWindowSeconds * 1000));
}
let sessionWrites: RateLimit | undefined;
