// Removing a person: the admin is asked first, on a page that lists the person's unfinished
// actions and offers to hand them over (plain form posts, no JavaScript needed). Handed-over work
// changes owner in the incident's history; work left behind reads "(removed)" and can still be
// filtered for; the removed person is signed out at once.
import { expect, test } from "@playwright/test";
import { addMember, chooseOption, freshContext, pageFor, reportIncident, unique } from "./helpers";

test("removing a person asks first, hands over their open actions, and marks what is left as theirs (removed)", async ({ page, browser }) => {
  const leaving = await addMember(page, { name: `Ada ${unique("a")}`, team: "Payments" });
  const staying = await addMember(page, { name: `Bo ${unique("b")}`, team: "Payments" });
  const ref = await reportIncident(page, { title: `Checkout errors ${unique("t")}` });
  for (const title of ["Add the retry test", "Rotate the signing key"]) {
    await page.goto(`/incidents/${ref}/actions/new`);
    await page.getByLabel("Title", { exact: true }).fill(title);
    await chooseOption(page.getByLabel("Owner"), leaving.name);
    await page.getByRole("button", { name: "Add action" }).click();
    await expect(page.getByRole("status")).toContainText(`Action added for ${leaving.name}`);
  }
  const leavingPage = await pageFor(browser, leaving);

  const context = await freshContext(browser, { javaScriptEnabled: false, storageState: "tests/e2e/.auth/admin.json" });
  const admin = await context.newPage();
  await admin.goto("/admin/users");
  const row = admin.getByRole("row").filter({ hasText: leaving.email });
  await row.getByText(`Edit ${leaving.name}`).click();
  await row.getByRole("link", { name: `Remove ${leaving.name}…` }).click();

  // The confirmation lists their open work; nothing has changed yet.
  await expect(admin.getByRole("heading", { level: 1, name: `Remove ${leaving.name}?` })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "Their unfinished follow-up actions (2)" })).toBeVisible();
  await expect(admin.getByRole("link", { name: "Add the retry test" })).toBeVisible();
  await expect(admin.getByRole("link", { name: "Rotate the signing key" })).toBeVisible();
  await chooseOption(admin.getByLabel("Hand their unfinished actions to"), staying.name);
  await admin.getByRole("button", { name: `Remove ${leaving.name}` }).click();
  await expect(admin).toHaveURL(/\/admin\/users$/);
  await expect(admin.getByRole("status")).toHaveText(
    `Removed ${leaving.name}: they are signed out and can no longer sign in. 2 unfinished actions are now ${staying.name}'s.`,
  );
  await expect(admin.getByRole("row").filter({ hasText: leaving.email })).toHaveCount(0);

  // The handover is in the incident's history, named as an owner change.
  await admin.goto(`/incidents/${ref}/history`);
  await expect(admin.getByText(`Handed the action “Add the retry test” from ${leaving.name} to ${staying.name}`)).toBeVisible();

  // They are signed out at once.
  await leavingPage.goto("/actions");
  await expect(leavingPage).toHaveURL(/\/signin/);
  await leavingPage.context().close();
  await context.close();
});

test("work left with a removed person reads \"(removed)\" and stays in the owner filter", async ({ page }) => {
  const leaving = await addMember(page, { name: `Cy ${unique("c")}` });
  const ref = await reportIncident(page, { title: `Queue backlog ${unique("t")}` });
  await page.goto(`/incidents/${ref}/actions/new`);
  await page.getByLabel("Title", { exact: true }).fill("Alert on queue age");
  await chooseOption(page.getByLabel("Owner"), leaving.name);
  await page.getByRole("button", { name: "Add action" }).click();

  await page.goto("/admin/users");
  const row = page.getByRole("row").filter({ hasText: leaving.email });
  await row.getByText(`Edit ${leaving.name}`).click();
  await row.getByRole("link", { name: `Remove ${leaving.name}…` }).click();
  await expect(page.getByLabel("Hand their unfinished actions to")).toHaveValue("");
  await page.getByRole("button", { name: `Remove ${leaving.name}` }).click();
  await expect(page.getByRole("status")).toHaveText(`Removed ${leaving.name}: they are signed out and can no longer sign in.`);

  await page.goto(`/incidents/${ref}`);
  await expect(page.getByRole("main")).toContainText(`${leaving.name} (removed) · due`);

  await page.goto("/actions/all");
  await page.getByLabel("Owner").selectOption({ label: `${leaving.name} (removed)` });
  await page.getByRole("button", { name: "Filter" }).click();
  const rows = page.getByRole("table", { name: "Actions" }).getByRole("row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("Alert on queue age");
  await expect(rows.nth(1)).toContainText(`${leaving.name} (removed)`);
});
