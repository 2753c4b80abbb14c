import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { serveApi } from "~/lib/api.server";
import { API, openApiDocument } from "~/lib/api/openapi.server";
import { db, execute } from "~/lib/db.server";
import { completionFigures, createAction } from "~/models/action.server";
import { createApiToken, holderOfToken, listOwnTokens } from "~/models/api-token.server";
import { EXPORT_ROWS } from "~/models/export.server";
import { insightsFor } from "~/models/insights.server";
import { isSubscribed } from "~/models/subscription.server";
import { getProfile, type User } from "~/models/user.server";
import * as csvRoute from "~/routes/actions.export[.]csv";
import * as markdownRoute from "~/routes/incidents.$ref.export[.]md";
import { API_ORIGIN, apiClient } from "./api-client";
import { freshDatabase, sessionCookie } from "./helpers";

// The person's own account through the API: details, email choices, tokens, Insights, the
// actions' summary and overdue views, and the CSV and Markdown downloads, each held to what the
// browser shows and stores.

beforeEach(async () => {
  await freshDatabase();
});

async function tokenFor(user: User, scope: "read" | "write" = "write", name = `${scope} token`) {
  return (await createApiToken(user, { name, scope, expiresInDays: null })).token;
}

/** What a browser's download of `url` answers, signed in as `userId`. */
async function browserDownload(route: { loader: (args: never) => unknown }, userId: number, url: string, params: Record<string, string> = {}): Promise<Response> {
  const cookie = await sessionCookie(userId);
  try {
    return (await route.loader({ request: new Request(url, { headers: { cookie } }), params, context: {} } as never)) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("one's own details", () => {
  it("change the fields sent and keep the others, as the profile's form saves them", async () => {
    const ada = await createUser({ name: "Ada", team: "Web" });
    const api = apiClient(await tokenFor(ada));
    const renamed = await api("PATCH", "/me", {}, { body: { name: "  Ada Lovelace\n" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: ada.id, name: "Ada Lovelace", team: "Web", token: { scope: "write" } });
    expect(await getProfile(ada)).toMatchObject({ name: "Ada Lovelace", team: "Web", email: ada.email, role: "member" });
    expect((await api("PATCH", "/me", {}, { body: { team: "" } })).body).toMatchObject({ name: "Ada Lovelace", team: "" });
    expect((await api("GET", "/me")).body).toMatchObject({ name: "Ada Lovelace", team: "" });
  });

  it("are refused with the form's messages, and never reach the email address or role", async () => {
    const ada = await createUser({ name: "Ada", team: "Web" });
    const api = apiClient(await tokenFor(ada));
    const empty = await api("PATCH", "/me", {}, { body: { name: " " } });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ pointer: "#/name", detail: "Enter your name." }]);
    const long = await api("PATCH", "/me", {}, { body: { team: "x".repeat(500) } });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].pointer).toBe("#/team");
    const sneaky = await api("PATCH", "/me", {}, { body: { email: "boss@example.com", role: "admin" } });
    expect(sneaky.status).toBe(200);
    expect(await getProfile(ada)).toMatchObject({ name: "Ada", team: "Web", email: ada.email, role: "member" });
  });

  it("are not changed with a read token", async () => {
    const ada = await createUser({ name: "Ada" });
    const refused = await apiClient(await tokenFor(ada, "read"))("PATCH", "/me", {}, { body: { name: "Someone else" } });
    expect(refused.status).toBe(403);
    expect((await getProfile(ada)).name).toBe("Ada");
  });
});

