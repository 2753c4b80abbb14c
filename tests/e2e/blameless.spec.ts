// Blameless by design and learning across incidents: the wording check as people type and on
// saved whys, publishing held until findings are reworded or kept, and "Seen before" linking an
// earlier incident with the same cause, including a fix that was done yet did not hold.
import { expect, test, type Page } from "@playwright/test";
import { addFirstWhy, capture, chooseOption, ADMIN, askWhyAgain, moveTo, reportIncident, statusBadge, unique, whyCard, whySection } from "./helpers";

const REWORDED = "It was a gap in the safeguards.";

test("a blaming answer is flagged as it is typed, reworded with the suggestion, and the analysis publishes", async ({ page }) => {
  const title = `Cart emptied on login ${unique("t")}`;
  const ref = await reportIncident(page, {
    title,
    severity: "SEV3",
    startedAt: "2026-09-10T08:00",
    resolvedAt: "2026-09-10T08:45",
    summary: "Logged-in carts were emptied for 45 minutes after a session change.",
  });
  await moveTo(page, "Start the analysis", "Analysis");

  // As the answer is typed, the finding and its blameless suggestion appear under the field.
  const form = whySection(page);
  await form.getByLabel("Question (level 1)").fill("Why were carts emptied?");
  const answer = form.getByLabel("Answer", { exact: true });
  await answer.fill("It was human error.");
  const findings = form.getByRole("list", { name: "Blameless wording in the answer" });
  await expect(findings).toContainText("Blame or judgement: “human error”.");
  await expect(findings).toContainText("Try: What made the error easy to make and hard to notice? Ask why again.");
  await expect(findings).toContainText(`Suggested wording: “${REWORDED}”`);
  await capture(page, "30-blame-finding-live");

  // Applying the suggestion rewords only those words; the finding goes away.
  await findings.getByRole("button", { name: "Use this wording" }).click();
  await expect(answer).toHaveValue(REWORDED);
  await expect(findings.getByRole("listitem")).toHaveCount(0);
  await form.getByLabel("Remediation at level 1").fill("Restore carts from the session backup.");
  await form.getByLabel("No follow-up action needed for this remediation, because").fill("Done during the response");
  await form.getByRole("button", { name: "Add the first why" }).click();
  await expect(whyCard(page, REWORDED)).toBeVisible();

  // Saved wording is flagged on the why's card: hindsight in the answer, and a fix aimed at people.
  await askWhyAgain(page, REWORDED, 2, {
    question: "Why was the slip not caught?",
    answer: "The session tests were obviously incomplete.",
    remediation: "Tell the engineers to be more careful with sessions.",
    noActionReason: "Covered by the session test plan",
  });
  const level2 = whyCard(page, "The session tests were obviously incomplete.");
  const saved = level2.locator(".blame--saved");
  await expect(saved).toContainText("Hindsight: “obviously”.");
  await expect(saved).toContainText("A fix aimed at a person: “Tell the engineers to be more careful”.");
  // A fix aimed at people has no safe rewording: the card asks the question instead.
  await expect(saved).toContainText("Try: What could change in the tool, the default, the check or the onboarding, so that nobody meets the same trap?");

  // Publishing waits for both, and says which why and which words.
  await moveTo(page, "Send for review", "Review");
  const lifecycle = page.getByRole("region", { name: "Lifecycle" });
  await lifecycle.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(lifecycle.getByRole("alert").getByRole("listitem")).toHaveText([
    "Level 2 (“Why was the slip not caught?”): hindsight in the answer, “obviously”. Reword it, or acknowledge it with a reason.",
    "Level 2 (“Why was the slip not caught?”): a fix aimed at a person in the remediation, “Tell the engineers to be more careful”. Reword it, or acknowledge it with a reason.",
  ]);
  await expect(statusBadge(page)).toHaveText("Review");

  // One click applies the suggested wording to the saved why (a plain form post): only the word goes.
  await level2.getByRole("button", { name: /^Use the suggested wording/ }).click();
  await expect(page.getByRole("status")).toHaveText("Reworded with the suggestion. Adjust it in Edit if it needs more.");
  const level2Now = whyCard(page, "The session tests were incomplete.");
  await expect(level2Now.locator(".blame--saved")).not.toContainText("Hindsight");

  // The fix is rewritten by hand, in Edit, aimed at the system; nothing is left to reword.
  await level2Now.getByText("Edit", { exact: true }).click();
  const edit = level2Now.locator("details[open]");
  await edit.getByLabel("Remediation at level 2").fill("Add logged-in carts to the session tests.");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(level2Now.locator(".why__remedy")).toContainText("Add logged-in carts to the session tests.");
  await expect(level2Now.locator(".blame--saved")).toHaveCount(0);
  await expect(page.getByText("Before this can be published")).toHaveCount(0);

  await moveTo(page, "Publish", "Published");
  await expect(page.getByRole("status")).toHaveText(`${ref} is published. Thank you for running a blameless 5 Whys.`);
  await page.getByRole("navigation", { name: "Incident" }).getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("region", { name: "History" })).toContainText(`${ADMIN.name} · Edited the why “Why was the slip not caught?”`);
});

