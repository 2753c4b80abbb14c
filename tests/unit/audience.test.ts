import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { DomainError, Forbidden, NotFound, StateConflict } from "~/models/errors";
import { canWidenAudience } from "~/models/authorization";
import { changeActionStatus, createAction, updateAction } from "~/models/action.server";
import { getIncident, setPeople, updateIncident, fieldValues } from "~/models/incident.server";
import { incidentFields } from "../../db/factories";
import * as actionPage from "~/routes/actions.$id";
import * as newActionPage from "~/routes/incidents.$ref.actions.new";
import { caught, freshDatabase, sessionCookie } from "./helpers";

// Who sees a restricted incident is chosen by its facilitator or an admin (canWidenAudience):
// nobody else can let someone in, directly or by giving them an action.

beforeEach(async () => {
  await freshDatabase();
});

const REFUSAL = "Only the facilitator or an admin can add people to a restricted incident; choose someone who already takes part.";

async function restricted() {
  const facilitator = await createUser({ name: "Avery" });
  const participant = await createUser({ name: "Blake" });
  const outsider = await createUser({ name: "Casey" });
  const admin = await createUser({ name: "Drew", role: "admin" });
  const incident = await createIncident(facilitator, { visibility: "restricted", title: "Signing key exposed" });
  await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
  return { facilitator, participant, outsider, admin, incident };
}

async function cookieFor(user: { id: number }) {
  return (await sessionCookie(user.id));
}

