// Publishing to the whole company: a published analysis shows in the learnings feed and on its
// own page for another member; restricted ones never do; it exports as Markdown, it is in the
// Atom feed (with a session or a private token), and republishing updates what readers see.
import { expect, request as playwrightRequest, test, type Page } from "@playwright/test";
import { addFirstWhy, addMember, BASE_URL, capture, moveTo, pageFor, reportIncident, SIGNED_OUT, statusBadge, unique } from "./helpers";

async function publishedIncident(page: Page, title: string, visibility: "org" | "restricted" = "org") {
  const ref = await reportIncident(page, {
    title,
    severity: "SEV2",
    startedAt: "2026-11-02T08:00",
    resolvedAt: "2026-11-02T08:50",
    services: "search",
    summary: "Search returned **stale results** for 50 minutes after an index rebuild stalled.",
    visibility,
  });
  await moveTo(page, "Start the analysis", "Analysis");
  await addFirstWhy(page, {
    question: "Why were results stale?",
    answer: "The index rebuild stalled on a full disk",
    remediation: "Alert on index rebuild duration",
    noActionReason: "The alert was added during the response",
  });
  await moveTo(page, "Send for review", "Review");
  await moveTo(page, "Publish", "Published");
  return ref;
}

test("published analyses reach everyone: feed, reader page, Markdown, Atom, republish", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const reader = await addMember(page, { team: "Mobile" });
  const title = `Stale search results ${unique("t")}`;
  const secretTitle = `Security: leaked token ${unique("t")}`;
  const ref = await publishedIncident(page, title);
  await publishedIncident(page, secretTitle, "restricted");

  // Another member reads the feed: a card with what happened, the whys and the fixes.
  const rPage = await pageFor(browser, reader);
  await rPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Learnings" }).click();
  const card = rPage.getByRole("article").filter({ hasText: title });
  await expect(card).toContainText("Search returned stale results for 50 minutes");
  await expect(card.getByRole("region", { name: "Why" })).toContainText("The index rebuild stalled on a full disk");
  await expect(card.getByRole("region", { name: "What we change" })).toContainText("Alert on index rebuild duration");
  await expect(card).toContainText("Services: search");
  await expect(rPage.getByText(secretTitle)).toHaveCount(0);
  await capture(rPage, "12-learnings");

  // Filters.
  await rPage.getByLabel("Service").selectOption("search");
  await rPage.getByRole("button", { name: "Filter" }).click();
  await expect(rPage.getByRole("article").filter({ hasText: title })).toBeVisible();
  await rPage.getByLabel("Severity").selectOption("SEV4");
  await rPage.getByRole("button", { name: "Filter" }).click();
  await expect(rPage.getByText("No published analyses match.")).toBeVisible();

  // The page for someone who was not there.
  await rPage.goto(`/learnings/${ref}`);
  await expect(rPage.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(rPage.getByRole("region", { name: "What happened" })).toContainText("stale results");
  await expect(rPage.getByRole("region", { name: "Why it happened, and what we change at each level" })).toContainText(
    "Alert on index rebuild duration",
  );
  await capture(rPage, "13-learning-page");

  // Markdown export.
  const md = await rPage.request.get(`/incidents/${ref}.md`);
  expect(md.status()).toBe(200);
  expect(md.headers()["content-type"]).toContain("text/markdown");
  const text = await md.text();
  expect(text).toContain(`# ${ref}: ${title}`);
  expect(text).toContain("1. **Why were results stale?** The index rebuild stalled on a full disk");

  // Atom: well-formed XML with the published analysis and never the restricted one.
  const atom = await rPage.request.get("/learnings.atom");
  expect(atom.headers()["content-type"]).toContain("application/atom+xml");
  const xml = await atom.text();
  const parsed = await rPage.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, "application/xml");
    return {
      error: doc.getElementsByTagName("parsererror").length,
      root: doc.documentElement.localName,
      titles: [...doc.getElementsByTagName("entry")].map((e) => e.getElementsByTagName("title")[0]?.textContent ?? ""),
    };
  }, xml);
  expect(parsed.error).toBe(0);
  expect(parsed.root).toBe("feed");
  expect(parsed.titles).toContain(`${ref} (SEV2): ${title}`);
  expect(parsed.titles.join("\n")).not.toContain(secretTitle);

  // A feed reader without a session uses the private link; without it, nothing.
  await rPage.goto("/learnings");
  const feedUrl = (await rPage.getByRole("link", { name: "Atom feed" }).getAttribute("href")) ?? "";
  expect(feedUrl).toMatch(/\/learnings\.atom\?token=[\w-]+$/);
  const anonymous = await playwrightRequest.newContext({ baseURL: BASE_URL, storageState: SIGNED_OUT });
  expect((await anonymous.get(new URL(feedUrl).pathname + new URL(feedUrl).search)).status()).toBe(200);
  expect((await anonymous.get("/learnings.atom")).status()).toBe(401);
  expect((await anonymous.get("/learnings.atom?token=wrong")).status()).toBe(401);
  await anonymous.dispose();

  // An edit after publishing: the reader page says so; republishing shows the new version.
  await page.goto(`/incidents/${ref}/edit`);
  await page.getByLabel("Title", { exact: true }).fill(`${title} (revised)`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("region", { name: "Facts" })).toContainText("Updated since publication: 1 change");
  await rPage.goto(`/learnings/${ref}`);
  await expect(rPage.getByRole("note")).toContainText("Updated since publication");
  await expect(rPage.getByRole("heading", { level: 1 })).toHaveText(title);
  await page.getByRole("region", { name: "Lifecycle" }).getByRole("button", { name: "Republish" }).click();
  await expect(page.getByRole("status")).toContainText(`${ref} is republished (revision 2)`);
  await expect(statusBadge(page)).toHaveText("Published");
  await rPage.reload();
  await expect(rPage.getByRole("heading", { level: 1 })).toHaveText(`${title} (revised)`);
  await expect(rPage.getByRole("note")).toHaveCount(0);
  await rPage.context().close();
});
