// A server of its own on the database tests/e2e/seed-long-words.ts writes, and the pages the
// layout and accessibility specs visit on it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { databaseOf, exited, freshDataDir, OWN_BASE, startServer } from "./own-server";
import { LONG_WORDS_ADMIN, SEARCH_WORD, UNSUBSCRIBE_PATH_FILE } from "./seed-long-words";

/** Every page a signed-in admin reaches, on the seeded data (INC-1 is published, INC-2 restricted). */
export const SIGNED_IN_PAGES = [
  "/incidents",
  "/incidents/new",
  "/incidents/INC-1",
  "/incidents/INC-1/edit",
  "/incidents/INC-1/history",
  "/incidents/INC-1/actions/new",
  "/incidents/INC-2",
  "/actions/1",
  "/actions",
  "/actions/all",
  "/actions/overdue",
  "/actions/summary",
  "/insights",
  "/learnings",
  "/learnings/INC-1",
  `/search?q=${SEARCH_WORD}`,
  "/digest",
  "/digest/1",
  "/account",
  "/account/tokens",
  "/api",
  "/admin/users",
  "/admin/users/2/remove",
  "/admin/categories",
  "/admin/settings",
  "/admin/sign-in",
  "/admin/outbox",
  "/admin/tokens",
  "/admin/deploy-gate",
  "/admin/webhooks",
];

/** Pages for someone signed out; the seeded subscriber's unsubscribe page is added when served. */
export const SIGNED_OUT_PAGES = ["/signin", "/forgot-password", "/set-password/not-a-real-token", "/digest/mailing-list"];

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };

/** The pages to visit on the seeded server, signed in and signed out. */
export type LongWordsPages = { signedIn: string[]; signedOut: string[] };

/** Seeds the long-words database, starts a server on it, runs `body`, then stops and removes it. */
export async function withLongWordsServer(body: (pages: LongWordsPages) => Promise<void>) {
  const dataDir = freshDataDir();
  // The seed writes the server's database with the server's settings: on SQLite it makes the
  // session secret in the data folder, and the server signs with the same one.
  const { env } = await databaseOf(dataDir);
  execFileSync(process.execPath, ["--import", "tsx", "tests/e2e/seed-long-words.ts", "--dir", dataDir], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, ...env },
  });
  const unsubscribe = fs.readFileSync(path.join(dataDir, UNSUBSCRIBE_PATH_FILE), "utf8");
  const server = await startServer(dataDir, { env: { APP_URL: OWN_BASE } });
  try {
    await body({ signedIn: SIGNED_IN_PAGES, signedOut: [...SIGNED_OUT_PAGES, unsubscribe] });
  } finally {
    server.kill("SIGTERM");
    await exited(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A page in a fresh context at the given size; signed in as the seeded admin unless `signedOut`. */
export async function openAs(browser: Browser, options: BrowserContextOptions, signedOut = false): Promise<Page> {
  const context = await browser.newContext({ ...options, baseURL: OWN_BASE, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  if (!signedOut) {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(LONG_WORDS_ADMIN.email);
    await page.getByLabel("Password").fill(LONG_WORDS_ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/(incidents|actions)$/);
  }
  return page;
}

/** How far the page reaches past the window's right edge, in px (0 when nothing scrolls sideways). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  // The window's width as set, not innerWidth: a phone zooms out to show a page wider than it.
  const width = page.viewportSize()!.width;
  return (await page.evaluate(() => document.documentElement.scrollWidth)) - width;
}
