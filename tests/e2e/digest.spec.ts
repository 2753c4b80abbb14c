// The weekly digest: an admin sets its recipients, previews this week's digest exactly as it will
// be sent (a published analysis in, a restricted one out), sends it once, and sees it in the outbox.
import { expect, test } from "@playwright/test";
import { addFirstWhy, moveTo, reportIncident, unique } from "./helpers";

test("admins preview the coming digest and send it once", async ({ page }) => {
  test.setTimeout(90_000);
  const title = `Queue backlog after deploy ${unique("t")}`;
  const secretTitle = `Restricted: credential rotation ${unique("t")}`;
  for (const [t, visibility] of [[title, "org"], [secretTitle, "restricted"]] as const) {
    await reportIncident(page, { title: t, severity: "SEV3", resolvedAt: "2026-10-06T15:00", summary: `Summary of ${t}.`, visibility });
    await moveTo(page, "Start the analysis", "Analysis");
    await addFirstWhy(page, { question: "Why did the queue back up?", answer: `Consumers were paused (${t})`, remediation: "Alert on consumer lag", noActionReason: "Done in the response" });
    await moveTo(page, "Send for review", "Review");
    await moveTo(page, "Publish", "Published");
  }

  await page.goto("/admin/settings");
  await page.getByLabel("Recipients").fill("everyone@example.com, leads@example.com");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Settings saved.");
  await expect(page.getByLabel("Recipients")).toHaveValue("everyone@example.com, leads@example.com");

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Digest" }).click();
  await expect(page.getByRole("heading", { name: "Digest preview" })).toBeVisible();
  const envelope = page.getByRole("region", { name: /^The digest for week \d+ of \d{4}/ });
  await expect(envelope).toContainText("everyone@example.com, leads@example.com");
  await expect(envelope).toContainText(/Hindsight digest, week \d+ of \d{4} .*: \d+ new post-mortems?/);
  const html = page.frameLocator('iframe[title="The digest email"]');
  await expect(html.getByRole("link", { name: title })).toBeVisible();
  await expect(html.getByText(secretTitle)).toHaveCount(0);
  const text = page.getByRole("region", { name: "Plain-text part" });
  await expect(text).toContainText(`Summary of ${title}.`);
  await expect(text).toContainText(`1. Consumers were paused (${title})`);
  await expect(text).not.toContainText(secretTitle);

  await page.getByRole("button", { name: "Send it now" }).click();
  await expect(page.getByRole("status")).toContainText("was sent: 1 sent, 0 failed.");
  await expect(envelope).toContainText(/SentYes/);
  await expect(page.getByRole("button", { name: "Send it now" })).toHaveCount(0);

  await page.goto("/admin/outbox");
  const row = page.getByRole("row").filter({ hasText: "Hindsight digest" });
  await expect(row).toContainText("Sent");
  await expect(row).toContainText("everyone@example.com, leads@example.com");
});

test("a week that does not exist is a clear 400, never an error page", async ({ page }) => {
  for (const [period, message] of [
    ["0000-W01", "There is no digest for 0000: choose a week between 1970 and 9999."],
    ["2026-W54", "2026 has 53 weeks, so there is no week 54."],
  ]) {
    const response = await page.goto(`/digest?period=${period}`);
    expect(response?.status(), period).toBe(400);
    await expect(page.getByRole("heading", { name: "That request was not understood" })).toBeVisible();
    await expect(page.getByText(message)).toBeVisible();
  }
});
