// Taking an incident away: a Markdown file to save, and a printed report.
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { addMember, freshContext, pageFor, reportIncident, unique } from "./helpers";

test("the incident page downloads the analysis as a Markdown file named after it, and prints", async ({ page }) => {
  const tag = unique("t");
  const title = `Café "checkout" / 50% down ${tag}`;
  // window.print opens the browser's dialog: count the calls instead.
  await page.addInitScript(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => void ((window as unknown as { printed: number }).printed += 1);
  });
  const ref = await reportIncident(page, { title, summary: "Card payments failed for a third of customers." });

  const header = page.getByRole("article").locator("header");
  const saved = page.waitForEvent("download");
  await header.getByRole("link", { name: "Download Markdown" }).click();
  const download = await saved;
  expect(download.suggestedFilename()).toBe(`${ref}-café-checkout-50-down-${tag}.md`);
  const text = fs.readFileSync((await download.path())!, "utf8");
  expect(text).toContain(`# ${ref}: ${title}`);
  expect(text).toContain("Card payments failed for a third of customers.");

  await header.getByRole("button", { name: "Print" }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
});

test("without JavaScript the download is there and no Print button that would do nothing", async ({ browser, page }) => {
  const title = `Queue backlog ${unique("t")}`;
  const ref = await reportIncident(page, { title });
  const context = await freshContext(browser, { javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await context.newPage();
  await plain.goto(`/incidents/${ref}`);
  const header = plain.getByRole("article").locator("header");
  await expect(header.getByRole("link", { name: "Download Markdown" })).toHaveAttribute("href", `/incidents/${ref}.md`);
  await expect(plain.getByRole("button", { name: "Print" })).toHaveCount(0);
  await context.close();
});

test("someone outside a restricted incident cannot download it", async ({ page, browser }) => {
  const outsider = await addMember(page);
  const title = `Credential leak ${unique("t")}`;
  const ref = await reportIncident(page, { title, visibility: "restricted" });
  const response = await page.request.get(`/incidents/${ref}.md`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-disposition"]).toMatch(/^attachment;/);

  const oPage = await pageFor(browser, outsider);
  const refused = await oPage.request.get(`/incidents/${ref}.md`);
  expect(refused.status()).toBe(404);
  expect(await refused.text()).not.toContain(title);
  await oPage.context().close();
});
