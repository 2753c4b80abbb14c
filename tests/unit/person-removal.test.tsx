import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { changeActionStatus, createAction, getAction, listActions, listIncidentActions } from "~/models/action.server";
import { listEvents } from "~/models/history.server";
import { Invalid } from "~/models/errors";
import { getIncident, ownerChoices } from "~/models/incident.server";
import { removalOf, removePerson } from "~/models/person-removal.server";
import { feedTokenFor, userForFeedToken } from "~/models/publication.server";
import { ownerFilterPeople, signIn } from "~/models/user.server";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import * as csvRoute from "~/routes/actions.export[.]csv";
import * as peoplePage from "~/routes/admin.users";
import * as removePage from "~/routes/admin.users_.$id.remove";
import { caught, freshDatabase, sessionCookie } from "./helpers";
import { renderPage, type RouteModule } from "./render";

const textOf = (html: string) => html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

async function team() {
  const admin = await createUser({ name: "Avery Admin", role: "admin" });
  const ada = await createUser({ name: "Ada Lovelace", email: "ada@example.com", password: "correct horse battery" });
  const bo = await createUser({ name: "Bo Builder" });
  const open = await createIncident(admin, { title: "Org-wide outage" });
  const secret = await createIncident(admin, { title: "Restricted outage", visibility: "restricted" });
  const first = await createAction(admin, open.id, null, actionFields(ada.id, { title: "Add the retry test" }));
  const second = await createAction(admin, secret.id, null, actionFields(ada.id, { title: "Rotate the key" }));
  const finished = await createAction(admin, open.id, null, actionFields(ada.id, { title: "Write the runbook" }));
  await changeActionStatus(admin, finished.id, "done");
  return { admin, ada, bo, open, secret, first, second, finished };
}

const CONTEXT = { clientAddress: "127.0.0.1" } as never;

