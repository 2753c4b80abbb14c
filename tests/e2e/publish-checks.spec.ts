// Publish checks (scenario 4): an incident in review with a why that has no remediation cannot
// be published; the failing checks are listed, nothing is lost, and once fixed it publishes.
import { expect, test } from "@playwright/test";
import { addChain, capture, moveTo, openWhyTool, reportIncident, statusBadge, unique, whyCard, whyItem, whySection } from "./helpers";

test("publishing is refused while a why lacks a remediation; fixing it lets it publish", async ({ page }) => {
  const title = `Checkout errors after config push ${unique("t")}`;
  const ref = await reportIncident(page, {
    title,
    severity: "SEV3",
    startedAt: "2026-09-01T09:00",
    resolvedAt: "2026-09-01T09:40",
    summary: "A config push disabled the payment provider for 40 minutes.",
  });
  await moveTo(page, "Start the analysis", "Analysis");
  await addChain(page, [
    {
      question: "Why did checkout fail?",
      answer: "The payment provider was disabled",
      remediation: "Re-enable the provider",
      noActionReason: "Done during the response",
    },
    { question: "Why was it disabled?", answer: "A config flag was flipped by a bulk edit" },
  ]);
  await expect(whyCard(page, "A config flag was flipped").locator(".why__remedy")).toContainText("No remediation yet");

  await moveTo(page, "Send for review", "Review");
  const problem = "Level 2 (“Why was it disabled?”) needs a remediation, or a reason why none is needed.";
  const lifecycle = page.getByRole("region", { name: "Lifecycle" });
  const checks = lifecycle.locator("div").filter({ has: page.getByRole("heading", { name: "Before this can be published" }) });
  // In review the facilitator already sees what stands in the way.
  await expect(checks.getByRole("listitem")).toHaveText([problem]);

  await lifecycle.getByRole("button", { name: "Publish", exact: true }).click();
  const alert = lifecycle.getByRole("alert");
  await expect(alert.getByRole("heading", { name: "Before this can be published" })).toBeVisible();
  await expect(alert.getByRole("listitem")).toHaveText([problem]);
  // The problem links to the why it is about.
  const whyId = await whyItem(page, "A config flag was flipped").getAttribute("id");
  await expect(alert.getByRole("link", { name: problem })).toHaveAttribute("href", `#${whyId}`);
  await expect(statusBadge(page)).toHaveText("Review");
  await expect(page.getByText(`${ref} is published`)).toHaveCount(0);
  await capture(page, "10-publish-blocked");
  // Nothing is lost.
  await expect(whySection(page).locator(".why__answer")).toHaveCount(2);

  // Stored as Review, still, and the problem is still listed after a reload.
  await page.reload();
  await expect(statusBadge(page)).toHaveText("Review");
  await expect(checks.getByRole("listitem")).toHaveText([problem]);

  // Fix it: no remediation is needed at this level, and say why.
  const edit = await openWhyTool(page, "A config flag was flipped", "Edit");
  await edit.getByLabel("Or: no remediation needed at this level, because").fill("The bulk-edit tool is covered at level 3 by the platform team");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(whyCard(page, "A config flag was flipped").locator(".why__remedy")).toContainText(
    "None needed: The bulk-edit tool is covered at level 3 by the platform team",
  );
  await expect(page.getByText("Before this can be published")).toHaveCount(0);

  await moveTo(page, "Publish", "Published");
  await expect(page.getByRole("status")).toHaveText(`${ref} is published. Thank you for running a blameless 5 Whys.`);
  await page.reload();
  await expect(statusBadge(page)).toHaveText("Published");
});
