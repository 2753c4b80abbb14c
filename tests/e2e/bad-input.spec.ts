// Bad input (scenario 6): the report form comes back with the errors next to the fields and
// everything else still typed.
import { expect, test } from "@playwright/test";
import { fillIncidentForm, unique } from "./helpers";

test("report form: empty title and resolved before started are explained beside the fields, the rest is kept", async ({ page }) => {
  await page.goto("/incidents/new");
  const impact = `Search was slow for ${unique("users")}.`;
  await fillIncidentForm(page, {
    title: "",
    severity: "SEV2",
    startedAt: "2026-10-06T14:02",
    detectedAt: "2026-10-06T14:05",
    resolvedAt: "2026-10-06T13:00",
    services: "search, api",
    impact,
    summary: "Index rebuild *blocked* queries.",
    visibility: "restricted",
  });
  const title = page.getByLabel("Title", { exact: true });

  // The browser itself asks for the title first (the field is required)...
  await page.getByRole("button", { name: "Report incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/new$/);
  expect(await title.evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);

  // ...and the server checks it too, for any client that skips the browser's checks.
  await page.locator("form").filter({ has: title }).evaluate((form: HTMLFormElement) => {
    form.noValidate = true;
  });
  await page.getByRole("button", { name: "Report incident" }).click();

  await expect(page.getByRole("alert")).toHaveText("Some fields need attention; see below.");
  await expect(title).toHaveAccessibleDescription(/^Give the incident a title\./);
  await expect(title).toHaveAttribute("aria-invalid", "true");
  const resolved = page.getByLabel("Resolved (UTC)", { exact: true });
  await expect(resolved).toHaveAccessibleDescription(/^Resolved must be at or after the start\./);
  await expect(resolved).toHaveAttribute("aria-invalid", "true");
  // The messages are shown in the field's own block, right under it.
  await expect(page.locator(".field").filter({ has: title })).toContainText("Give the incident a title.");
  await expect(page.locator(".field").filter({ has: resolved })).toContainText("Resolved must be at or after the start.");
  await expect(page.getByLabel("Started (UTC)", { exact: true })).not.toHaveAttribute("aria-invalid", "true");

  // Everything else is still there.
  await expect(page).toHaveURL(/\/incidents\/new$/);
  await expect(page.getByRole("radio", { name: /^SEV2\b/ })).toBeChecked();
  await expect(page.getByLabel("Started (UTC)", { exact: true })).toHaveValue("2026-10-06T14:02");
  await expect(page.getByLabel("Detected (UTC)", { exact: true })).toHaveValue("2026-10-06T14:05");
  await expect(resolved).toHaveValue("2026-10-06T13:00");
  await expect(page.getByLabel("Services and tags", { exact: true })).toHaveValue("search, api");
  await expect(page.getByLabel("Impact", { exact: true })).toHaveValue(impact);
  await expect(page.getByLabel("Summary", { exact: true })).toHaveValue("Index rebuild *blocked* queries.");
  await expect(page.getByRole("radio", { name: /^Restricted/ })).toBeChecked();
  await expect(page.getByLabel("Facilitator (5 Whys master)")).toHaveValue(/^\d+$/);

  // Fixing the two fields is enough to report it.
  await title.fill("Search latency during index rebuild");
  await resolved.fill("2026-10-06T15:00");
  await page.getByRole("button", { name: "Report incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: "Search latency during index rebuild" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Impact" })).toContainText(impact);
});
