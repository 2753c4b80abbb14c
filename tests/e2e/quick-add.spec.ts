// The facilitator's speed outside a session: the next why on one row under a why (Enter saves),
// a follow-up action added and replanned on the why's card, and a compact tree (folding branches,
// an outline of the levels). With JavaScript none of it loads a page; without it, each is a plain
// form post that comes back to the why.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, addFirstWhy, addMember, askWhyAgain, chooseOption, freshContext, pageFor, reportIncident, unique, whyCard, whyItem, whySection } from "./helpers";

const ADMIN_STATE = "tests/e2e/.auth/admin.json";
/**
 * These incidents start long before the other specs' ones: the incident list shows the latest
 * first, 25 a page, and other specs look for theirs on its first page.
 */
const EARLY = "2025-01-14T10:00";

/**
 * Counts what a person does: every click, key press and fill goes through `act`, so the test can
 * hold the flow to a number of interactions.
 */
function interactions() {
  let count = 0;
  return {
    act: async (step: () => Promise<void>) => {
      count += 1;
      await step();
    },
    get count() {
      return count;
    },
  };
}

/** Marks the page and counts whole-page requests from now on: a reload would drop the mark and be counted. */
async function watchForPageLoads(page: Page) {
  const documents: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "document") documents.push(request.url());
  });
  await page.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true));
  return {
    documents,
    untouched: () => page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched === true),
  };
}

test("a deeper why with its remediation and its follow-up action in six interactions, without a page load", async ({ page }) => {
  const ref = await reportIncident(page, { title: `Queue backlog ${unique("t")}`, severity: "SEV2", startedAt: EARLY });
  await addFirstWhy(page, { question: "Why did the queue back up?", answer: "Consumers stalled on a lock", remediation: "Alert on consumer lag" });
  const watch = await watchForPageLoads(page);
  const steps = interactions();

  const card = whyCard(page, "Consumers stalled on a lock");
  // The question is offered from the answer above, to be reworded if needed.
  await expect(card.getByLabel("Level 2 question")).toHaveValue("Why consumers stalled on a lock?");
  await steps.act(() => card.getByLabel("Level 2 answer").fill("The lock had no timeout"));
  await steps.act(() => card.getByLabel("Level 2 remediation").fill("Give the lock a timeout"));
  await steps.act(() => card.getByLabel("Level 2 remediation").press("Enter"));

  const deeper = whyCard(page, "The lock had no timeout");
  await expect(deeper.locator(".why__level")).toHaveText("Level 2");
  await expect(deeper.locator(".why__question")).toHaveText("Why consumers stalled on a lock?");
  await expect(deeper.locator(".why__remedy")).toContainText("Give the lock a timeout");
  await expect(whyItem(page, "Consumers stalled on a lock").locator(":scope > ol > li")).toHaveCount(1);
  // Focus is on the new why's own row: the next level is one keystroke away.
  await expect(deeper.getByLabel("Level 3 answer")).toBeFocused();
  await expect(deeper.getByLabel("Level 3 question")).toHaveValue("Why the lock had no timeout?");
  // The row it was typed in is empty again, its question offered afresh.
  await expect(card.getByLabel("Level 2 answer")).toHaveValue("");

  await steps.act(() => deeper.getByText("Add an action here", { exact: true }).click());
  // The action starts from the remediation, owned by the person adding it, priority P2, due by the policy.
  await expect(deeper.getByLabel("Action", { exact: true })).toHaveValue("Give the lock a timeout");
  await expect(deeper.getByLabel("Owner", { exact: true }).locator("option:checked")).toHaveText(`${ADMIN.name} (${ADMIN.team})`);
  // The opened form stays inside the card's remediation column.
  const [formBox, cardBox] = [await deeper.locator("details.quick-action").boundingBox(), await deeper.boundingBox()];
  expect(formBox!.x + formBox!.width).toBeLessThanOrEqual(cardBox!.x + cardBox!.width);
  await steps.act(() => deeper.getByRole("button", { name: /^Add action: / }).click());

  const action = deeper.locator(".why-actions > li").filter({ hasText: "Give the lock a timeout" });
  await expect(action).toContainText(`${ADMIN.name} · due`);
  await expect(action).toContainText("P2");
  await expect(page.locator(".flash")).toHaveText(new RegExp(`^Action added for ${ADMIN.name}, due `));
  await expect(action).toBeFocused();

  expect(steps.count).toBeLessThanOrEqual(6);
  expect(await watch.untouched(), "the page was not loaded again").toBe(true);
  expect(watch.documents, "no whole-page request").toEqual([]);

  // Stored: after a reload the why, its remediation and its action are there.
  await page.reload();
  const stored = whyCard(page, "The lock had no timeout");
  await expect(stored.locator(".why__question")).toHaveText("Why consumers stalled on a lock?");
  await expect(stored.locator(".why__remedy")).toContainText("Remediation at level 2Give the lock a timeout");
  await expect(stored.locator(".why-actions > li")).toContainText(["Give the lock a timeout"]);
  await expect(whySection(page).locator(".why__answer")).toHaveText(["BecauseConsumers stalled on a lock", "BecauseThe lock had no timeout"]);
  await page.getByRole("navigation", { name: "Incident" }).getByRole("link", { name: "History" }).click();
  const history = page.getByRole("region", { name: "History" });
  await expect(history).toContainText(`${ADMIN.name} · Added a why at level 2: Why consumers stalled on a lock?`);
  await expect(history).toContainText(`${ADMIN.name} · Added the action “Give the lock a timeout” for ${ADMIN.name}`);
  expect(ref).toMatch(/^INC-\d+$/);
});