describe("one's own email choices", () => {
  it("are read and changed in part, as the profile's buttons change them", async () => {
    const ada = await createUser();
    const bob = await createUser();
    const api = apiClient(await tokenFor(ada));
    expect((await api("GET", "/me/preferences")).body).toEqual({
      reminderEmails: true,
      digest: false,
      notifications: { roles: true, assigned: true, lifecycle: true, reassigned: true },
    });
    const changed = await api("PATCH", "/me/preferences", {}, { body: { digest: true, reminderEmails: false, notifications: { assigned: false } } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ reminderEmails: false, digest: true, notifications: { roles: true, assigned: false, lifecycle: true, reassigned: true } });
    expect(await isSubscribed(ada)).toBe(true);
    expect(await getProfile(ada)).toMatchObject({ reminderEmails: false, notifications: { assigned: false, roles: true } });
    // Someone else's stay as they were.
    expect(await isSubscribed(bob)).toBe(false);
    expect(await getProfile(bob)).toMatchObject({ reminderEmails: true, notifications: { assigned: true } });
    const back = await api("PATCH", "/me/preferences", {}, { body: { digest: false } });
    expect(back.body).toMatchObject({ digest: false, reminderEmails: false });
    expect(await isSubscribed(ada)).toBe(false);
  });

  it("refuse what is not a choice and change nothing", async () => {
    const ada = await createUser();
    const api = apiClient(await tokenFor(ada));
    const refused = await api("PATCH", "/me/preferences", {}, { body: { digest: true, notifications: { roles: "no" } } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["#/notifications/roles"]);
    expect(await isSubscribed(ada)).toBe(false);
    expect((await apiClient(await tokenFor(ada, "read"))("PATCH", "/me/preferences", {}, { body: { digest: true } })).status).toBe(403);
    expect(await isSubscribed(ada)).toBe(false);
  });
});

describe("one's own API tokens", () => {
  it("are listed without their secrets, marking the one in use", async () => {
    const ada = await createUser();
    const bob = await createUser();
    await tokenFor(bob, "write", "bob's pipeline");
    const older = await tokenFor(ada, "read", "dashboard");
    const token = await tokenFor(ada, "write", "deploy pipeline");
    const listed = await apiClient(await tokenFor(ada, "read", "auditor"))("GET", "/me/tokens");
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t: { name: string; current: boolean; state: string }) => [t.name, t.current, t.state])).toEqual([
      ["auditor", true, "working"],
      ["deploy pipeline", false, "working"],
      ["dashboard", false, "working"],
    ]);
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain(older);
    expect(listed.text).not.toContain("bob's pipeline");
  });

  it("are revoked one at a time by their owner alone, and the one in use may revoke itself", async () => {
    const admin = await createUser({ role: "admin" });
    const ada = await createUser();
    const adaScript = await tokenFor(ada, "write", "old script");
    const [adaRow] = await listOwnTokens(ada);
    // An administrator revokes other people's tokens on the admin page, not as their own.
    const adminApi = apiClient(await tokenFor(admin));
    expect((await adminApi("DELETE", "/me/tokens/{tokenId}", { tokenId: adaRow.id })).status).toBe(404);
    expect(await holderOfToken(adaScript)).toBeDefined();
    expect((await apiClient(await tokenFor(ada, "read"))("DELETE", "/me/tokens/{tokenId}", { tokenId: adaRow.id })).status).toBe(403);
    expect(await holderOfToken(adaScript)).toBeDefined();

    const api = apiClient(await tokenFor(ada, "write", "cleaner"));
    const revoked = await api("DELETE", "/me/tokens/{tokenId}", { tokenId: adaRow.id });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: adaRow.id, name: "old script", state: "revoked", current: false });
    expect(await holderOfToken(adaScript)).toBeUndefined();
    expect((await api("DELETE", "/me/tokens/{tokenId}", { tokenId: adaRow.id })).body.revokedAt).toBe(revoked.body.revokedAt);

    const own = (await listOwnTokens(ada)).find((t) => t.name === "cleaner")!;
    const itself = await api("DELETE", "/me/tokens/{tokenId}", { tokenId: own.id });
    expect(itself.body).toMatchObject({ state: "revoked", current: true });
    expect((await api("GET", "/me")).status).toBe(401);
  });

  it("are never made through the API", () => {
    const doc = openApiDocument(API_ORIGIN) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/me/tokens"])).toEqual(["get"]);
    // Nor passwords, sign-in sessions (/me/…; a live session of an incident is another thing) or feed links.
    expect(Object.keys(doc.paths).filter((path) => /password|^\/me\/sessions|feed/i.test(path))).toEqual([]);
  });
});

