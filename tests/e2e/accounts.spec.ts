// Accounts (scenario 2): an admin adds people, who choose a password through a one-time link;
// signing out is a POST; a wrong password keeps the email typed; signing in never leads off the site.
import { expect, test } from "@playwright/test";
import { ADMIN, BASE_URL, addPerson, freshContext, setPasswordViaLink, unique } from "./helpers";

test("admin adds a member, who sets a password through the one-time link and lands signed in", async ({ page, browser }) => {
  const id = unique("grace");
  const member = { name: `Grace ${id}`, email: `${id}@example.com`, team: "Payments", role: "member" as const };

  const link = await addPerson(page, member);
  await expect(page.getByRole("status").filter({ hasText: "We emailed an invitation to" })).toContainText("it works once and is not shown again");
  // The new person is listed with team and role, still without a password.
  const row = page.getByRole("row").filter({ hasText: member.email });
  await expect(row.getByRole("cell").nth(0)).toContainText(member.name);
  await expect(row.getByRole("cell").nth(0)).toContainText("Has not set a password yet");
  await expect(row.getByRole("cell").nth(2)).toHaveText("Payments");
  await expect(row.getByRole("cell").nth(3)).toHaveText("Member");

  const context = await freshContext(browser);
  const memberPage = await context.newPage();
  await memberPage.goto(link);
  await expect(memberPage.getByText(`Hello ${member.name}. Choose a password for ${member.email}.`)).toBeVisible();
  await setPasswordViaLink(memberPage, link, "grace-chose-this-password");
  await expect(memberPage.getByRole("status")).toHaveText(`Your password is set. Welcome to Hindsight, ${member.name}.`);
  await expect(memberPage.getByRole("banner")).toContainText(member.name);
  const nav = memberPage.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Incidents" })).toBeVisible();
  // A member is not an admin: no admin navigation, and the People page itself is refused.
  await expect(memberPage.getByRole("navigation", { name: "Admin" })).toHaveCount(0);
  await expect(memberPage.getByRole("link", { name: "People" })).toHaveCount(0);
  const people = await memberPage.goto("/admin/users");
  expect(people?.status()).toBe(403);
  await expect(memberPage.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  // The link works once.
  const again = await memberPage.goto(link);
  expect(again?.status()).toBe(404);
  await expect(memberPage.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
  await expect(memberPage.getByLabel("New password")).toHaveCount(0);

  // The admin now sees that the password is set.
  await page.reload();
  await expect(row.getByRole("cell").nth(0)).not.toContainText("Has not set a password yet");
  await context.close();
});

test("signing out is a POST; afterwards protected pages lead to the sign-in page", async ({ page, browser }) => {
  const id = unique("linus");
  const member = { name: `Linus ${id}`, email: `${id}@example.com`, team: "Web" };
  const link = await addPerson(page, member);
  const context = await freshContext(browser);
  const memberPage = await context.newPage();
  await setPasswordViaLink(memberPage, link, "linus-password-123");

  const signOut = memberPage.getByRole("button", { name: "Sign out" });
  const form = memberPage.locator("form").filter({ has: signOut });
  await expect(form).toHaveAttribute("method", /^post$/i);
  await expect(form).toHaveAttribute("action", "/signout");

  // Following a link (a GET) to /signout does not sign anyone out.
  await memberPage.goto("/signout");
  await expect(memberPage).toHaveURL(/\/incidents$/);
  await expect(signOut).toBeVisible();

  await signOut.click();
  await expect(memberPage).toHaveURL(/\/signin$/);
  await expect(memberPage.getByRole("heading", { name: "Sign in to Hindsight" })).toBeVisible();
  await expect(memberPage.getByRole("button", { name: "Sign out" })).toHaveCount(0);

  for (const path of ["/incidents", "/incidents/INC-1", "/incidents/new"]) {
    await memberPage.goto(path);
    await expect(memberPage).toHaveURL(new RegExp(`/signin\\?redirectTo=${encodeURIComponent(path)}$`));
  }

  // Signing in again returns to the page asked for.
  await memberPage.getByLabel("Email").fill(member.email);
  await memberPage.getByLabel("Password").fill("linus-password-123");
  await memberPage.getByRole("button", { name: "Sign in" }).click();
  await expect(memberPage).toHaveURL(/\/incidents\/new$/);
  await expect(memberPage.getByRole("heading", { level: 1, name: "Report an incident" })).toBeVisible();
  await expect(memberPage.getByRole("button", { name: "Sign out" })).toBeVisible();
  await context.close();
});

test("a wrong password shows an error and keeps the email typed", async ({ page, browser }) => {
  const id = unique("kim");
  const member = { name: `Kim ${id}`, email: `${id}@example.com`, team: "Data" };
  const link = await addPerson(page, member);
  const context = await freshContext(browser);
  const memberPage = await context.newPage();
  await setPasswordViaLink(memberPage, link, "kims-real-password");
  await memberPage.getByRole("button", { name: "Sign out" }).click();
  await expect(memberPage).toHaveURL(/\/signin$/);

  await memberPage.getByLabel("Email").fill(member.email);
  await memberPage.getByLabel("Password").fill("not-the-password");
  await memberPage.getByRole("button", { name: "Sign in" }).click();
  await expect(memberPage.getByRole("alert")).toHaveText("That email and password do not match an account.");
  await expect(memberPage).toHaveURL(/\/signin$/);
  await expect(memberPage.getByLabel("Email")).toHaveValue(member.email);

  await memberPage.getByLabel("Password").fill("kims-real-password");
  await memberPage.getByRole("button", { name: "Sign in" }).click();
  await expect(memberPage).toHaveURL(/\/incidents$/);
  await expect(memberPage.getByRole("banner")).toContainText(member.name);
  await context.close();
});

test("signing in with a return address that points elsewhere lands on Hindsight", async ({ browser }) => {
  const context = await freshContext(browser);
  // Were the browser sent away, it would land here rather than on the network.
  await context.route((url) => url.hostname === "evil.example", (route) => route.fulfill({ contentType: "text/html", body: "<h1>Another site</h1>" }));
  const page = await context.newPage();
  // %09 is a tab, which browsers drop from an address: "/\t/evil.example/" is "//evil.example/" to them.
  await page.goto("/signin?redirectTo=/%09/evil.example/");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/signin/);
  expect(new URL(page.url()).origin).toBe(BASE_URL);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await context.close();
});
