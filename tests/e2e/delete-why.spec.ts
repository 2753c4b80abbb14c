// Deleting a why with deeper whys (scenario 10): the count is shown before, and all go.
import { expect, test } from "@playwright/test";
import { addChain, openWhyTool, reportIncident, unique, whyCard, whySection } from "./helpers";

test("deleting a why that has deeper whys says how many and deletes them all", async ({ page }) => {
  await reportIncident(page, { title: `Stale cache served old prices ${unique("t")}`, startedAt: "2026-03-03T12:00" });
  await addChain(page, [
    { question: "Why were prices stale?", answer: "The CDN served cached pages", remediation: "Purge the CDN" },
    { question: "Why were pages cached?", answer: "Cache headers said one day", remediation: "Shorten the TTL" },
    { question: "Why one day?", answer: "A template default", remediation: "Change the default" },
    { question: "Why that default?", answer: "Copied from the blog setup", remediation: "Review defaults" },
  ]);
  await expect(whySection(page).locator(".why__level")).toHaveText(["Level 1", "Level 2", "Level 3", "Level 4"]);

  // A leaf asks a plain confirmation.
  const leaf = await openWhyTool(page, "Copied from the blog setup", "Delete");
  await expect(leaf).toContainText("Delete this why and its remediation?");
  await expect(leaf.getByRole("button", { name: "Delete this why" })).toBeVisible();

  // Level 2 has two deeper whys.
  const del = await openWhyTool(page, "Cache headers said one day", "Delete");
  await expect(del).toContainText("This why has 2 deeper whys below it. Deleting it deletes all 2 too.");
  await del.getByRole("button", { name: "Delete 3 whys" }).click();

  await expect(page.getByRole("status")).toHaveText("3 whys deleted.");
  await expect(whySection(page).locator(".why__level")).toHaveText(["Level 1"]);
  for (const gone of ["Cache headers said one day", "A template default", "Copied from the blog setup"]) {
    await expect(whyCard(page, gone)).toHaveCount(0);
  }
  await expect(whyCard(page, "The CDN served cached pages")).toBeVisible();
  await page.reload();
  await expect(whySection(page).locator(".why__answer")).toHaveText(["BecauseThe CDN served cached pages"]);
});
