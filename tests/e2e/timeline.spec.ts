// The timeline (scenario 11): entries are shown in time order whatever order they were added
// in; one can be edited and one removed.
import { expect, test, type Page } from "@playwright/test";
import { reportIncident, unique } from "./helpers";

function timeline(page: Page) {
  return page.getByRole("region", { name: "Timeline" });
}

function entries(page: Page) {
  return timeline(page).locator('li[id^="entry-"]');
}

async function addEntry(page: Page, at: string, body: string) {
  const details = timeline(page).locator("details").filter({ has: page.locator("summary", { hasText: "Add a timeline entry" }) });
  await details.locator("summary").click();
  await details.getByLabel("Time (UTC)").fill(at);
  await details.getByLabel("What happened").fill(body);
  await details.getByRole("button", { name: "Add entry" }).click();
  await expect(entries(page).filter({ hasText: body })).toBeVisible();
}

test("timeline entries added out of order are shown in time order; edit one, remove one", async ({ page }) => {
  await reportIncident(page, { title: `Login outage ${unique("t")}`, startedAt: "2026-06-02T14:00" });
  await expect(timeline(page)).toContainText("No timeline entries yet.");

  await addEntry(page, "2026-06-02T14:30", "On-call **paged**");
  await addEntry(page, "2026-06-02T14:05", "Error rate alert fired");
  await expect(entries(page)).toHaveText([/^2 Jun 2026, 14:05 UTC\s*Error rate alert fired/, /^2 Jun 2026, 14:30 UTC\s*On-call paged/]);
  // Markdown is rendered.
  await expect(entries(page).nth(1).locator("strong")).toHaveText("paged");

  // Edit the 14:30 entry: new text, and a time that moves it first.
  const paged = entries(page).filter({ hasText: "On-call paged" });
  const edit = paged.locator("details").filter({ has: page.locator("summary", { hasText: /^Edit$/ }) });
  await edit.locator("summary").click();
  await expect(edit.getByLabel("Time (UTC)")).toHaveValue("2026-06-02T14:30");
  await expect(edit.getByLabel("What happened")).toHaveValue("On-call **paged**");
  await edit.getByLabel("Time (UTC)").fill("2026-06-02T14:01");
  await edit.getByLabel("What happened").fill("Customer support reported failed logins");
  await edit.getByRole("button", { name: "Save entry" }).click();
  await expect(entries(page)).toHaveText([
    /^2 Jun 2026, 14:01 UTC\s*Customer support reported failed logins/,
    /^2 Jun 2026, 14:05 UTC\s*Error rate alert fired/,
  ]);

  // Remove the alert entry.
  const alert = entries(page).filter({ hasText: "Error rate alert fired" });
  await alert.locator("summary", { hasText: "Remove" }).click();
  await expect(alert).toContainText("Remove this entry from the timeline?");
  await alert.getByRole("button", { name: "Remove entry" }).click();
  await expect(page.getByRole("status")).toHaveText("Timeline entry removed.");
  await expect(entries(page)).toHaveText([/^2 Jun 2026, 14:01 UTC\s*Customer support reported failed logins/]);

  // Stored so: the same after a reload.
  await page.reload();
  await expect(entries(page)).toHaveCount(1);
  await expect(entries(page).first()).toContainText("Customer support reported failed logins");
});
