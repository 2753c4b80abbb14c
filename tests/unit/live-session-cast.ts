import { advanceTo, createIncident, createUser } from "../../db/factories";
import { setPeople } from "~/models/incident.server";
import { startSession } from "~/models/live-session.server";
import { freshDatabase } from "./helpers";

/**
 * The people of a live-session test, on a fresh database: Lea leads an incident in analysis with
 * Ana (and Ben) as its people; Wes, when asked for, is a member who only watches. Made in that
 * order, so their ids are the same in every test; the session is started when asked for.
 */
export async function liveSessionCast(options: { ben?: boolean; watcher?: boolean; session?: boolean } = {}) {
  await freshDatabase();
  const lead = await createUser({ name: "Lea Lead" });
  const ana = await createUser({ name: "Ana Alves" });
  const ben = options.ben ? await createUser({ name: "Ben Brook" }) : undefined;
  const watcher = options.watcher ? await createUser({ name: "Wes Watcher" }) : undefined;
  const incident = await createIncident(lead, { facilitatorId: lead.id, visibility: "org" });
  await setPeople(lead, incident.id, lead.id, ben ? [ana.id, ben.id] : [ana.id]);
  await advanceTo(lead, incident.id, "analysis");
  if (options.session) await startSession(lead, incident.id, { anonymous: true });
  return { lead, ana, ben: ben!, watcher: watcher!, incident };
}
