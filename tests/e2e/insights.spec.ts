// Insights: after two incidents whose whys share a cause category, the admin sees the charts as
// images with their numbers in tables, narrows them to one service, and follows a recurring cause
// to the incident it came up in; without JavaScript too. Values the page cannot read are
// reported, never a failure.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { BASE_URL, capture, fillWhyForm, moveTo, openWhyTool, reportIncident, unique, whyCard, whySection, type WhyInput } from "./helpers";

/** "YYYY-MM-DDTHH:MM" in UTC, `days` before now, for the incident form. */
function daysAgo(days: number, minutes = 0): string {
  return new Date(Date.now() - days * 86_400_000 + minutes * 60_000).toISOString().slice(0, 16);
}

type CategorisedWhy = WhyInput & { category: string };

/** Adds the first why with its cause category, through the form shown while the tree is empty. */
async function addFirstCategorisedWhy(page: Page, why: CategorisedWhy) {
  const section = whySection(page);
  await fillWhyForm(section, 1, why);
  await section.getByLabel("Cause category").selectOption({ label: why.category });
  await section.getByRole("button", { name: "Add the first why" }).click();
  await expect(whyCard(page, why.answer)).toContainText(`Cause: ${why.category}`);
}

/** Reports an incident on `service` and files its whys, in a chain, under the given categories. */
async function incidentWithCauses(page: Page, input: { title: string; service: string; startedDaysAgo: number; whys: CategorisedWhy[] }) {
  const ref = await reportIncident(page, {
    title: input.title,
    severity: "SEV2",
    startedAt: daysAgo(input.startedDaysAgo),
    detectedAt: daysAgo(input.startedDaysAgo, 12),
    resolvedAt: daysAgo(input.startedDaysAgo, 90),
    services: input.service,
  });
  await moveTo(page, "Start the analysis", "Analysis");
  const [first, ...deeper] = input.whys;
  await addFirstCategorisedWhy(page, first);
  let parent = first.answer;
  for (const [i, why] of deeper.entries()) {
    const details = await openWhyTool(page, parent, "Ask why again");
    await fillWhyForm(details, i + 2, why);
    await details.getByLabel("Cause category").selectOption({ label: why.category });
    await details.getByRole("button", { name: "Add the deeper why" }).click();
    await expect(whyCard(page, why.answer)).toContainText(`Cause: ${why.category}`);
    parent = why.answer;
  }
  return ref;
}

/** The figure in the headline list whose term is `term`. */
function headline(page: Page, term: string): Locator {
  return page
    .getByRole("region", { name: "In figures" })
    .locator("dl > div")
    .filter({ has: page.locator("dt", { hasText: new RegExp(`^${term}$`) }) })
    .locator("dd");
}

