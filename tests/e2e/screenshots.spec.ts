// Screenshots (scenario 12): full-page captures of the main pages, for a person to look at,
// saved to tests/e2e/screenshots/ (git-ignored). Each capture is also checked for the content
// it is meant to show, so a broken page does not pass silently.
import { expect, test } from "@playwright/test";
import path from "node:path";
import {
  ADMIN,
  RIES_CHAIN,
  addAnotherAnswer,
  addChain,
  addMember,
  capture,
  fillIncidentForm,
  freshContext,
  moveTo,
  reportIncident,
  unique,
  whyCard,
  whySection,
} from "./helpers";

test("full-page screenshots of the main pages, desktop and phone", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const member = await addMember(page, { team: "Web" });
  const title = `Website down: front-end servers at 100% CPU ${unique("shot")}`;
  const ref = await reportIncident(page, {
    title,
    severity: "SEV2",
    startedAt: "2026-10-06T14:02",
    detectedAt: "2026-10-06T14:09",
    resolvedAt: "2026-10-06T15:47",
    services: "web, api",
    impact: "All visitors saw **errors** for 1h45; checkout was unavailable.",
    summary: "A deploy shipped an *infinite loop*; CPU pinned at 100% on every front-end server.\n\n- Rolled back at 15:40\n- Recovered by 15:47",
  });
  await page.getByRole("link", { name: "Edit details and people" }).click();
  await page.getByRole("region", { name: "People" }).getByRole("checkbox", { name: member.name }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Incident saved.");
  await moveTo(page, "Start the analysis", "Analysis");
  await addChain(page, RIES_CHAIN);
  await addAnotherAnswer(page, RIES_CHAIN[1].answer, 2, {
    question: "Why did CPU spike?",
    answer: "A traffic surge hit at the same time",
    remediation: "Autoscale the front-end pool on CPU",
  });
  const timeline = page.getByRole("region", { name: "Timeline" });
  for (const [at, body] of [
    ["2026-10-06T14:09", "CPU alert fired on all front-end hosts"],
    ["2026-10-06T15:40", "Deploy **rolled back**"],
  ]) {
    const add = timeline.locator("details").filter({ has: page.locator("summary", { hasText: "Add a timeline entry" }) });
    await add.locator("summary").click();
    await add.getByLabel("Time (UTC)").fill(at);
    await add.getByLabel("What happened").fill(body);
    await add.getByRole("button", { name: "Add entry" }).click();
    await expect(timeline.locator('li[id^="entry-"]').filter({ hasText: body.replace(/\*/g, "") })).toBeVisible();
  }

  // Restricted one too, so the list shows the badge.
  await reportIncident(page, { title: `Token printed in CI logs ${unique("shot")}`, severity: "SEV1", visibility: "restricted" });

  await page.goto("/incidents");
  await expect(page.getByRole("link", { name: title })).toBeVisible();
  await capture(page, "01-incident-list");

  await page.goto("/incidents/new");
  await expect(page.getByRole("heading", { level: 1, name: "Report an incident" })).toBeVisible();
  await capture(page, "02-report-form");
  await fillIncidentForm(page, { title: "", severity: "SEV3", startedAt: "2026-10-06T14:02", resolvedAt: "2026-10-06T13:00" });
  await page.locator("form").filter({ has: page.getByLabel("Title", { exact: true }) }).evaluate((form: HTMLFormElement) => {
    form.noValidate = true;
  });
  await page.getByRole("button", { name: "Report incident" }).click();
  await expect(page.getByText("Give the incident a title.")).toBeVisible();
  await capture(page, "03-report-form-errors");

  await page.goto(`/incidents/${ref}`);
  await expect(whySection(page).locator(".why__level")).toHaveCount(6);
  await capture(page, "04-incident-tree");

  await page.getByRole("navigation", { name: "Incident" }).getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("region", { name: "History" })).toContainText(`${ADMIN.name} · Reported ${ref}`);
  await capture(page, "05-history");

  await page.goto("/admin/users");
  await expect(page.getByRole("cell", { name: member.email })).toBeVisible();
  await capture(page, "06-people");

  const phone = await freshContext(browser, {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    storageState: "tests/e2e/.auth/admin.json",
  });
  const phonePage = await phone.newPage();
  await phonePage.goto(`/incidents/${ref}`);
  await expect(whySection(phonePage).locator(".why__level")).toHaveCount(6);
  // Nothing is wider than the phone's screen.
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await capture(phonePage, "07-incident-phone");
  await phonePage.goto("/incidents");
  await capture(phonePage, "08-incident-list-phone");
  await phone.close();
  expect(overflow, "horizontal overflow on a 390px-wide phone, in px").toBeLessThanOrEqual(0);
});