describe("who may widen the audience", () => {
  it("is anyone for an org-wide incident, only the facilitator and admins for a restricted one", () => {
    const people = { facilitatorId: 1, participantIds: [2] };
    const member = (id: number) => ({ id, role: "member" as const });
    expect(canWidenAudience(member(2), { ...people, visibility: "org" })).toBe(true);
    expect(canWidenAudience(member(2), { ...people, visibility: "restricted" })).toBe(false);
    expect(canWidenAudience(member(1), { ...people, visibility: "restricted" })).toBe(true);
    expect(canWidenAudience({ id: 9, role: "admin" }, { ...people, visibility: "restricted" })).toBe(true);
  });

  it("keeps a participant from giving an outsider an action on a restricted incident, and changes nothing", async () => {
    const { participant, outsider, incident } = await restricted();
    const refused = await caught(() => createAction(participant, incident.id, null, actionFields(outsider.id))) as DomainError;
    expect(refused).toBeInstanceOf(Forbidden);
    expect(refused.message).toBe(REFUSAL);
    expect(refused.field).toBe("ownerId");
    expect(await caught(() => getIncident(outsider, incident.id))).toBeInstanceOf(NotFound);
    expect((await getIncident(participant, incident.id)).participantIds).toEqual([participant.id]);
  });

  it("keeps a participant from handing their action to an outsider", async () => {
    const { participant, outsider, incident } = await restricted();
    const action = await createAction(participant, incident.id, null, actionFields(participant.id));
    const refused = await caught(() => updateAction(participant, action.id, action.version, actionFields(outsider.id))) as DomainError;
    expect(refused).toBeInstanceOf(Forbidden);
    expect(refused.field).toBe("ownerId");
    expect(await caught(() => getIncident(outsider, incident.id))).toBeInstanceOf(NotFound);
  });

  it("lets a participant give actions to people who already take part, and admins", async () => {
    const { facilitator, participant, admin, incident } = await restricted();
    expect((await createAction(participant, incident.id, null, actionFields(facilitator.id))).ownerId).toBe(facilitator.id);
    expect((await createAction(participant, incident.id, null, actionFields(admin.id))).ownerId).toBe(admin.id);
  });

  it("lets the facilitator and admins give an outsider an action, which lets them in", async () => {
    const { facilitator, outsider, admin, incident } = await restricted();
    await createAction(facilitator, incident.id, null, actionFields(outsider.id));
    expect((await getIncident(outsider, incident.id)).participantIds).toContain(outsider.id);
    const another = await createUser();
    await createAction(admin, incident.id, null, actionFields(another.id));
    expect((await getIncident(another, incident.id)).id).toBe(incident.id);
  });

  it("keeps today's behaviour for org-wide incidents: any contributor's owner takes part", async () => {
    const facilitator = await createUser();
    const participant = await createUser();
    const other = await createUser();
    const incident = await createIncident(facilitator);
    await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
    await createAction(participant, incident.id, null, actionFields(other.id));
    expect((await getIncident(other, incident.id)).participantIds).toContain(other.id);
  });

  it("answers the participant's form with the refusal on the owner field", async () => {
    const { participant, outsider, incident } = await restricted();
    const body = new URLSearchParams({ title: "Rotate the key", ownerId: String(outsider.id), priority: "P1", dueDate: "", descriptionMd: "", trackerUrl: "", whyId: "" });
    const request = new Request(`http://localhost/incidents/${incident.reference}/actions/new`, {
      method: "POST",
      headers: { cookie: await cookieFor(participant), "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    const result = (await newActionPage.action({ request, params: { ref: incident.reference }, context: {} } as never)) as unknown as {
      init: { status: number };
      data: { errors: Record<string, string[]> };
    };
    expect(result.init.status).toBe(403);
    expect(result.data.errors.ownerId).toEqual([REFUSAL]);
  });
});

describe("the owner picker", () => {
  async function offered(route: { loader: (args: never) => unknown }, user: { id: number }, url: string, params: Record<string, string>) {
    const request = new Request(`http://localhost${url}`, { headers: { cookie: await cookieFor(user) } });
    const data = (await route.loader({ request, params, context: {} } as never)) as { people: { name: string }[] };
    return data.people.map((p) => p.name).sort();
  }

  it("offers a participant only the people who can already see a restricted incident", async () => {
    const { participant, incident } = await restricted();
    expect(await offered(newActionPage, participant, `/incidents/${incident.reference}/actions/new`, { ref: incident.reference })).toEqual(["Avery", "Blake", "Drew"]);
  });

  it("offers the facilitator everyone, and everyone on an org-wide incident", async () => {
    const { facilitator, incident } = await restricted();
    expect(await offered(newActionPage, facilitator, `/incidents/${incident.reference}/actions/new`, { ref: incident.reference })).toEqual(["Avery", "Blake", "Casey", "Drew"]);
    const open = await createIncident(facilitator);
    expect(await offered(newActionPage, facilitator, `/incidents/${open.reference}/actions/new`, { ref: open.reference })).toEqual(["Avery", "Blake", "Casey", "Drew"]);
  });

  it("offers the owner of an action on a restricted incident the people who see it", async () => {
    const { facilitator, participant, incident } = await restricted();
    const action = await createAction(facilitator, incident.id, null, actionFields(participant.id));
    expect(await offered(actionPage, participant, `/actions/${action.id}`, { id: String(action.id) })).toEqual(["Avery", "Blake", "Drew"]);
  });
});

describe("taking someone off a restricted incident", () => {
  it("is refused while they own unfinished actions there, naming them", async () => {
    const { facilitator, participant, incident } = await restricted();
    const action = await createAction(facilitator, incident.id, null, actionFields(participant.id, { title: "Rotate the key" }));
    const refused = await caught(() => setPeople(facilitator, incident.id, facilitator.id, [])) as DomainError;
    expect(refused).toBeInstanceOf(StateConflict);
    expect(refused.field).toBe("participantIds");
    expect(refused.message).toContain("Blake");
    expect((await getIncident(participant, incident.id)).participantIds).toEqual([participant.id]);
    // Finished, or handed to someone else, the person can go.
    await changeActionStatus(facilitator, action.id, "done");
    await setPeople(facilitator, incident.id, facilitator.id, []);
    expect(await caught(() => getIncident(participant, incident.id))).toBeInstanceOf(NotFound);
  });

  it("is refused for a facilitator replaced while they own unfinished work, unless they stay a participant", async () => {
    const { facilitator, participant, incident } = await restricted();
    await createAction(facilitator, incident.id, null, actionFields(facilitator.id));
    expect(await caught(() => setPeople(facilitator, incident.id, participant.id, []))).toBeInstanceOf(StateConflict);
    await setPeople(facilitator, incident.id, participant.id, [facilitator.id]);
    expect((await getIncident(facilitator, incident.id)).facilitatorId).toBe(participant.id);
  });

  it("goes ahead for an org-wide incident, which they still see", async () => {
    const facilitator = await createUser();
    const participant = await createUser();
    const incident = await createIncident(facilitator);
    await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
    await createAction(facilitator, incident.id, null, actionFields(participant.id));
    await setPeople(facilitator, incident.id, facilitator.id, []);
    expect((await getIncident(participant, incident.id)).participantIds).toEqual([]);
  });

  it("is refused when restricting an incident would hide it from an owner of unfinished work", async () => {
    const facilitator = await createUser();
    const owner = await createUser({ name: "Emery" });
    const incident = await createIncident(facilitator);
    await createAction(facilitator, incident.id, null, actionFields(owner.id));
    await setPeople(facilitator, incident.id, facilitator.id, []);
    const current = await getIncident(facilitator, incident.id);
    const refused = await caught(() => updateIncident(facilitator, incident.id, current.version, incidentFields({ visibility: "restricted" }))) as DomainError;
    expect(refused).toBeInstanceOf(StateConflict);
    expect(refused.field).toBe("visibility");
    expect(refused.message).toContain("Emery");
    expect((await getIncident(owner, incident.id)).visibility).toBe("org");
    expect(fieldValues(await getIncident(facilitator, incident.id)).visibility).toBe("org");
  });
});
