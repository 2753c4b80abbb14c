// Concurrent edits (scenario 8): two people edit the same why. The first save wins; the second
// is refused with both versions shown, nothing overwritten, until they knowingly save again.
import { expect, test } from "@playwright/test";
import { addFirstWhy, capture, addMember, openWhyTool, pageFor, reportIncident, unique, whyCard } from "./helpers";

test("a second save of the same why shows both versions and only replaces after 'Save my version'", async ({ page, browser }) => {
  const facilitator = await addMember(page, { team: "Storage" });
  const ref = await reportIncident(page, {
    title: `Disk full on db-3 ${unique("t")}`,
    startedAt: "2026-05-05T10:00",
    facilitator: facilitator.name,
  });
  await addFirstWhy(page, { question: "Why did the disk fill up?", answer: "Logs were not rotated", remediation: "Delete old logs" });

  const other = await pageFor(browser, facilitator);
  await other.goto(`/incidents/${ref}`);

  // Both open the same why's Edit form.
  const mine = await openWhyTool(page, "Logs were not rotated", "Edit");
  const theirs = await openWhyTool(other, "Logs were not rotated", "Edit");

  // The admin saves first.
  const first = "Log rotation was disabled by a config change";
  await mine.getByLabel("Answer", { exact: true }).fill(first);
  await mine.getByRole("button", { name: "Save changes" }).click();
  await expect(whyCard(page, first)).toBeVisible();

  // The facilitator, still on the old version, saves second: refused, both versions shown.
  const second = "Logrotate crashed silently after an upgrade";
  await theirs.getByLabel("Answer", { exact: true }).fill(second);
  await theirs.getByLabel("Remediation at level 1").fill("Alert when logrotate fails");
  await theirs.getByRole("button", { name: "Save changes" }).click();
  const notice = other
    .getByRole("alert")
    .filter({ has: other.getByRole("heading", { name: "Someone else saved this while you were editing" }) });
  await expect(notice).toBeVisible();
  await expect(notice.getByRole("columnheader")).toHaveText(["Field", "Saved meanwhile", "Yours"]);
  const answerRow = notice.getByRole("row").filter({ has: other.getByRole("rowheader", { name: "Answer" }) });
  await expect(answerRow.getByRole("cell")).toHaveText([first, second]);
  const remediationRow = notice.getByRole("row").filter({ has: other.getByRole("rowheader", { name: /^Remediation/ }) });
  await expect(remediationRow.getByRole("cell")).toHaveText(["Delete old logs", "Alert when logrotate fails"]);
  // The page itself now shows what is stored: the first person's answer.
  await expect(whyCard(other, first)).toBeVisible();
  await expect(whyCard(other, "Logs were not rotated")).toHaveCount(0);
  // The facilitator's text is still in the form, ready to save again.
  const form = other.locator("details[open]").filter({ has: notice });
  await expect(form.getByLabel("Answer", { exact: true })).toHaveValue(second);
  await expect(form.getByLabel("Remediation at level 1")).toHaveValue("Alert when logrotate fails");
  await capture(other, "09-edit-conflict");

  // What is stored is still the first person's answer.
  await page.reload();
  await expect(whyCard(page, first)).toBeVisible();
  await expect(whyCard(page, first).locator(".why__remedy")).toContainText("Delete old logs");
  await expect(whyCard(page, second)).toHaveCount(0);

  // Saving again, knowingly, replaces it.
  await form.getByRole("button", { name: "Save my version" }).click();
  await expect(whyCard(other, second)).toBeVisible();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(whyCard(page, second)).toBeVisible();
  await expect(whyCard(page, second).locator(".why__remedy")).toContainText("Alert when logrotate fails");
  await expect(whyCard(page, first)).toHaveCount(0);
  await other.context().close();
});