test("the compact tree with the quick row and an action on a card, desktop and phone", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await reportIncident(page, {
    title: `Website down: front-end servers at 100% CPU ${unique("shot")}`,
    severity: "SEV2",
    // Long before the other specs' incidents, so it does not push theirs off the list's first page.
    startedAt: "2025-01-14T14:02",
    summary: "A deploy shipped an *infinite loop*; CPU pinned at 100% on every front-end server.",
  });
  await addChain(page, RIES_CHAIN.slice(0, 4));
  const card = whyCard(page, RIES_CHAIN[1].answer);
  await card.getByText("Add an action here", { exact: true }).click();
  await card.getByLabel("Due date", { exact: true }).fill("2099-11-20");
  await card.getByRole("button", { name: /^Add action: / }).click();
  await expect(card.locator(".why-actions > li")).toContainText([RIES_CHAIN[1].remediation!]);
  // The next level typed in the quick row, as the facilitator is about to press Enter.
  const last = whyCard(page, RIES_CHAIN[3].answer);
  await last.getByLabel("Level 5 answer").fill(RIES_CHAIN[4].answer);
  await last.getByLabel("Level 5 remediation").fill(RIES_CHAIN[4].remediation!);
  const section = whySection(page);
  await section.screenshot({ path: screenshotPath("quick-add-desktop") });

  const phone = await freshContext(browser, {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    storageState: "tests/e2e/.auth/admin.json",
  });
  const phonePage = await phone.newPage();
  await phonePage.goto(page.url().replace(/#.*$/, ""));
  await expect(whySection(phonePage).locator(".why__level")).toHaveCount(4);
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  // One screenful: the level 2 card with its action, and its quick row being filled in.
  const level2 = whyCard(phonePage, RIES_CHAIN[1].answer);
  await level2.getByLabel("Level 3 answer").fill("An engineer's change had a loop");
  await level2.evaluate((card) => card.scrollIntoView());
  await phonePage.screenshot({ path: screenshotPath("quick-add-phone") });
  await phone.close();
  expect(overflow, "horizontal overflow on a 390px-wide phone, in px").toBeLessThanOrEqual(0);
});

/** Where a screenshot of part of a page goes: tests/e2e/screenshots/<name>.png, beside the full-page ones. */
function screenshotPath(name: string): string {
  return path.join(test.info().project.testDir, "screenshots", `${name}.png`);
}

test("the API tokens page and the API reference, desktop and phone", async ({ page, browser }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/account/tokens");
  await page.getByLabel("Name").fill("deploy pipeline");
  await page.getByRole("radio", { name: "Read and change" }).check();
  await page.getByRole("button", { name: "Make token" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Copy it now" })).toBeVisible();
  await capture(page, "40-api-tokens");
  await page.goto("/api");
  await expect(page.getByRole("heading", { name: "POST /incidents/{ref}/whys", exact: true })).toBeVisible();
  await page.screenshot({ path: path.join(test.info().project.testDir, "screenshots", "41-api-reference.png") });
  await page.goto("/api#addWhy");
  await page.screenshot({ path: path.join(test.info().project.testDir, "screenshots", "41-api-reference-operation.png") });
  const phone = await freshContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: "tests/e2e/.auth/admin.json" });
  const phonePage = await phone.newPage();
  await phonePage.goto("/account/tokens");
  await expect(phonePage.getByRole("heading", { name: "Your tokens" })).toBeVisible();
  await capture(phonePage, "42-api-tokens-phone");
  await phonePage.goto("/api");
  await expect(phonePage.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  await phonePage.screenshot({ path: path.join(test.info().project.testDir, "screenshots", "43-api-reference-phone.png") });
  await phone.close();
});
