// First run (scenario 1). The server starts on an empty database: no accounts at all. The
// first visitor is sent to /setup and creates the first account, which becomes the admin.
// Its session is saved for every other spec (playwright.config.ts: storageState).
import { expect, test as setup } from "@playwright/test";
import { ADMIN, BASE_URL, freshContext } from "./helpers";

const ADMIN_STATE = "tests/e2e/.auth/admin.json";

setup("first run: / leads to /setup, the first account becomes the admin, /setup is then closed", async ({ page, browser }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Create the first account" })).toBeVisible();
  // Signing in is not possible yet either: /signin sends to /setup as well.
  await page.goto("/signin");
  await expect(page).toHaveURL(/\/setup$/);

  await page.getByLabel("Your name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Team").fill(ADMIN.team);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create the admin account" }).click();

  await expect(page).toHaveURL(/\/incidents$/);
  await expect(page.getByRole("status")).toHaveText(`Welcome, ${ADMIN.name}. You are Hindsight's first admin.`);
  const nav = page.getByRole("navigation", { name: "Admin" });
  await expect(nav.getByRole("link", { name: "People" })).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(ADMIN.name);
  await expect(page.getByRole("heading", { level: 1, name: "Incidents" })).toBeVisible();

  // The admin is listed on the People page as an admin.
  await nav.getByRole("link", { name: "People" }).click();
  const row = page.getByRole("row").filter({ hasText: ADMIN.email });
  await expect(row.getByRole("cell").nth(3)).toHaveText("Admin");

  // Setup is closed now: signed in it leads into the app, signed out to the sign-in page.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup$/);
  await expect(page).toHaveURL(/\/(signin|incidents)$/);
  const stranger = await freshContext(browser);
  const strangerPage = await stranger.newPage();
  await strangerPage.goto("/setup");
  await expect(strangerPage).toHaveURL(/\/signin$/);
  await expect(strangerPage.getByRole("heading", { name: "Sign in to Hindsight" })).toBeVisible();
  // A second "first admin" posted directly is refused as well.
  await strangerPage.request.post("/setup", {
    form: { name: "Mallory", email: "mallory@example.com", team: "", password: "another-password-1" },
    headers: { Origin: BASE_URL },
  });
  await stranger.close();
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Everyone (1)" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "mallory@example.com" })).toHaveCount(0);

  await page.context().storageState({ path: ADMIN_STATE });
});