describe("Insights", () => {
  it("are the page's figures, with its filters, of what the token's owner may see", async () => {
    const admin = await createUser({ role: "admin", team: "Ops" });
    const ada = await createUser({ team: "Web" });
    await createIncident(admin, { title: "Checkout down", startedAt: "2026-03-02T10:00:00.000Z", services: ["checkout"], facilitatorId: ada.id });
    await createIncident(admin, { title: "Search slow", startedAt: "2026-04-02T10:00:00.000Z", services: ["search"], severity: "SEV1" });
    await createIncident(admin, { title: "Secret leak", startedAt: "2026-04-03T10:00:00.000Z", visibility: "restricted" });
    const api = apiClient(await tokenFor(ada, "read"));
    const query = { from: "2026-01-01", to: "2026-06-30" };

    const all = await api("GET", "/insights", {}, { query });
    expect(all.status).toBe(200);
    const page = await insightsFor(ada, query);
    expect(all.body).toMatchObject({ period: page.period, incidentCount: 2, severityByMonth: page.severityByMonth, actions: page.actions, filters: { team: null, service: null } });
    expect((await insightsFor(admin, query)).incidentCount).toBe(3);

    const web = await api("GET", "/insights", {}, { query: { ...query, team: "Web", service: "checkout" } });
    expect(web.body).toMatchObject({ incidentCount: 1, filters: { team: "Web", service: "checkout" } });
    const swapped = await api("GET", "/insights", {}, { query: { from: query.to, to: query.from } });
    expect(swapped.body.notices).toEqual(["The start date was after the end date, so the two were swapped."]);
    expect(swapped.body.period).toEqual(page.period);
  });

  it("refuse filters they cannot read, where the page leaves them out", async () => {
    const ada = await createUser();
    const api = apiClient(await tokenFor(ada, "read"));
    const refused = await api("GET", "/insights", {}, { query: { from: "2026-02-31", team: "x".repeat(61) } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(["#/from", "#/team"]);
    expect(refused.body.errors.find((e: { pointer: string }) => e.pointer === "#/from").detail).toBe("Write a date as 2026-01-31.");
  });
});

describe("the actions' summary and overdue views", () => {
  async function arrange() {
    const ada = await createUser({ name: "Ada Web", team: "Web" });
    const sam = await createUser({ name: "Sam Data", team: "Data" });
    const admin = await createUser({ name: "Admin", role: "admin", team: "Ops" });
    const incident = await createIncident(ada);
    const hidden = await createIncident(admin, { visibility: "restricted" });
    await createAction(ada, incident.id, null, actionFields(ada.id, { title: "Fix the web retry", dueDate: "2020-01-01" }));
    for (const day of ["01", "02", "03", "04"]) await createAction(ada, incident.id, null, actionFields(sam.id, { title: `Fix import ${day}`, dueDate: `2020-02-${day}` }));
    await createAction(ada, incident.id, null, actionFields(sam.id, { title: "Not due yet", dueDate: "2999-01-01" }));
    await createAction(admin, hidden.id, null, actionFields(admin.id, { title: "Rotate the leaked key", dueDate: "2020-01-01" }));
    return { ada, sam, admin };
  }

  it("give the summary page's figures by team", async () => {
    const { sam, admin } = await arrange();
    const summary = await apiClient(await tokenFor(sam, "read"))("GET", "/actions/summary");
    expect(summary.status).toBe(200);
    expect(summary.body.teams).toEqual(JSON.parse(JSON.stringify(await completionFigures(sam))));
    expect(summary.body.teams[0]).toMatchObject({ team: "All teams", total: 6, overdue: 5, open: 6 });
    // The restricted incident's action counts for whoever may see it.
    expect((await apiClient(await tokenFor(admin, "read"))("GET", "/actions/summary")).body.teams[0]).toMatchObject({ total: 7, overdue: 6 });
  });

  it("give the Overdue page's teams, people and oldest actions, the owner's team first, with links to the whole lists", async () => {
    const { sam } = await arrange();
    const overdue = await apiClient(await tokenFor(sam, "read"))("GET", "/actions/overdue");
    expect(overdue.status).toBe(200);
    expect(overdue.body.total).toBe(5);
    expect(overdue.body.teams.map((t: { team: string; count: number; people: number }) => [t.team, t.count, t.people])).toEqual([
      ["Data", 4, 1],
      ["Web", 1, 1],
    ]);
    const [data] = overdue.body.teams;
    expect(data.owners[0]).toMatchObject({ id: sam.id, name: "Sam Data", count: 4 });
    expect(data.owners[0].oldest.map((a: { title: string }) => a.title)).toEqual(["Fix import 01", "Fix import 02", "Fix import 03"]);
    expect(overdue.text).not.toContain("Rotate the leaked key");
    // The whole list is the action list's overdue filter.
    const rest = new URL(data.owners[0].links.actions);
    const listed = await apiClient(await tokenFor(sam, "read", "lister"))("GET", "/actions", {}, { query: Object.fromEntries(rest.searchParams) });
    expect(listed.body.items.map((a: { title: string }) => a.title).sort()).toEqual(["Fix import 01", "Fix import 02", "Fix import 03", "Fix import 04"]);
  });

  it("are their own paths, not actions named summary or overdue", async () => {
    const ada = await createUser();
    const token = await tokenFor(ada, "read");
    const wrong = await serveApi(API, new Request(`${API_ORIGIN}/api/v1/actions/summary`, { method: "PATCH", headers: { Authorization: `Bearer ${token}` } }), "10.0.0.9", API_ORIGIN);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("Allow")).toBe("GET");
    expect((await apiClient(token)("GET", "/actions/{actionId}", { actionId: 4242 })).status).toBe(404);
  });
});

describe("the downloads", () => {
  it("answer the actions CSV the page downloads, with its filters, as text/csv", async () => {
    const ada = await createUser({ name: "Ada", team: "Web" });
    const incident = await createIncident(ada);
    await createAction(ada, incident.id, null, actionFields(ada.id, { title: "=HYPERLINK(\"evil\")", dueDate: "2020-01-01" }));
    await createAction(ada, incident.id, null, actionFields(ada.id, { title: "Later", dueDate: "2999-01-01" }));
    const csv = await apiClient(await tokenFor(ada, "read"))("GET", "/actions/export", {}, { query: { overdue: "true" } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("Content-Disposition")).toMatch(/^attachment; filename="hindsight-actions-\d{4}-\d{2}-\d{2}\.csv"/);
    const page = await browserDownload(csvRoute, ada.id, "http://localhost/actions/export.csv?overdue=on");
    expect(csv.text).toBe(await page.text());
    expect(csv.text.split("\n")[0]).toBe("id,title,status,overdue,priority,due,owner,team,incident,incident_title,severity,remediates,completed_at,wont_do_reason,tracker_url,link");
    expect(csv.text).toContain(`'=HYPERLINK`);
    expect(csv.text).not.toContain("Later");
  });

  it(`refuse more than ${EXPORT_ROWS.toLocaleString("en")} actions, as the page does`, async () => {
    const ada = await createUser();
    const incident = await createIncident(ada);
    // Past the per-incident limit on purpose: only the download's own limit is at stake here.
    await execute(
      db(),
      sql`with recursive n(i) as (select 1 union all select i + 1 from n where i <= ${EXPORT_ROWS})
        insert into actions (incident_id, title, owner_id, due_date, priority, created_by_id) select ${incident.id}, 'Row ' || i, ${ada.id}, '2030-01-01', 'P3', ${ada.id} from n`,
    );
    const refused = await apiClient(await tokenFor(ada, "read"))("GET", "/actions/export");
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toBe("More than 10,000 actions match. Narrow the filters (status, team, incident, severity) and download again.");
    expect(await (await browserDownload(csvRoute, ada.id, "http://localhost/actions/export.csv")).text()).toBe(refused.body.detail);
    expect((await apiClient(await tokenFor(ada, "read", "narrower"))("GET", "/actions/export", {}, { query: { status: "done" } })).status).toBe(200);
  });

  it("answer an incident's Markdown as the page does, to those who may see it", async () => {
    const admin = await createUser({ role: "admin" });
    const facilitator = await createUser();
    const outsider = await createUser();
    const incident = await createIncident(admin, { title: "Credential leak", visibility: "restricted", facilitatorId: facilitator.id });
    const markdown = await apiClient(await tokenFor(facilitator, "read"))("GET", "/incidents/{ref}/export", { ref: incident.reference });
    expect(markdown.status).toBe(200);
    expect(markdown.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    const page = await browserDownload(markdownRoute, facilitator.id, `http://localhost/incidents/${incident.reference}.md`, { ref: incident.reference });
    expect(markdown.text).toBe(await page.text());
    expect(markdown.headers.get("Content-Disposition")).toBe(page.headers.get("Content-Disposition"));
    expect(markdown.text).toContain(`# ${incident.reference}: Credential leak`);
    const hidden = await apiClient(await tokenFor(outsider, "read"))("GET", "/incidents/{ref}/export", { ref: incident.reference });
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain("Credential leak");
  });

  it("declare their media types in the OpenAPI document", () => {
    const doc = openApiDocument(API_ORIGIN) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    expect(Object.keys(doc.paths["/actions/export"].get.responses["200"].content!)).toEqual(["text/csv"]);
    expect(Object.keys(doc.paths["/incidents/{ref}/export"].get.responses["200"].content!)).toEqual(["text/markdown"]);
    expect(Object.keys(doc.paths["/actions/export"].get.responses["422"].content!)).toEqual(["application/problem+json"]);
  });
});