test("a refused quick why says why beside its field and keeps what was typed, without a page load", async ({ page }) => {
  await reportIncident(page, { title: `Cache stampede ${unique("t")}`, startedAt: EARLY });
  await addFirstWhy(page, { question: "Why did the cache stampede?", answer: "Every key expired at once", remediation: "Spread expiry times" });
  const watch = await watchForPageLoads(page);
  const card = whyCard(page, "Every key expired at once");
  await card.locator("form.quick-why").evaluate((form: HTMLFormElement) => (form.noValidate = true));
  await card.getByLabel("Level 2 remediation").fill("Add jitter");
  await card.getByLabel("Level 2 remediation").press("Enter");
  await expect(card.locator(".quick-why .field__error")).toHaveText("Write the answer too: a why is added with its answer.");
  await expect(card.getByLabel("Level 2 answer")).toHaveAttribute("aria-invalid", "true");
  await expect(card.getByLabel("Level 2 remediation")).toHaveValue("Add jitter");
  await expect(whySection(page).locator('li[id^="why-"]')).toHaveCount(1);
  expect(await watch.untouched()).toBe(true);
});

test("an action's owner, due date and priority change on the card, by those who may change it", async ({ page }) => {
  const member = await addMember(page, { team: "Storage" });
  const ref = await reportIncident(page, { title: `Disk full ${unique("t")}`, startedAt: EARLY });
  await addFirstWhy(page, { question: "Why did the disk fill?", answer: "Logs were not rotated", remediation: "Rotate logs daily" });
  const card = whyCard(page, "Logs were not rotated");
  await card.getByText("Add an action here", { exact: true }).click();
  await card.getByLabel("Due date", { exact: true }).fill("2099-03-02");
  await card.getByRole("button", { name: /^Add action: / }).click();
  const action = card.locator(".why-actions > li").filter({ hasText: "Rotate logs daily" });
  await expect(action).toContainText(`${ADMIN.name} · due 2 Mar 2099 · P2`);

  const watch = await watchForPageLoads(page);
  await action.getByText("Change owner or due date", { exact: true }).click();
  await chooseOption(action.getByLabel("Owner", { exact: true }), member.name);
  await action.getByLabel("Due date", { exact: true }).fill("2099-04-15");
  await action.getByLabel("Priority", { exact: true }).selectOption("P1");
  await action.getByRole("button", { name: "Save: Rotate logs daily" }).click();
  await expect(action).toContainText(`${member.name} · due 15 Apr 2099 · P1`);
  await expect(action.locator("details").filter({ has: page.locator("summary", { hasText: "Change owner or due date" }) })).not.toHaveAttribute("open");
  // Its status moves on the card too.
  await action.getByRole("button", { name: "Start: Rotate logs daily" }).click();
  await expect(action).toContainText("In progress");
  expect(await watch.untouched()).toBe(true);

  await page.reload();
  await expect(whyCard(page, "Logs were not rotated").locator(".why-actions > li")).toContainText([`In progress ${member.name} · due 15 Apr 2099 · P1`]);

  // Someone who takes part but neither owns it nor facilitates gets no form to change it.
  const participant = await addMember(page, { team: "Web" });
  await page.goto(`/incidents/${ref}/edit`);
  await page.getByRole("region", { name: "People" }).getByRole("checkbox", { name: participant.name }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Incident saved.");
  const other = await pageFor(page.context().browser()!, participant);
  await other.goto(`/incidents/${ref}`);
  const theirs = whyCard(other, "Logs were not rotated").locator(".why-actions > li");
  await expect(theirs).toContainText("Rotate logs daily");
  await expect(theirs.getByText("Change owner or due date")).toHaveCount(0);
  await other.context().close();
});

test("branches fold and stay folded as others' changes arrive; the outline lists every level and opens what it links to", async ({ page, browser }) => {
  await reportIncident(page, { title: `Checkout errors ${unique("t")}`, startedAt: EARLY });
  await addFirstWhy(page, { question: "Why did checkout fail?", answer: "The payment API timed out", remediation: "Retry with backoff" });
  await askWhyAgain(page, "The payment API timed out", 2, { question: "Why did it time out?", answer: "Its pool was exhausted", remediation: "Size the pool" });
  await askWhyAgain(page, "Its pool was exhausted", 3, { question: "Why was it exhausted?", answer: "Connections leaked on errors", remediation: "Close connections in finally" });

  const outline = page.getByRole("navigation", { name: "Outline" });
  await expect(outline.getByRole("link")).toHaveText([/^L1 The payment API timed out$/, /^L2 Its pool was exhausted$/, /^L3 Connections leaked on errors$/]);

  const watch = await watchForPageLoads(page);
  const fold = whyCard(page, "The payment API timed out").getByRole("button", { name: /^Hide the 2 deeper whys: / });
  await fold.click();
  await expect(whyCard(page, "Its pool was exhausted")).toBeHidden();
  await expect(whyCard(page, "The payment API timed out").getByRole("button", { name: /^Show the 2 deeper whys: / })).toHaveAttribute("aria-expanded", "false");

  // Another screen adds a cause at level 1: it shows up live, and the branch stays folded.
  const otherContext = await freshContext(browser, { storageState: ADMIN_STATE });
  const other = await otherContext.newPage();
  await other.goto(page.url().replace(/#.*$/, ""));
  const another = other.getByText("Add another answer", { exact: true }).first();
  await another.click();
  const form = whyCard(other, "The payment API timed out").locator("details[open]");
  await form.getByLabel("Answer", { exact: true }).fill("A deploy restarted the API");
  await form.getByLabel("Remediation at level 1").fill("Drain before restarting");
  await form.getByRole("button", { name: "Add this answer" }).click();
  await expect(whyCard(other, "A deploy restarted the API")).toBeVisible();
  await otherContext.close();
  await expect(whyCard(page, "A deploy restarted the API")).toBeVisible();
  await expect(whyCard(page, "Its pool was exhausted")).toBeHidden();

  // The outline's link to a why in a folded branch opens the branch and goes to it.
  await outline.getByRole("link", { name: /^L3 / }).click();
  await expect(whyCard(page, "Connections leaked on errors")).toBeInViewport();
  await expect(page).toHaveURL(/#why-\d+$/);
  expect(await watch.untouched()).toBe(true);
});

test("without JavaScript the quick row is a plain form: it posts, comes back to the new why, and shows a refusal beside the field", async ({ page, browser }) => {
  await reportIncident(page, { title: `Queue backlog without JavaScript ${unique("t")}`, startedAt: EARLY });
  await addFirstWhy(page, { question: "Why did the queue back up?", answer: "Consumers crashed on a malformed message", remediation: "Park malformed messages" });
  const context = await freshContext(browser, { javaScriptEnabled: false, storageState: ADMIN_STATE });
  const noJs = await context.newPage();
  await noJs.goto(page.url().replace(/#.*$/, ""));

  const card = whyCard(noJs, "Consumers crashed on a malformed message");
  await expect(card.getByLabel("Level 2 question")).toHaveValue("Why consumers crashed on a malformed message?");
  await card.getByLabel("Level 2 question").fill("Why did a malformed message crash them?");
  await card.getByLabel("Level 2 answer").fill("The parser throws instead of rejecting");
  await card.getByLabel("Level 2 remediation").fill("Validate messages at the edge");
  const [response] = await Promise.all([noJs.waitForResponse((r) => r.request().method() === "POST"), card.getByLabel("Level 2 remediation").press("Enter")]);
  expect(response.request().resourceType()).toBe("document");
  expect(response.status()).toBe(302);
  await expect(noJs).toHaveURL(/#why-\d+$/);
  const deeper = whyCard(noJs, "The parser throws instead of rejecting");
  await expect(deeper.locator(".why__level")).toHaveText("Level 2");
  await expect(deeper.locator(".why__question")).toHaveText("Why did a malformed message crash them?");
  await expect(deeper.locator(".why__remedy")).toContainText("Validate messages at the edge");
  expect(new URL(noJs.url()).hash).toBe(`#${await whyItem(noJs, "The parser throws instead of rejecting").getAttribute("id")}`);

  // A refusal comes back to the same row with the message beside the field and the text kept.
  const row = deeper.locator("form.quick-why");
  await row.evaluate((form: HTMLFormElement) => (form.noValidate = true));
  await deeper.getByLabel("Level 3 remediation").fill("Fuzz the parser");
  const [refused] = await Promise.all([noJs.waitForResponse((r) => r.request().method() === "POST"), deeper.getByRole("button", { name: /^Add level 3: / }).click()]);
  expect(refused.status()).toBe(400);
  const again = whyCard(noJs, "The parser throws instead of rejecting");
  await expect(again.locator(".quick-why .field__error")).toHaveText("Write the answer too: a why is added with its answer.");
  await expect(again.getByLabel("Level 3 remediation")).toHaveValue("Fuzz the parser");
  await expect(whySection(noJs).locator('li[id^="why-"]')).toHaveCount(2);

  // Actions on the card need JavaScript; without it the same form is on a page of its own.
  await expect(again.getByText("Add an action here", { exact: true })).toHaveCount(0);
  await again.getByRole("link", { name: "Add follow-up action" }).click();
  await expect(noJs.getByLabel("Title", { exact: true })).toHaveValue("Validate messages at the edge");
  await noJs.getByRole("button", { name: "Add action" }).click();
  await expect(noJs).toHaveURL(/#action-\d+$/);
  await expect(whyCard(noJs, "The parser throws instead of rejecting").locator(".why-actions > li")).toContainText(["Validate messages at the edge"]);
  await context.close();
});
