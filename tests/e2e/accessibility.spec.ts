// axe-core over every page, signed in as an admin on an incident that has whys, actions, a
// timeline and a published learning, and signed out, at desktop and phone width: no serious or
// critical violation of WCAG 2 A/AA and 2.1 AA. The phone's menu is checked opened as well.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { DESKTOP, PHONE, openAs, withLongWordsServer } from "./long-words-server";

/** The serious and critical violations on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  // The digest page's preview is the email itself, in a sandboxed frame without scripts: axe is
  // left out of it (gathering a frame's results opens a page of its own, which Chromium refused
  // here at random); the email's markup is tested where it is built.
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).exclude(".email-frame").analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(" ")}: ${v.help}. ${n.failureSummary?.replace(/\s+/g, " ") ?? ""}`));
}

// The phone's width without touch emulation: axe opens a page of its own to gather its results,
// which Chromium refuses in a mobile-emulated context.
const PHONE_WIDTH = { viewport: PHONE.viewport };

for (const [size, options] of [["desktop", DESKTOP], ["phone", PHONE_WIDTH]] as const) {
  test(`no serious or critical axe violations on any page, signed in and out, on a ${size}`, async ({ browser }) => {
    // axe reads every node of a page: about 3 s a page on a busy machine, 23 pages.
    test.setTimeout(300_000);
    await withLongWordsServer(async (pages) => {
      const found: string[] = [];
      for (const signedOut of [false, true]) {
        const page = await openAs(browser, options, signedOut);
        for (const pathname of signedOut ? pages.signedOut : pages.signedIn) {
          await page.goto(pathname);
          for (const v of await violations(page)) found.push(`${pathname}: ${v}`);
        }
        if (!signedOut && size === "phone") {
          await page.goto("/incidents/INC-1");
          await page.getByRole("banner").getByText("Menu", { exact: true }).click();
          await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
          for (const v of await violations(page)) found.push(`/incidents/INC-1 with the menu open: ${v}`);
        }
        await page.context().close();
      }
      expect(found, `axe violations on a ${size}:\n${found.join("\n")}\n`).toEqual([]);
    });
  });
}

test("repeated buttons and disclosures say which item they act on", async ({ browser }) => {
  await withLongWordsServer(async () => {
    const page = await openAs(browser, DESKTOP);
    await page.goto("/actions/all");
    // Two actions, each with its own "Mark done" named after its title.
    await expect(page.getByRole("button", { name: /^Mark done: OverdueactionUnbrokenword/ })).toHaveCount(1);
    await expect(page.getByRole("button", { name: /^Mark done: OpenactionUnbrokenword/ })).toHaveCount(1);
    await expect(page.getByRole("button", { name: /^Start: OverdueactionUnbrokenword/ })).toHaveCount(1);

    await page.goto("/incidents/INC-1");
    // Every button and disclosure that repeats per why, action or entry names its item.
    const repeated = await page.locator("button, summary").evaluateAll((els) =>
      els.map((e) => (e.getAttribute("aria-label") ?? e.textContent ?? "").replace(/\s+/g, " ").trim()),
    );
    for (const bare of ["Mark done", "Start", "Edit", "Delete", "Remove", "Won't do", "Ask why again", "Add another answer"]) {
      expect(repeated.filter((n) => n === bare), `a bare “${bare}”`).toEqual([]);
    }
    expect(repeated.filter((n) => n.startsWith("Mark done: ")).length).toBe(2);

    // Each blameless-wording finding's controls name the words, the field and the why's level.
    await page.goto("/incidents/INC-2");
    const findingControls = await page.locator(".blame--saved").locator("button, summary").evaluateAll((els) =>
      els.map((e) => (e.getAttribute("aria-label") ?? e.textContent ?? "").replace(/\s+/g, " ").trim()),
    );
    expect(findingControls.some((n) => n.startsWith("Keep this wording…: “careless” in the answer at level 1, “Why"))).toBe(true);
    for (const bare of ["Use the suggested wording", "Keep this wording…", "Acknowledge", "Withdraw"]) {
      expect(findingControls.filter((n) => n === bare), `a bare “${bare}”`).toEqual([]);
    }
    expect(new Set(findingControls).size, "no two controls of the findings share a name").toBe(findingControls.length);
    await page.context().close();
  });
});
