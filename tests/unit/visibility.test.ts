import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { createAction, pageOfActions } from "~/models/action.server";
import * as home from "~/routes/_index";
import { listIncidents, setPeople, type Incident } from "~/models/incident.server";
import { listLearnings } from "~/models/publication.server";
import { freshDatabase, sessionCookie } from "./helpers";

// A restricted incident exists only for its people and admins: anything naming one by id (a
// cursor, a filter) behaves for everyone else exactly as if the id named no incident.

beforeEach(async () => {
  await freshDatabase();
});

const NO_INCIDENT = 999_999;

async function world() {
  const facilitator = await createUser({ name: "Avery" });
  const member = await createUser({ name: "Blake" });
  const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();
  const incidents: Incident[] = [];
  for (const day of [1, 2, 3, 4, 5]) {
    incidents.push(await createIncident(facilitator, { title: `Incident on day ${day}`, summaryMd: "The queue backed up.", startedAt: at(day), detectedAt: null, resolvedAt: at(day + 1), visibility: day === 3 ? "restricted" : "org" }));
  }
  return { facilitator, member, incidents, secret: incidents[2] };
}

describe("cursors naming a restricted incident", () => {
  it("page the incident list as a cursor naming no incident does", async () => {
    const { member, secret } = await world();
    for (const side of ["after", "before"] as const) {
      expect(await listIncidents(member, { [side]: secret.id }), side).toEqual(await listIncidents(member, { [side]: NO_INCIDENT }));
    }
  });

  it("still page for the people who see it", async () => {
    const { facilitator, secret, incidents } = await world();
    expect((await listIncidents(facilitator, { after: secret.id })).items.map((i) => i.id)).toEqual([incidents[1].id, incidents[0].id]);
  });

  it("page the learnings feed as a cursor naming no incident does", async () => {
    const { facilitator, incidents, secret } = await world();
    for (const [i, incident] of incidents.entries()) {
      await addWhyTree(facilitator, incident.id, [{ question: "Why did the queue back up?", answer: "The consumers were too few.", noRemediationReason: "Scaled since." }]);
      await advanceTo(facilitator, incident.id, "published", new Date(Date.UTC(2026, 1, i + 1)));
    }
    for (const side of ["after", "before"] as const) {
      expect(await listLearnings({ [side]: secret.id }), side).toEqual(await listLearnings({ [side]: NO_INCIDENT }));
    }
    expect((await listLearnings({})).items).toHaveLength(4);
  });

  it("filter the action lists as an id naming no incident does", async () => {
    const { facilitator, member, secret } = await world();
    await createAction(facilitator, secret.id, null, actionFields(facilitator.id));
    await setPeople(facilitator, secret.id, facilitator.id, []);
    expect(await pageOfActions(member, { incidentId: secret.id }, 1)).toEqual(await pageOfActions(member, { incidentId: NO_INCIDENT }, 1));
  });
});

describe("the home page", () => {
  it("sends someone whose only open actions are on an incident they may not see to the incidents, as if they owed nothing", async () => {
    const { facilitator, member, secret } = await world();
    await createAction(facilitator, secret.id, null, actionFields(member.id));
    const landing = async () => {
      const cookie = (await sessionCookie(member.id));
      const thrown = await Promise.resolve(home.loader({ request: new Request("http://localhost/", { headers: { cookie } }), params: {}, context: {} } as never)).catch((e: unknown) => e);
      return (thrown as Response).headers.get("Location");
    };
    expect(await landing()).toBe("/actions");
    // No longer taking part (a row from before open work had to stay with people who see it).
    await db().delete(schema.participants).where(eq(schema.participants.userId, member.id)).run();
    expect(await landing()).toBe("/incidents");
  });
});
