// Cause categories as a managed list: an admin adds, renames and merges them, and the why form
// offers what the list holds.
import { expect, test, type Page } from "@playwright/test";
import { addFirstWhy, escapeRegExp, moveTo, openWhyTool, reportIncident, unique, whyCard } from "./helpers";

/** The table row of the category named `label` (other rows mention it among their merge targets). */
function categoryRow(page: Page, label: string) {
  return page.getByRole("row").filter({ has: page.locator("td:first-child strong", { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
}

test("an admin adds, renames and merges cause categories; whys follow", async ({ page }) => {
  const name = `Feature flags ${unique("c")}`;
  await page.goto("/admin/categories");
  await expect(page.getByRole("heading", { level: 1, name: "Cause categories" })).toBeVisible();

  // Bad input comes back next to the field with what was typed.
  const add = page.getByRole("region", { name: "Add a category" });
  await add.getByLabel("Name").fill("Capacity");
  await add.getByRole("button", { name: "Add category" }).click();
  await expect(add.getByText("There is already a category called “Capacity”.")).toBeVisible();
  await expect(add.getByLabel("Name")).toHaveValue("Capacity");

  await add.getByLabel("Name").fill(name);
  await add.getByRole("button", { name: "Add category" }).click();
  await expect(page.getByRole("status")).toHaveText(`Added “${name}”.`);
  await expect(categoryRow(page, name).getByRole("cell").nth(1)).toHaveText("0");

  // File a why under it.
  await reportIncident(page, { title: `Flag flipped globally ${unique("t")}`, severity: "SEV3" });
  await moveTo(page, "Start the analysis", "Analysis");
  await addFirstWhy(page, { question: "Why did checkout break?", answer: "A flag meant for one region was global.", remediation: "Scope flags per region." });
  const edit = await openWhyTool(page, "A flag meant for one region was global.", "Edit");
  await edit.getByLabel("Cause category").selectOption({ label: name });
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(whyCard(page, "A flag meant for one region was global.")).toContainText(`Cause: ${name}`);
  const incident = page.url();

  // Rename it: the why shows the new name.
  await page.goto("/admin/categories");
  const row = categoryRow(page, name);
  await expect(row.getByRole("cell").nth(1)).toHaveText("1");
  await row.getByLabel(`New name for ${name}`).fill(`${name} and config`);
  await row.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("status")).toHaveText(`Renamed to “${name} and config”.`);
  await page.goto(incident);
  await expect(whyCard(page, "A flag meant for one region was global.")).toContainText(`Cause: ${name} and config`);

  // Merge it into Configuration: the why moves, the old category leaves the list.
  await page.goto("/admin/categories");
  const renamed = categoryRow(page, `${name} and config`);
  await renamed.getByLabel(`Merge ${name} and config into`).selectOption({ label: "Configuration" });
  await renamed.getByRole("button", { name: "Merge" }).click();
  await expect(page.getByRole("status")).toHaveText("Merged: 1 why moved.");
  await expect(categoryRow(page, `${name} and config`)).toHaveCount(0);
  await page.goto(incident);
  await expect(whyCard(page, "A flag meant for one region was global.")).toContainText("Cause: Configuration");
  await page.getByRole("navigation", { name: "Incident" }).getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("region", { name: "History" })).toContainText(`Cause category “${name} and config” merged into “Configuration”`);
});