test("insights: charts with tables, a filter, and a recurring cause leading to its incident", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const service = unique("insights-svc").toLowerCase();
  const older = await incidentWithCauses(page, {
    title: `Config push took down checkout ${unique("t")}`,
    service,
    startedDaysAgo: 40,
    whys: [{ question: "Why did checkout fail?", answer: "A feature flag file had a syntax error", category: "Configuration" }],
  });
  const newerTitle = `Stale config after deploy ${unique("t")}`;
  const newer = await incidentWithCauses(page, {
    title: newerTitle,
    service,
    startedDaysAgo: 3,
    whys: [
      { question: "Why were old settings served?", answer: "The config cache was never invalidated", category: "Configuration" },
      { question: "Why was the cache not invalidated?", answer: "No test covers a config reload", category: "Testing gap" },
    ],
  });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Insights" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Insights" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Whys by cause category" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Incidents per month by severity" })).toBeVisible();
  await expect(page.getByRole("img", { name: /Median time to detect and to resolve/ })).toBeVisible();
  await capture(page, "20-insights");

  // Only this service's two incidents: the filter form is a plain GET form.
  await page.getByLabel("Service").selectOption(service);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]service=${service}`));
  await expect(headline(page, "Incidents")).toHaveText("2");
  await expect(headline(page, "Whys asked")).toHaveText("3");
  // 12 and 12 minutes to detect, 90 and 90 to resolve.
  await expect(headline(page, "Median time to detect")).toHaveText("12 min");
  await expect(headline(page, "Median time to resolve")).toHaveText("1 h 30 min");

  // The Pareto's numbers, as a table: Configuration has 2 of the 3 whys, in 2 incidents.
  await page.getByText("Show as table: Whys by cause category").click();
  const causes = page.getByRole("table", { name: "Whys by cause category" });
  await expect(causes).toBeVisible();
  const configuration = causes.getByRole("row", { name: /^Configuration/ });
  await expect(configuration.getByRole("cell")).toHaveText(["2", "66.7%", "66.7%", "2"]);
  await expect(causes.getByRole("row", { name: /^Testing gap/ }).getByRole("cell")).toHaveText(["1", "33.3%", "100%", "1"]);

  await page.getByText("Show as table: Incidents per month by severity").click();
  const perMonth = page.getByRole("table", { name: "Incidents per month by severity" });
  const totals = await perMonth.locator("tbody tr td:last-child").allTextContents();
  expect(totals.map(Number).reduce((a, b) => a + b, 0)).toBe(2);

  // Configuration recurs: both incidents are listed under it, the newer first, and lead to the incident.
  const recurring = page.getByRole("region", { name: "Recurring causes" });
  const cause = recurring.getByRole("listitem").filter({ has: page.getByRole("heading", { name: /^Configuration/ }) });
  await expect(cause.getByRole("heading")).toContainText("in 2 incidents, 2 whys");
  await expect(cause.getByRole("link", { name: /^INC-/ })).toHaveText([new RegExp(`^${newer}`), new RegExp(`^${older}`)]);
  await capture(page, "21-insights-filtered");
  await cause.getByRole("link", { name: new RegExp(`^${newer}`) }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${newer}$`));
  await expect(page.getByRole("heading", { level: 1, name: newerTitle })).toBeVisible();

  // Without JavaScript the charts are there, the filter is a plain GET and the tables open.
  const context = await browser.newContext({ baseURL: BASE_URL, storageState: "tests/e2e/.auth/admin.json", javaScriptEnabled: false });
  const noJs = await context.newPage();
  await noJs.goto(`/insights?service=${service}`);
  await expect(noJs.getByRole("img", { name: "Whys by cause category" })).toBeVisible();
  await noJs.getByLabel("Started from").fill(daysAgo(10).slice(0, 10));
  const [response] = await Promise.all([
    noJs.waitForResponse((r) => new URL(r.url()).pathname === "/insights"),
    noJs.getByRole("button", { name: "Apply" }).click(),
  ]);
  expect(response.request().resourceType()).toBe("document");
  await expect(noJs).toHaveURL(new RegExp(`from=${daysAgo(10).slice(0, 10)}`));
  await expect(headline(noJs, "Incidents")).toHaveText("1");
  await noJs.getByText("Show as table: Whys by cause category").click();
  await expect(noJs.getByRole("table", { name: "Whys by cause category" }).getByRole("row", { name: /^Configuration/ }).getByRole("cell").first()).toHaveText("1");
  await context.close();
});

test("insights: values it cannot read are reported and left out", async ({ page }) => {
  const response = await page.goto("/insights?from=2026-13-45&to=not-a-date&team=");
  expect(response?.status()).toBe(200);
  const notices = page.getByRole("status").filter({ hasText: "was not understood" });
  await expect(notices).toContainText("The start date “2026-13-45” was not understood, so it was left out.");
  await expect(notices).toContainText("The end date “not-a-date” was not understood, so it was left out.");
  // The period falls back to the last twelve months, shown in the form.
  await expect(page.getByLabel("Started until")).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);

  await page.goto("/insights?from=2026-06-30&to=2026-01-01");
  await expect(page.getByRole("status")).toContainText("The start date was after the end date, so the two were swapped.");
  await expect(page.getByLabel("Started from")).toHaveValue("2026-01-01");
  await expect(page.getByLabel("Started until")).toHaveValue("2026-06-30");
});
