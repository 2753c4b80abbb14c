// "Seen before" lists only whys of other incidents with a like cause, and says what matched.
import { expect, test } from "@playwright/test";
import { addFirstWhy, capture, moveTo, reportIncident, unique, whyCard } from "./helpers";

test("Seen before leaves out a why that only shares words, and says what each match matched on", async ({ page }) => {
  const statusRef = await reportIncident(page, { title: `Status page blank ${unique("t")}`, startedAt: "2026-02-01T10:00" });
  await moveTo(page, "Start the analysis", "Analysis");
  await addFirstWhy(page, {
    question: "Why was the status page blank?",
    answer: "The status dashboard depends on S3 and could not load during the S3 outage.",
    remediation: "Serve the status page from a second provider.",
  });

  const flakyTitle = `Release blocked by red CI ${unique("t")}`;
  const flakyRef = await reportIncident(page, { title: flakyTitle, startedAt: "2026-03-01T10:00" });
  await moveTo(page, "Start the analysis", "Analysis");
  await addFirstWhy(page, {
    question: "Why did CI fail?",
    answer: "A flaky test relied on data left behind by another test; order-dependent tests pass alone.",
    remediation: "Reset shared test fixtures between tests.",
  });

  await reportIncident(page, { title: `CI red again ${unique("t")}`, startedAt: "2026-06-01T10:00" });
  await moveTo(page, "Start the analysis", "Analysis");
  const answer = "The integration test depends on the order tests run in and fails when run after the S3 upload test.";
  await addFirstWhy(page, { question: "Why did CI fail?", answer, remediation: "Isolate test state and reset shared fixtures between tests." });

  const seen = whyCard(page, answer).locator(".seen-before");
  await seen.locator("summary").click();
  const item = seen.getByRole("listitem").filter({ hasText: flakyRef });
  await expect(item.getByRole("link", { name: `${flakyRef}: ${flakyTitle}` })).toBeVisible();
  await expect(item).toContainText("Matched on: reset shared, fixtures between tests, order");
  await expect(seen.getByRole("listitem").filter({ hasText: statusRef })).toHaveCount(0);
  await capture(page, "32-seen-before-matched-on");
});
