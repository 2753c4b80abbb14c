// Search: one box in the header finds incidents, whys, remediations, timeline entries and
// actions; restricted incidents stay invisible to people who may not see them.
import { expect, test, type Page } from "@playwright/test";
import { addFirstWhy, addMember, capture, freshContext, pageFor, reportIncident, unique, whyItem } from "./helpers";

// One token for the full-text index (letters and digits only), unique to this run.
const run = Date.now().toString(36);
const word = (stem: string) => `${stem}${run}`;

async function searchFromHeader(page: Page, text: string) {
  const box = page.getByRole("search", { name: "Search Hindsight" }).getByLabel("Search");
  // On a phone (640 px or narrower) the search box is in the folded menu.
  if (page.viewportSize()!.width <= 640) await page.getByRole("banner").getByText("Menu", { exact: true }).click();
  await box.fill(text);
  await box.press("Enter");
  await expect(page).toHaveURL(/\/search\?q=/);
}

function results(page: Page) {
  return page.getByRole("region", { name: /results? for/ });
}

test("finds a why by a word in its answer, highlights the word and leads to the why", async ({ page, browser }) => {
  const cold = word("zephyrine");
  const warm = word("frostwarm");
  const title = `Checkout latency after deploy ${unique("t")}`;
  const ref = await reportIncident(page, { title, severity: "SEV2", services: "checkout" });
  await addFirstWhy(page, {
    question: "Why was checkout slow?",
    answer: `The ${cold} cache was cold after the deploy`,
    remediation: `Warm the ${warm} cache before switching traffic`,
  });
  const whyId = await whyItem(page, cold).getAttribute("id");
  expect(whyId).toMatch(/^why-\d+$/);

  await searchFromHeader(page, cold);
  await expect(page.getByRole("heading", { level: 1, name: "Search" })).toBeVisible();
  await expect(page.getByRole("heading", { name: `1 result for “${cold}”` })).toBeVisible();
  const hit = results(page).getByRole("listitem");
  await expect(hit).toHaveCount(1);
  await expect(hit.locator(".search-kind")).toHaveText("Why");
  await expect(hit).toContainText(`${ref}${title}`);
  await expect(hit).toContainText("SEV2");
  await expect(hit).toContainText("Draft");
  await expect(hit).toContainText(`Answer: The ${cold} cache was cold after the deploy`);
  await expect(hit.locator("mark")).toHaveText(cold);
  // The search box on the page holds what was searched for.
  await expect(page.getByRole("search", { name: "Search incidents" }).getByLabel("Search for")).toHaveValue(cold);
  await capture(page, "search-results");

  // A word from the remediation is labelled as a remediation.
  await searchFromHeader(page, warm);
  const remediation = results(page).getByRole("listitem");
  await expect(remediation.locator(".search-kind")).toHaveText("Remediation");
  await expect(remediation).toContainText(`Remediation: Warm the ${warm} cache before switching traffic`);

  // The start of a word is enough, as people type.
  await searchFromHeader(page, cold.slice(0, 7));
  await results(page).getByRole("link", { name: "Why was checkout slow?" }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${ref}#${whyId}$`));
  await expect(page.locator(`#${whyId}`)).toBeInViewport();

  // A phone: the header box and the results fit the screen.
  const phone = await freshContext(browser, {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    storageState: "tests/e2e/.auth/admin.json",
  });
  const phonePage = await phone.newPage();
  await phonePage.goto("/incidents");
  await searchFromHeader(phonePage, cold);
  await expect(results(phonePage).getByRole("listitem")).toHaveCount(1);
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await capture(phonePage, "search-results-phone");
  await phone.close();
  expect(overflow, "horizontal overflow on a 390px-wide phone, in px").toBeLessThanOrEqual(0);
});

test("a restricted incident is found by its participants and the admin, and by nobody else", async ({ page, browser }) => {
  const participant = await addMember(page, { team: "Security" });
  const outsider = await addMember(page, { team: "Marketing" });
  const secret = word("quillon");
  const title = `Token printed in build logs ${unique("t")}`;
  const ref = await reportIncident(page, { title, severity: "SEV1", visibility: "restricted" });
  await page.getByRole("link", { name: "Edit details and people" }).click();
  await page.getByRole("region", { name: "People" }).getByRole("checkbox", { name: participant.name }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Incident saved.");
  await addFirstWhy(page, {
    question: "Why was the token printed?",
    answer: `The ${secret} deploy script echoed its environment`,
  });

  // The admin finds it.
  await searchFromHeader(page, secret);
  await expect(page.getByRole("heading", { name: `1 result for “${secret}”` })).toBeVisible();
  await expect(results(page).getByRole("listitem")).toContainText("Restricted");

  // The participant finds it too.
  const pPage = await pageFor(browser, participant);
  await searchFromHeader(pPage, secret);
  await expect(results(pPage).getByRole("listitem")).toHaveCount(1);
  await expect(results(pPage).getByRole("listitem")).toContainText(ref);
  await pPage.context().close();

  // Someone who does not take part finds nothing: no result, no count, no title, not even
  // when searching for words of its title.
  const oPage = await pageFor(browser, outsider);
  await searchFromHeader(oPage, secret);
  await expect(oPage.getByText(`No results for “${secret}”.`)).toBeVisible();
  await expect(oPage.getByText(ref)).toHaveCount(0);
  await expect(oPage.getByText(title)).toHaveCount(0);
  await searchFromHeader(oPage, `token printed ${title.split(" ").pop()}`);
  await expect(oPage.getByText(/^No results for/)).toBeVisible();
  await expect(oPage.getByText(title)).toHaveCount(0);
  await oPage.context().close();
});

test("bad input gives a page, never an error", async ({ page }) => {
  const response = await page.goto(`/search?q=${encodeURIComponent('"NEAR(')}&severity=SEV9&status=gone&service=no-such-service&from=2026-13-45&page=abc`);
  expect(response?.status()).toBe(200);
  await expect(page.getByText("No results for “\"NEAR(”.")).toBeVisible();
  // The nonsense filters were dropped, not kept in the form.
  await expect(page.getByLabel("Severity")).toHaveValue("");
  await expect(page.getByLabel("Service")).toHaveValue("");
  await expect(page.getByLabel("Started from")).toHaveValue("");

  await page.goto(`/search?q=${encodeURIComponent("*** :: --")}`);
  await expect(page.getByText("There is nothing to search for in “*** :: --”.")).toBeVisible();

  // A period that ends before it starts is pointed out beside the field.
  await page.goto("/search?q=deploy&from=2026-10-10&to=2026-10-01");
  await expect(page.getByLabel("Started until")).toHaveAccessibleDescription("The end date is before the start date.");
});

test("works without JavaScript", async ({ browser }) => {
  const context = await freshContext(browser, { javaScriptEnabled: false, storageState: "tests/e2e/.auth/admin.json" });
  const page = await context.newPage();
  const plain = word("ozokerite");
  await reportIncident(page, { title: `Disk filled by ${plain} logs`, severity: "SEV3" });
  await searchFromHeader(page, plain);
  await expect(results(page).getByRole("listitem")).toHaveCount(1);
  await expect(results(page).locator("mark")).toHaveText(plain);
  await page.getByRole("search", { name: "Search incidents" }).getByLabel("Severity").selectOption("SEV1");
  await page.getByRole("search", { name: "Search incidents" }).getByRole("button", { name: "Search" }).click();
  await expect(page.getByText(`No results for “${plain}” with these filters.`)).toBeVisible();
  await context.close();
});
