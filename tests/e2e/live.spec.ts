// Two laptops in the meeting: what one adds appears on the other's screen without a reload, and
// someone in the middle of typing is told of the change rather than pulled away from their text.
import { expect, test } from "@playwright/test";
import { addFirstWhy, addMember, askWhyAgain, openWhyTool, pageFor, reportIncident, unique, whyCard } from "./helpers";

test("a why added on one screen appears on another without a reload; someone typing is told instead", async ({ page, browser }) => {
  const facilitator = await addMember(page, { team: "Storage" });
  const ref = await reportIncident(page, { title: `Queue backlog ${unique("t")}`, startedAt: "2026-05-05T10:00", facilitator: facilitator.name });
  await addFirstWhy(page, { question: "Why did the queue back up?", answer: "Consumers stalled on a lock", remediation: "Alert on consumer lag" });

  const other = await pageFor(browser, facilitator);
  await other.goto(`/incidents/${ref}`);
  await expect(whyCard(other, "Consumers stalled on a lock")).toBeVisible();
  // Marks the page, so a reload (which would drop the mark) cannot pass for a live update.
  await other.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true));

  await askWhyAgain(page, "Consumers stalled on a lock", 2, { question: "Why did they stall?", answer: "The lock had no timeout", remediation: "Give the lock a timeout" });
  await expect(whyCard(other, "The lock had no timeout")).toBeVisible();
  expect(await other.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);

  // Now the other screen is in the middle of editing: the change waits, and says so.
  const editing = await openWhyTool(other, "The lock had no timeout", "Edit");
  await editing.getByLabel("Answer", { exact: true }).fill("The lock had no timeout, and no alert");
  await askWhyAgain(page, "The lock had no timeout", 3, { question: "Why was there no timeout?", answer: "The client library's default is to wait forever", remediation: "Set timeouts in the shared client" });
  const notice = other.getByRole("status").filter({ hasText: "Others changed this incident while you were typing." });
  await expect(notice).toBeVisible();
  await expect(whyCard(other, "The client library's default is to wait forever")).toHaveCount(0);
  await expect(editing.getByLabel("Answer", { exact: true })).toHaveValue("The lock had no timeout, and no alert");
  expect(await other.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);
  await other.context().close();
});
