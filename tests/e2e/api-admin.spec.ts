// Administration through the JSON API, over real HTTP against the production server, with tokens
// made in the browser: what an admin's script changes is what the People page then shows, and a
// member's token is refused. Every answer is held to the served OpenAPI document.
import { expect, test } from "@playwright/test";
import { client, makeToken } from "./api-client";
import { addMember, pageFor, unique } from "./helpers";

test("an admin's script adds and changes a person as the People page would; a member's token is refused", async ({ page, browser }) => {
  const api = client(await makeToken(page, unique("people sync"), "Read and change"));
  const id = unique("hire");
  const email = `${id}@example.com`;

  const bad = await api("POST", "/admin/people", {}, { body: { name: "New Hire", email: "not-an-address", role: "member" } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ pointer: "#/email", detail: "Enter an email address like name@company.com." }]);

  const added = await api("POST", "/admin/people", {}, { body: { name: `Hire ${id}`, email, team: "Payments", role: "member" } });
  expect(added.status).toBe(201);
  expect(added.body.invitation).toEqual({ via: "password-link", emailedTo: email });
  expect(JSON.stringify(added.body)).not.toContain("/set-password/");
  const changed = await api("PATCH", "/admin/people/{userId}", { userId: added.body.person.id }, { body: { team: "Checkout" } });
  expect(changed.body).toMatchObject({ name: `Hire ${id}`, team: "Checkout", role: "member" });

  await page.goto("/admin/users");
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText(`Hire ${id}`);
  await expect(row).toContainText("Checkout");
  await expect(row).toContainText("Has not set a password yet");

  // What the page changes, the API reads.
  await row.getByText(`Edit Hire ${id}`).click();
  await row.getByLabel("Role").selectOption({ label: "Admin" });
  await row.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved Hire ${id}.` })).toBeVisible();
  expect((await api("GET", "/admin/people/{userId}", { userId: added.body.person.id })).body.role).toBe("admin");

  const member = await addMember(page);
  const memberPage = await pageFor(browser, member);
  const memberApi = client(await makeToken(memberPage, "curious script", "Read and change"));
  const refused = await memberApi("GET", "/admin/people");
  expect(refused.status).toBe(403);
  expect((await memberApi("POST", "/admin/people", {}, { body: { name: "Sneaky", email: `${unique("x")}@example.com`, role: "admin" } })).status).toBe(403);
  await memberPage.context().close();
});
