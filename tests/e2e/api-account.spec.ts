// One's own account through the API, over real HTTP against the production server: what a token
// changes is what the profile page then shows, what the page changes the token reads, and the
// downloads are the page's own files.
import { expect, test } from "@playwright/test";
import { client, makeToken } from "./api-client";
import { addMember, pageFor, unique } from "./helpers";

// Long ago: the other specs look for their own incidents on the first page of the list, newest first.
const startedAt = "2019-06-03T09:00:00.000Z";

test("a token changes its owner's details and email choices as the profile does, and revokes itself", async ({ page, browser }) => {
  const member = await addMember(page);
  const memberPage = await pageFor(browser, member);
  const api = client(await makeToken(memberPage, "profile script", "Read and change"));

  const name = unique("Renamed");
  const changed = await api("PATCH", "/me", {}, { body: { name, team: "Reliability" } });
  expect(changed.status).toBe(200);
  expect((await api("PATCH", "/me/preferences", {}, { body: { digest: true, notifications: { lifecycle: false } } })).body).toMatchObject({
    digest: true,
    notifications: { lifecycle: false, roles: true },
  });

  await memberPage.goto("/account");
  await expect(memberPage.getByLabel("Name")).toHaveValue(name);
  await expect(memberPage.getByLabel("Team")).toHaveValue("Reliability");
  await expect(memberPage.getByRole("button", { name: "Stop the digest" })).toBeVisible();
  await expect(memberPage.getByRole("checkbox", { name: "An incident you take part in is sent for review or published" })).not.toBeChecked();

  // The page's changes are what the token reads. (The digest is stopped again: other specs count its subscribers.)
  await memberPage.getByRole("button", { name: "Stop reminder emails" }).click();
  await expect(memberPage.getByRole("status").filter({ hasText: "no reminder emails" })).toBeVisible();
  expect((await api("GET", "/me/preferences")).body).toMatchObject({ reminderEmails: false, digest: true });
  await memberPage.getByRole("button", { name: "Stop the digest" }).click();
  await expect(memberPage.getByRole("button", { name: "Get the digest by email" })).toBeVisible();
  expect((await api("GET", "/me/preferences")).body).toMatchObject({ reminderEmails: false, digest: false });

  // A password and the browser's sessions stay on the page: the API offers no way to them.
  const tokens = await api("GET", "/me/tokens");
  const own = tokens.body.items.find((t: { current: boolean }) => t.current);
  expect(own).toMatchObject({ name: "profile script", scope: "write", state: "working" });
  expect((await api("DELETE", "/me/tokens/{tokenId}", { tokenId: own.id })).body).toMatchObject({ state: "revoked" });
  expect((await api("GET", "/me")).status).toBe(401);
  await memberPage.goto("/account/tokens");
  await expect(memberPage.getByRole("row").filter({ hasText: "profile script" })).toContainText("Revoked");
  await memberPage.context().close();
});

test("the CSV and Markdown downloads answer through the API as the pages give them", async ({ page }) => {
  const api = client(await makeToken(page, unique("exporter"), "Read and change"));
  const me = (await api("GET", "/me")).body;
  const word = unique("wombat").replace(/-/g, "");
  const reported = await api("POST", "/incidents", {}, { body: { title: `Export ${word}`, severity: "SEV3", startedAt, visibility: "org", facilitatorId: me.id } });
  expect(reported.status).toBe(201);
  const ref = reported.body.reference as string;
  const action = await api("POST", "/incidents/{ref}/actions", { ref }, { body: { title: `Document ${word}`, ownerId: me.id, priority: "P2", dueDate: "2019-07-01" } });
  expect(action.status).toBe(201);

  const markdown = await api("GET", "/incidents/{ref}/export", { ref });
  expect(markdown.headers["content-type"]).toBe("text/markdown; charset=utf-8");
  const pageMarkdown = await page.request.get(`/incidents/${ref}.md`);
  expect(markdown.text).toBe(await pageMarkdown.text());
  expect(markdown.text).toContain(`Document ${word}`);

  const csv = await api("GET", "/actions/export", {}, { query: { incident: ref } });
  expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
  const pageCsv = await page.request.get(`/actions/export.csv?incident=${ref}`);
  expect(csv.text).toBe(await pageCsv.text());
  expect(csv.text.trim().split("\n")).toHaveLength(2);

  // Due long ago: overdue, and counted on the Overdue view.
  expect((await api("GET", "/actions", {}, { query: { incident: ref, overdue: "true" } })).body.items).toHaveLength(1);
  expect((await api("GET", "/actions/overdue")).body.total).toBeGreaterThan(0);
});
