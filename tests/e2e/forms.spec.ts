// Filling in an incident's forms as a new user would: nothing typed is lost or cut, Enter does not
// save half a why, a past due date is noticed, and after each save focus is on what was saved.
import { expect, test, type Page } from "@playwright/test";
import { addMember, freshContext, reportIncident, unique, whyCard, whySection } from "./helpers";

/** The id of the element that has focus. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

test("without JavaScript, the edit page saves a typed summary and a change of people together", async ({ page, browser }) => {
  const member = await addMember(page);
  const ref = await reportIncident(page, { title: `Queue stalled ${unique("t")}` });
  const context = await freshContext(browser, { javaScriptEnabled: false, storageState: await page.context().storageState() });
  const noJs = await context.newPage();
  await noJs.goto(`/incidents/${ref}/edit`);
  await noJs.getByLabel("Summary", { exact: true }).fill("Consumers stalled for 40 minutes on a poison message.");
  await noJs.getByRole("region", { name: "People" }).getByRole("checkbox", { name: member.name }).check();
  await noJs.getByRole("button", { name: "Save changes" }).click();
  await expect(noJs).toHaveURL(new RegExp(`/incidents/${ref}$`));
  await expect(noJs.getByRole("status")).toHaveText("Incident saved.");
  await expect(noJs.getByRole("region", { name: "Impact" })).toContainText("Consumers stalled for 40 minutes on a poison message.");
  await expect(noJs.getByRole("region", { name: "Facts" })).toContainText(member.name);
  await context.close();
});

test("a long answer is counted as it is typed, and one over the limit is refused beside the field with all of it kept", async ({ page }) => {
  await reportIncident(page, { title: `Checkout slow ${unique("t")}` });
  const section = whySection(page);
  await section.getByLabel("Question (level 1)").fill("Why was checkout slow?");
  const answer = section.getByLabel("Answer", { exact: true });
  const count = section.locator(".field").filter({ has: page.getByLabel("Answer", { exact: true }) }).locator(".field__count");
  await answer.fill("The pool had ten connections.");
  await expect(count).toHaveText("29 / 4,000 characters");
  const tooLong = "The connection pool was sized for last year's traffic. ".repeat(80);
  await answer.fill(tooLong);
  await expect(count).toContainText(`${tooLong.length.toLocaleString("en")} / 4,000 characters — ${(tooLong.length - 4_000).toLocaleString("en")} too many`);
  await expect(count).toHaveClass(/field__count--over/);
  // Nothing is cut: the whole text is in the field, and the server says what to do.
  await expect(answer).toHaveValue(tooLong);
  await section.getByRole("button", { name: "Add the first why" }).click();
  await expect(section.locator(".field__error")).toHaveText("At most 4,000 characters; shorten it and save again.");
  await expect(section.getByLabel("Answer", { exact: true })).toHaveValue(tooLong);
  await expect(section.getByLabel("Question (level 1)")).toHaveValue("Why was checkout slow?");
});

test("Enter in the question moves to the answer and saves nothing; after a save, focus is on what was saved", async ({ page }) => {
  const ref = await reportIncident(page, { title: `Cache stampede ${unique("t")}`, startedAt: "2026-09-14T08:30" });
  const section = whySection(page);
  const question = section.getByLabel("Question (level 1)");
  await question.fill("Why did the cache stampede?");
  await question.press("Enter");
  await expect(section.getByLabel("Answer", { exact: true })).toBeFocused();
  await expect(section.locator('li[id^="why-"]')).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/incidents/${ref}$`));

  await section.getByLabel("Answer", { exact: true }).fill("Every key expired at the same second");
  await section.getByLabel("Remediation at level 1").fill("Spread expiry times");
  await section.getByRole("button", { name: "Add the first why" }).click();
  await expect(page).toHaveURL(/#why-\d+$/);
  const whyId = new URL(page.url()).hash.slice(1);
  await expect.poll(() => focused(page)).toBe(whyId);
  await expect(whyCard(page, "Every key expired at the same second")).toBeVisible();

  // A timeline entry: its time starts at the incident's start, and focus lands on the new entry.
  const timeline = page.getByRole("region", { name: "Timeline" });
  await timeline.getByText("Add a timeline entry").click();
  await expect(timeline.getByLabel("Time (UTC)")).toHaveValue("2026-09-14T08:30");
  await timeline.getByLabel("What happened").fill("Latency alerts fire.");
  await timeline.getByRole("button", { name: "Add entry" }).click();
  await expect(page).toHaveURL(/#entry-\d+$/);
  await expect.poll(() => focused(page)).toBe(new URL(page.url()).hash.slice(1));

  // A follow-up action: focus lands on it, under its why.
  await whyCard(page, "Every key expired at the same second").getByRole("link", { name: "Add follow-up action" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Add jitter to cache expiry");
  await page.getByRole("button", { name: "Add action" }).click();
  await expect(page).toHaveURL(/#action-\d+$/);
  const actionId = new URL(page.url()).hash.slice(1);
  await expect.poll(() => focused(page)).toBe(actionId);
  await expect(page.locator(`#${actionId}`)).toContainText("Add jitter to cache expiry");

  // The edit page lands on the incident, not on one item: focus is on the message saying it saved.
  await page.goto(`/incidents/${ref}/edit`);
  await page.getByLabel("Summary", { exact: true }).fill("Entries expired together and the database took every miss.");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${ref}$`));
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toBe("Incident saved.");
});

test("a past due date on a new action is pointed out as it is picked", async ({ page }) => {
  const ref = await reportIncident(page, { title: `Disk full ${unique("t")}` });
  await page.goto(`/incidents/${ref}/actions/new`);
  await page.getByLabel("Title", { exact: true }).fill("Alert at 80% disk");
  await page.getByLabel("Due date").fill("2020-03-02");
  await expect(page.getByRole("status").filter({ hasText: "This date has already passed" })).toBeVisible();
  await page.getByLabel("Due date").fill("2099-03-02");
  await expect(page.getByText("This date has already passed")).toHaveCount(0);
});
