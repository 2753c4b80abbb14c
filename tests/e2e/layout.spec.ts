// Layout holds for what people type: every field seeded with one long unbroken word (as long as
// its limit allows), on a desktop and on a phone. No page scrolls sideways, the main menu folds
// away on a phone, and the buttons of a list stay on the screen.
import { expect, test } from "@playwright/test";
import { capture } from "./helpers";
import { DESKTOP, PHONE, openAs, sidewaysOverflow, withLongWordsServer } from "./long-words-server";

test("long unbroken words wrap on every page at 1280 px and at 390 px, and a phone gets a folded menu and buttons it can reach", async ({ browser }) => {
  test.setTimeout(240_000);
  await withLongWordsServer(async (pages) => {
    for (const [size, options] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
      const width = options.viewport!.width;
      const overflowing: string[] = [];
      for (const signedOut of [false, true]) {
        const page = await openAs(browser, options, signedOut);
        for (const pathname of signedOut ? pages.signedOut : pages.signedIn) {
          const response = await page.goto(pathname);
          expect(response?.status(), pathname).toBeLessThan(pathname.startsWith("/set-password") ? 500 : 400);
          const overflow = await sidewaysOverflow(page);
          if (overflow > 0) overflowing.push(`${pathname}: ${overflow} px wider than ${width}`);
          if (size === "phone") await capture(page, `layout-phone${pathname.replace(/\/unsubscribe\/.*/, "/unsubscribe").replace(/[/?=]+/g, "-")}`);
        }
        await page.context().close();
      }
      expect(overflowing, `pages that scroll sideways at ${width} px`).toEqual([]);
    }

    const phone = await openAs(browser, PHONE);
    // The main menu is folded behind one button; opened, it offers every section.
    await phone.goto("/actions/all");
    const header = phone.getByRole("banner");
    expect((await header.boundingBox())!.height).toBeLessThan(120);
    const main = phone.getByRole("navigation", { name: "Main" });
    await expect(main).toBeHidden();
    await header.getByText("Menu", { exact: true }).click();
    await expect(main.getByRole("link", { name: "Learnings" })).toBeInViewport();
    await expect(header.getByRole("button", { name: "Sign out" })).toBeInViewport();

    // Each action's status buttons are within the screen's width.
    for (const button of await phone.getByRole("button", { name: /^Mark done/ }).all()) {
      await button.scrollIntoViewIfNeeded();
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await phone.getByRole("button", { name: /^Mark done/ }).count()).toBeGreaterThan(0);
    await phone.context().close();
  });
});