const INCIDENT_ROUTES = [
  { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
  { pattern: "", module: incidentPage as unknown as RouteModule, index: true },
];

describe("removing a person", () => {
  beforeEach(async () => {
    await freshDatabase();
  });

  it("hands their unfinished actions to someone, in each incident's history, and ends every way in", async () => {
    const { admin, ada, bo, secret, first, second, finished } = await team();
    const cookie = await sessionCookie(ada.id);
    const feed = await feedTokenFor(ada.id);
    expect((await removalOf(admin, ada.id)).openActions.map((a) => a.title).sort()).toEqual(["Add the retry test", "Rotate the key"]);

    expect(await removePerson(admin, ada.id, bo.id)).toEqual({ name: "Ada Lovelace", handedOver: 2, handedTo: "Bo Builder" });

    expect([(await getAction(admin, first.id)).action.ownerName, (await getAction(admin, second.id)).action.ownerName]).toEqual(["Bo Builder", "Bo Builder"]);
    // Finished work keeps naming who did it.
    expect((await getAction(admin, finished.id)).action.ownerName).toBe("Ada Lovelace (removed)");
    // Bo now takes part in the restricted incident, so he can see what he owes.
    expect((await getIncident(bo, secret.id))?.participantIds).toContain(bo.id);
    const history = (await listEvents(admin, secret.id)).map((e) => [e.summary, e.changes]);
    expect(history).toContainEqual(["Handed the action “Rotate the key” from Ada Lovelace to Bo Builder", { owner: ["Ada Lovelace", "Bo Builder"] }]);

    expect(await signIn("ada@example.com", "correct horse battery", { address: "10.0.0.1" })).toEqual({ ok: false, reason: "invalid" });
    const page = await peoplePage.loader({ request: new Request("http://localhost/admin/users", { headers: { cookie } }), params: {}, context: CONTEXT }).catch((e: unknown) => e);
    expect(page).toBeInstanceOf(Response);
    expect((page as Response).headers.get("Location")).toMatch(/^\/signin/);
    expect(await userForFeedToken(feed)).toBeUndefined();
  });

  it("without a handover, shows their open work as theirs, marked removed, and keeps them in the owner filter", async () => {
    const { admin, ada, open, first } = await team();
    await removePerson(admin, ada.id, null);

    expect((await listIncidentActions(open.id)).map((a) => a.ownerName)).toEqual(["Ada Lovelace (removed)", "Ada Lovelace (removed)"]);
    expect((await listActions(admin, { ownerId: ada.id, status: "unfinished" })).items.map((a) => [a.title, a.ownerName])).toEqual([
      ["Add the retry test", "Ada Lovelace (removed)"],
      ["Rotate the key", "Ada Lovelace (removed)"],
    ]);
    expect(await ownerFilterPeople()).toContainEqual({ id: ada.id, name: "Ada Lovelace (removed)" });
    // Editing the action keeps its owner as a choice, so a save does not hand it over unasked.
    expect(await ownerChoices(admin, (await getIncident(admin, open.id))!, first.ownerId)).toContainEqual({ id: ada.id, name: "Ada Lovelace (removed)", team: "Platform" });
    expect((await ownerChoices(admin, (await getIncident(admin, open.id))!)).map((p) => p.id)).not.toContain(ada.id);

    const csv = (await csvRoute.loader({
      request: new Request("http://localhost/actions/export.csv", { headers: { cookie: await sessionCookie(admin.id) } }),
      params: {},
      context: CONTEXT,
    })) as Response;
    expect(await csv.text()).toContain("Ada Lovelace (removed)");

    const page = textOf((await renderPage(admin.id, `/incidents/${open.reference}`, INCIDENT_ROUTES)).html);
    expect(page).toContain("Add the retry test");
    expect(page).toContain("Ada Lovelace (removed) · due");
  });

  it("is all or nothing: a handover to someone who cannot own actions leaves everything as it was", async () => {
    const { admin, ada, bo, first } = await team();
    await removePerson(admin, bo.id, null);
    const error = await caught(() => removePerson(admin, ada.id, bo.id));
    expect(error).toBeInstanceOf(Invalid);
    expect(error).toMatchObject({ message: "Choose an owner who has an account." });
    expect((await db().select({ removedAt: schema.users.removedAt }).from(schema.users).where(eq(schema.users.id, ada.id)).get())?.removedAt).toBeNull();
    expect((await getAction(admin, first.id)).action.ownerName).toBe("Ada Lovelace");
  });

  it("asks first on a page of its own that lists their open actions, then removes on the form's post", async () => {
    const { admin, ada, bo, first } = await team();
    const cookie = await sessionCookie(admin.id);
    const confirm = textOf((await renderPage(admin.id, `/admin/users/${ada.id}/remove`, [{ pattern: "/admin/users/:id/remove", module: removePage as unknown as RouteModule }])).html);
    expect(confirm).toContain("Remove Ada Lovelace?");
    expect(confirm).toContain("Their unfinished follow-up actions (2)");
    expect(confirm).toContain("Add the retry test");
    expect(confirm).toContain("Hand their unfinished actions to");
    // Seeing the page changes nothing.
    expect((await getAction(admin, first.id)).action.ownerName).toBe("Ada Lovelace");

    // The People page no longer removes anyone in one click.
    const oneClick = new Request("http://localhost/admin/users", { method: "POST", headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" }, body: `intent=remove&userId=${ada.id}` });
    const refused = await peoplePage.action({ request: oneClick, params: {}, context: CONTEXT }).catch((e: unknown) => e);
    expect((refused as Response).status).toBe(400);

    const post = new Request(`http://localhost/admin/users/${ada.id}/remove`, { method: "POST", headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" }, body: `handTo=${bo.id}` });
    const response = (await removePage.action({ request: post, params: { id: String(ada.id) }, context: CONTEXT })) as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/users");
    expect((await getAction(admin, first.id)).action.ownerName).toBe("Bo Builder");
  });

  it("refuses a handover to someone who cannot take it with a message next to the field, keeping the choice", async () => {
    const { admin, ada, bo } = await team();
    await removePerson(admin, bo.id, null);
    const cookie = await sessionCookie(admin.id);
    const post = new Request(`http://localhost/admin/users/${ada.id}/remove`, { method: "POST", headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" }, body: `handTo=${bo.id}` });
    const response = (await removePage.action({ request: post, params: { id: String(ada.id) }, context: CONTEXT })) as unknown as { init: ResponseInit; data: unknown };
    expect(response.init.status).toBe(400);
    expect(response.data).toMatchObject({ ok: false, errors: { handTo: ["Choose an owner who has an account."] }, values: { handTo: String(bo.id) } });
    expect((await removalOf(admin, ada.id)).person.name).toBe("Ada Lovelace");
  });
});

