import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { liveSessionCast } from "./live-session-cast";
import { db, schema } from "~/lib/db.server";
import { Forbidden } from "~/models/errors";
import { setPeople } from "~/models/incident.server";
import { canLeadSession } from "~/models/live-session";
import { handFacilitation, keepPresent, makeParticipant, openSessionOf, sendForReview, setPhase } from "~/models/live-session.server";
import type { User } from "~/models/user.server";
import { caught } from "./helpers";

// Who drives a live session, at its edges: the session's facilitator leads only while they may
// build the analysis, and leading includes sending it for review, as the page offers.

let lead: User;
let ana: User;
let ben: User;
let incidentId: number;

beforeEach(async () => {
  let incident;
  ({ lead, ana, ben, incident } = await liveSessionCast({ ben: true, session: true }));
  incidentId = incident.id;
});

const statusOf = async () => (await db().select({ status: schema.incidents.status }).from(schema.incidents).where(eq(schema.incidents.id, incidentId)).get())!.status;

describe("the session's facilitator", () => {
  it("no longer drives the session once taken off the incident, and cannot make themselves a participant again", async () => {
    await keepPresent(ana, incidentId);
    await handFacilitation(lead, incidentId, ana.id);
    await setPhase(ana, incidentId, "whys");
    // Off the incident: an org-wide one, so Ana still sees it and its session, but builds nothing.
    await setPeople(lead, incidentId, lead.id, [ben.id]);
    expect(canLeadSession(ana, { visibility: "org", facilitatorId: lead.id, participantIds: [ben.id] }, { facilitatorId: ana.id })).toBe(false);
    expect(await caught(() => setPhase(ana, incidentId, "timeline"))).toBeInstanceOf(Forbidden);
    expect(await caught(() => makeParticipant(ana, incidentId, ana.id))).toBeInstanceOf(Forbidden);
    const people = await db().select({ userId: schema.participants.userId }).from(schema.participants).where(eq(schema.participants.incidentId, incidentId)).all();
    expect(people.map((p) => p.userId)).toEqual([ben.id]);
    expect((await openSessionOf(incidentId))!.phase).toBe("whys");
    // The incident's lead takes the session back.
    await handFacilitation(lead, incidentId, lead.id);
    await setPhase(lead, incidentId, "timeline");
  });

  it("sends the analysis for review, as the page offers them; another participant may not", async () => {
    await handFacilitation(lead, incidentId, ana.id);
    expect(await caught(() => sendForReview(ben, incidentId))).toBeInstanceOf(Forbidden);
    expect(await statusOf()).toBe("analysis");
    await sendForReview(ana, incidentId);
    expect(await statusOf()).toBe("review");
    expect(await openSessionOf(incidentId)).toBeNull();
  });
});