/** "2026-11-25T10:00" for a day `days` from now, as the report form takes it (UTC). */
function dayFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 11) + "10:00";
}

async function addDoneAction(page: Page, answer: string, owner: string) {
  await whyCard(page, answer).getByRole("link", { name: "Add follow-up action" }).click();
  await chooseOption(page.getByLabel("Owner"), owner);
  await page.getByRole("button", { name: "Add action" }).click();
  await expect(page.getByRole("status")).toContainText("Action added");
  await whyCard(page, answer).getByRole("button", { name: "Mark done" }).click();
  await expect(whyCard(page, answer).getByRole("list", { name: "Follow-up actions" })).toContainText("Done");
}

test("“Seen before” shows the earlier incident with the same cause, warns that its fix did not hold, and links them", async ({ page }) => {
  // A word of this run only, so other tests' whys do not outrank these.
  const marker = unique("ledgerexport").replace(/-/g, "");
  const earlierTitle = `Reports slow ${unique("t")}`;
  const earlierRef = await reportIncident(page, { title: earlierTitle, severity: "SEV3", startedAt: "2026-08-01T09:00" });
  await moveTo(page, "Start the analysis", "Analysis");
  const earlierAnswer = `The nightly ${marker} job exhausted the reporting database connection pool.`;
  await addFirstWhy(page, {
    question: "Why were reports slow?",
    answer: earlierAnswer,
    remediation: `Move the ${marker} job to the read replica.`,
  });
  await addDoneAction(page, earlierAnswer, ADMIN.name);

  // The cause comes back after the fix was marked done.
  const laterRef = await reportIncident(page, { title: `Reports down ${unique("t")}`, severity: "SEV2", startedAt: dayFromNow(1) });
  await moveTo(page, "Start the analysis", "Analysis");
  const laterAnswer = `The ${marker} job exhausted the reporting database connection pool again.`;
  await addFirstWhy(page, { question: "Why were reports down?", answer: laterAnswer, remediation: "Cap the job's connections." });

  const card = whyCard(page, laterAnswer);
  const warning = card.getByRole("note").filter({ hasText: earlierRef });
  await expect(warning).toContainText(`The fix may not have worked. The same cause was found in ${earlierRef}`);
  await expect(warning).toContainText(`“Move the ${marker} job to the read replica.” was marked done on`);
  const seen = card.locator(".seen-before");
  await expect(seen.locator("summary")).toHaveText(/^Seen before: \d+ similar whys? in other incidents$/);
  const item = seen.getByRole("listitem").filter({ hasText: earlierRef });
  await expect(item.getByRole("link", { name: `${earlierRef}: ${earlierTitle}` })).toBeVisible();
  await expect(item).toContainText(earlierAnswer);
  await expect(item).toContainText("1 of 1 action done");
  await capture(page, "31-seen-before");

  // One click marks the two incidents as related, on both pages.
  await item.getByRole("button", { name: `Mark ${earlierRef} as related` }).click();
  await expect(page.getByRole("status")).toHaveText(`${laterRef} and ${earlierRef} are marked as related.`);
  await expect(item).toContainText("✓ Related");
  const related = page.getByRole("region", { name: "Related incidents" });
  await expect(related.getByRole("link", { name: `${earlierRef}: ${earlierTitle}` })).toBeVisible();
  await related.getByRole("link", { name: `${earlierRef}: ${earlierTitle}` }).click();
  await expect(page.getByRole("region", { name: "Related incidents" })).toContainText(laterRef);

  // Looking back from the earlier incident, the later one is listed, and is no failed fix of its own.
  const back = whyCard(page, earlierAnswer);
  await back.locator(".seen-before summary").click();
  await expect(back.locator(".seen-before").getByRole("listitem").filter({ hasText: laterRef })).toContainText("(later)");
  await expect(back.getByRole("note")).toHaveCount(0);

  // A bad reference in the link form is refused next to the field, with what was typed kept.
  const form = page.getByRole("region", { name: "Related incidents" });
  await form.getByLabel("Mark another incident as related").fill("INC-99999999");
  await form.getByRole("button", { name: "Link" }).click();
  await expect(form.getByText("No incident you can see has that reference.")).toBeVisible();
  await expect(form.getByLabel("Mark another incident as related")).toHaveValue("INC-99999999");
});
