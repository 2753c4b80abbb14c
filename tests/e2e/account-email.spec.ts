// Account emails and the profile, on a server of its own whose mail goes to an SMTP server in
// this process: an admin's invitation (one email, a link that works once, a new invitation
// replacing only that person's link), expired links, a password reset asked for (the same answer
// for every address, throttled alike, one link that ends the other sessions), the profile page
// (details, password, reminder emails, the sessions and ending them, and the emails about what
// concerns the person: an action given to them arrives, and none once they turn that off), and
// the emails of people who sign in with the identity provider. What a person sees is checked in
// the browser; what was stored, in the database; what was sent, in the messages the SMTP server
// received.
//
// Every message is written to the outbox in the transaction of the request that asks for it, so
// once the answer has come, the outbox says how many messages there will be; the test then waits
// for the SMTP server to have received exactly those (expect.poll, never a sleep).
import path from "node:path";
import { expect, test, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "@playwright/test";
import type { ParsedMail } from "mailparser";
import { startSmtpServer } from "../unit/smtp";
import { signInAtProvider, startOidcProvider } from "./oidc-provider";
import { addMember, firstAdmin, MEMBER_PASSWORD, OWN_BASE, post, reportForm, withOwnStore } from "./own-server";
import type { Stored } from "./stored";

type Mailbox = Awaited<ReturnType<typeof startSmtpServer>>;

type Kit = {
  /** What the server stored, open beside it. */
  stored: Stored;
  smtp: Mailbox;
  /** A page in a browser of its own: signed out, or signed in with the session cookie given. */
  open: (cookie?: string, options?: BrowserContextOptions) => Promise<Page>;
};

/** Runs `body` against a server of its own whose mail goes to an SMTP server in this process. */
async function withMail(browser: Browser, env: Record<string, string>, body: (kit: Kit) => Promise<void>): Promise<void> {
  const smtp = await startSmtpServer();
  const contexts: BrowserContext[] = [];
  try {
    await withOwnStore({ env: { SMTP_URL: smtp.url, APP_URL: OWN_BASE, ...env } }, async (stored) => {
      const open = async (cookie = "", options: BrowserContextOptions = {}) => {
        const context = await browser.newContext({ baseURL: OWN_BASE, storageState: { cookies: [], origins: [] }, ...options });
        contexts.push(context);
        if (cookie) {
          const at = cookie.indexOf("=");
          await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: OWN_BASE }]);
        }
        return await context.newPage();
      };
      await body({ stored, smtp, open });
    });
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await smtp.close();
  }
}

/** Waits until the outbox holds `count` messages, all sent, and the SMTP server received exactly those. */
async function delivered({ stored, smtp }: Kit, count: number): Promise<void> {
  const state = async () => {
    const row = await stored.get<{ queued: number; sent: number }>("select count(*) as queued, coalesce(sum(case when status = 'sent' then 1 else 0 end), 0) as sent from outbox");
    return { ...row, received: smtp.received.length };
  };
  await expect.poll(state, { message: "the outbox, sent, and what the SMTP server received" }).toEqual({ queued: count, sent: count, received: count });
}

const recipient = (mail: ParsedMail) => [mail.to ?? []].flat().map((a) => a.text).join(", ");
const mailsTo = ({ smtp }: Kit, email: string) => smtp.received.filter((mail) => recipient(mail) === email);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The set-password link of an email, the same in its text and its HTML. */
function linkIn(mail: ParsedMail): string {
  const link = new RegExp(`${escapeRegExp(OWN_BASE)}/set-password/[A-Za-z0-9_-]+`).exec(mail.text ?? "")?.[0];
  expect(link, `no set-password link in "${mail.subject}"`).toBeTruthy();
  expect(mail.html || "").toContain(`href="${link}"`);
  return link!;
}

const idOf = (stored: Stored, email: string) => stored.value<number>("select id from users where email = ?", email);
const sessionsOf = async (stored: Stored, email: string) => stored.value<number>("select count(*) from sessions where user_id = ?", await idOf(stored, email));
const passwordHashOf = (stored: Stored, email: string) => stored.value<string | null>("select password_hash from users where email = ?", email);
const unusedLinks = async (stored: Stored, email: string) =>
  stored.all<{ purpose: string; tokenHash: string; expiresAt: string }>(
    `select purpose, token_hash as "tokenHash", expires_at as "expiresAt" from password_tokens where user_id = ? and used_at is null`,
    await idOf(stored, email),
  );
/** The methods of a person's sessions. */
const sessionMethods = async (stored: Stored, email: string) =>
  (await stored.all<{ method: string }>("select method from sessions where user_id = ?", await idOf(stored, email))).map((row) => row.method);

/** Changes the database under the server, as a test's set-up; how many rows it changed. */
async function rewrite(stored: Stored, statement: string, ...values: unknown[]): Promise<number> {
  return (await stored.all(`${statement} returning 1`, ...values)).length;
}

/** The admin adds a person on the People page; the link the callout shows once. */
async function invite(admin: Page, person: { name: string; email: string; role?: "member" | "admin" }): Promise<string> {
  await admin.goto("/admin/users");
  const form = admin.getByRole("region", { name: "Add a person" });
  await form.getByLabel("Name").fill(person.name);
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Team").fill("Platform");
  await form.getByLabel("Role").selectOption({ label: person.role === "admin" ? "Admin" : "Member" });
  await form.getByRole("button", { name: "Add and invite by email" }).click();
  const callout = admin.getByRole("status").filter({ hasText: "We emailed an invitation to" });
  await expect(callout).toContainText(`We emailed an invitation to ${person.name} at ${person.email}.`);
  await expect(callout.getByRole("button", { name: "Copy link" })).toBeVisible();
  return (await callout.locator("code").textContent())!.trim();
}

/** Follows a set-password link and chooses a password; the page ends signed in, on the incidents. */
async function choosePassword(page: Page, link: string, password: string, heading: "Choose your password" | "Choose a new password"): Promise<void> {
  const response = await page.goto(link);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: heading })).toBeVisible();
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("The same password again").fill(password);
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(page).toHaveURL(/\/incidents$/);
}

/** A link that is used, expired or replaced: a 404 that says so, and no form. */
async function expectRefused(page: Page, link: string): Promise<void> {
  const response = await page.goto(link);
  expect(response?.status(), link).toBe(404);
  await expect(page.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
  await expect(page.getByLabel("New password")).toHaveCount(0);
}

/** Still usable: the form to choose a password (only looked at, not used). */
async function expectUsable(page: Page, link: string, heading = "Choose your password"): Promise<void> {
  const response = await page.goto(link);
  expect(response?.status(), link).toBe(200);
  await expect(page.getByRole("heading", { name: heading })).toBeVisible();
}

/** A link's token set over HTTP: the status, for a link that no longer works a 404. */
const setOverHttp = (link: string, password: string) => post(new URL(link).pathname, { password, confirm: password });

/** Where the server's own clock put an expiry: between the two readings around the request, plus the lifetime. */
function expectExpiry(expiresAt: string, before: number, after: number, lifetimeMs: number): void {
  const at = Date.parse(expiresAt);
  expect(at).toBeGreaterThanOrEqual(before + lifetimeMs);
  expect(at).toBeLessThanOrEqual(after + lifetimeMs);
}

const DAYS_7 = 7 * 86_400_000;
const MINUTES_60 = 60 * 60_000;

test("an invitation is one email with a link that works once; a new invitation replaces only that person's link", async ({ browser }) => {
  test.setTimeout(180_000);
  await withMail(browser, {}, async (kit) => {
    const { stored } = kit;
    const admin = await kit.open(await firstAdmin(), { permissions: ["clipboard-read", "clipboard-write"] });
    const robin = { name: "Robin Invitee", email: "robin@example.com" };
    const sasha = { name: "Sasha Second", email: "sasha@example.com" };

    const before = Date.now();
    const shown = await invite(admin, robin);
    const after = Date.now();
    expect(shown).toMatch(new RegExp(`^${escapeRegExp(OWN_BASE)}/set-password/[A-Za-z0-9_-]{20,}$`));
    // "Copy link" puts that very link on the clipboard.
    const callout = admin.getByRole("status").filter({ hasText: "We emailed an invitation to" });
    await callout.getByRole("button", { name: "Copy link" }).click();
    await expect(callout.getByRole("status")).toHaveText("Copied.");
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(shown);

    // Exactly one email, to Robin, with the link the admin saw.
    await delivered(kit, 1);
    const [invitation] = kit.smtp.received;
    expect(recipient(invitation)).toBe(robin.email);
    expect(invitation.subject).toBe("Choose your Hindsight password");
    expect(invitation.text).toContain("Hello Robin Invitee,");
    expect(invitation.text).toContain("Casey Admin added you to Hindsight");
    expect(invitation.text).toContain("The link works once, within 7 days.");
    expect(linkIn(invitation)).toBe(shown);
    expect(await stored.all("select kind, recipients, status from outbox")).toEqual([{ kind: "invitation", recipients: robin.email, status: "sent" }]);
    // Stored: the token's hash only, for an invitation valid seven days.
    const [token] = await unusedLinks(stored, robin.email);
    expect(await unusedLinks(stored, robin.email)).toHaveLength(1);
    expect(token.purpose).toBe("invitation");
    expect(token.tokenHash).not.toContain(shown.split("/").pop());
    expectExpiry(token.expiresAt, before, after, DAYS_7);
    // The People page says Robin has no password yet.
    await admin.reload();
    await expect(admin.getByRole("row").filter({ hasText: robin.email })).toContainText("Has not set a password yet");

    // A second person's invitation leaves Robin's link as it was.
    const sashaLink = await invite(admin, sasha);
    await delivered(kit, 2);
    expect(mailsTo(kit, sasha.email).map(linkIn)).toEqual([sashaLink]);
    const visitor = await kit.open();
    await expectUsable(visitor, shown);

    // Inviting Robin again: one more email, to Robin, with a new link; the old one no longer works,
    // Sasha's still does.
    const row = admin.getByRole("row").filter({ hasText: robin.email });
    await row.getByText(`Edit ${robin.name}`).click();
    await row.getByRole("button", { name: "Invite again by email" }).click();
    await expect(callout).toContainText(`We emailed an invitation to ${robin.name} at ${robin.email}.`);
    await expect(callout.locator("code")).not.toHaveText(shown);
    const again = (await callout.locator("code").textContent())!.trim();
    await delivered(kit, 3);
    expect(mailsTo(kit, robin.email).map(linkIn)).toEqual([shown, again]);
    expect(mailsTo(kit, sasha.email)).toHaveLength(1);
    expect(await unusedLinks(stored, robin.email)).toHaveLength(1);
    await expectRefused(visitor, shown);
    expect((await setOverHttp(shown, "robin-guessed-password")).status).toBe(404);
    expect(await passwordHashOf(stored, robin.email)).toBeNull();
    await expectUsable(visitor, sashaLink);

    // Robin's new link sets the password and signs in, once.
    const robinPage = await kit.open();
    await choosePassword(robinPage, again, "robin-chose-this-password", "Choose your password");
    await expect(robinPage.getByRole("status")).toHaveText("Your password is set. Welcome to Hindsight, Robin Invitee.");
    await expect(robinPage.getByRole("banner")).toContainText(robin.name);
    expect(await sessionMethods(stored, robin.email)).toEqual(["link"]);
    await expectRefused(robinPage, again);
    const hash = await passwordHashOf(stored, robin.email);
    expect(hash).not.toBeNull();
    expect((await setOverHttp(again, "robin-second-try-password")).status).toBe(404);
    expect(await passwordHashOf(stored, robin.email)).toBe(hash);
    expect(await unusedLinks(stored, robin.email)).toEqual([]);
    // The password chosen is the one that signs in.
    expect((await post("/signin", { email: robin.email, password: "robin-chose-this-password" })).status).toBe(302);

    // Sasha's first (and only) link still works, once.
    const sashaPage = await kit.open();
    await choosePassword(sashaPage, sashaLink, "sasha-chose-this-password", "Choose your password");
    await expect(sashaPage.getByRole("banner")).toContainText(sasha.name);
    await expectRefused(sashaPage, sashaLink);

    await admin.goto("/admin/users");
    await expect(admin.getByRole("row").filter({ hasText: robin.email })).not.toContainText("Has not set a password yet");
    // Nothing more was sent.
    await delivered(kit, 3);
  });
});

test("an expired invitation or reset link is refused, and a new one can be asked for", async ({ browser }) => {
  test.setTimeout(180_000);
  await withMail(browser, {}, async (kit) => {
    const { stored } = kit;
    const admin = await firstAdmin();

    // An invitation past its seven days.
    const added = await post("/admin/users", { intent: "add", name: "Eve Expired", email: "eve@example.com", team: "", role: "member" }, admin);
    expect(added.status).toBe(200);
    await delivered(kit, 1);
    const invitation = linkIn(mailsTo(kit, "eve@example.com")[0]);
    const visitor = await kit.open();
    await expectUsable(visitor, invitation);
    expect(await rewrite(stored, "update password_tokens set expires_at = ? where user_id = ?", new Date(Date.now() - 1000).toISOString(), await idOf(stored, "eve@example.com"))).toBe(1);
    await expectRefused(visitor, invitation);
    expect((await setOverHttp(invitation, "eve-late-password")).status).toBe(404);
    expect(await passwordHashOf(stored, "eve@example.com")).toBeNull();
    expect(await sessionsOf(stored, "eve@example.com")).toBe(0);

    // A reset link past its hour: the password stays as it was.
    await addMember(admin, "Rex Reset", "rex@example.com");
    await delivered(kit, 2);
    const answer = await post("/forgot-password", { email: "rex@example.com" });
    expect(answer.status).toBe(200);
    await delivered(kit, 3);
    const reset = linkIn(mailsTo(kit, "rex@example.com")[1]);
    await expectUsable(visitor, reset, "Choose a new password");
    expect(await rewrite(stored, "update password_tokens set expires_at = ? where user_id = ? and used_at is null", new Date(Date.now() - 1000).toISOString(), await idOf(stored, "rex@example.com"))).toBe(1);
    const hash = await passwordHashOf(stored, "rex@example.com");
    await expectRefused(visitor, reset);
    expect((await setOverHttp(reset, "rex-late-password")).status).toBe(404);
    expect(await passwordHashOf(stored, "rex@example.com")).toBe(hash);
    expect((await post("/signin", { email: "rex@example.com", password: MEMBER_PASSWORD })).status).toBe(302);

    // The page offers a new link, which works.
    await visitor.getByRole("link", { name: "Ask for a new link by email" }).click();
    await expect(visitor.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    await visitor.getByLabel("Email").fill("rex@example.com");
    await visitor.getByRole("button", { name: "Email me a link" }).click();
    await expect(visitor.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await delivered(kit, 4);
    const fresh = linkIn(mailsTo(kit, "rex@example.com")[2]);
    expect(fresh).not.toBe(reset);
    await choosePassword(visitor, fresh, "rex-new-password-1", "Choose a new password");
    await expect(visitor.getByRole("banner")).toContainText("Rex Reset");
  });
});

/** The answer to a reset request, with what may differ between any two answers made alike: the address it echoes and the page's script nonce. */
async function resetAnswer(email: string, options: { data?: boolean; headers?: Record<string, string> } = {}) {
  const response = await post(options.data ? "/forgot-password.data" : "/forgot-password", { email }, "", options.headers);
  const text = await response.text();
  const body = text
    .replaceAll(email, "<email>")
    .replace(/nonce="[^"]+"/g, 'nonce="<nonce>"')
    .replace(/Wait \d+ seconds/g, "Wait <n> seconds");
  return { status: response.status, contentType: response.headers.get("content-type"), cookies: response.headers.getSetCookie(), body };
}

/** The wait a refused reset request names, in seconds. */
async function waitNamed(email: string, address: string): Promise<number> {
  const response = await post("/forgot-password", { email }, "", { "X-Forwarded-For": address });
  expect(response.status).toBe(429);
  return Number(/Wait (\d+) seconds, then try again\./.exec(await response.text())?.[1]);
}

test("forgot password: one email for a known address, whose link works once and ends the other sessions; the same answer and no email for anyone else", async ({ browser }) => {
  test.setTimeout(180_000);
  await withMail(browser, {}, async (kit) => {
    const { stored } = kit;
    const admin = await firstAdmin();
    const mira = await addMember(admin, "Mira Reset", "mira@example.com");
    await addMember(admin, "Kim Known", "kim@example.com");
    await addMember(admin, "Gus Gone", "gus@example.com");
    expect((await post(`/admin/users/${await idOf(stored, "gus@example.com")}/remove`, { handTo: "" }, admin)).status).toBe(302);
    await delivered(kit, 3);

    // Mira is signed in on another browser, and has forgotten her password.
    const elsewhere = await kit.open(mira);
    await elsewhere.goto("/incidents");
    await expect(elsewhere.getByRole("banner")).toContainText("Mira Reset");

    const page = await kit.open();
    await page.goto("/signin");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    await page.getByLabel("Email").fill("mira@example.com");
    const before = Date.now();
    await page.getByRole("button", { name: "Email me a link" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    const after = Date.now();
    await expect(page.getByRole("status")).toHaveText(
      "If a Hindsight account uses mira@example.com, we have emailed it a link to choose a new password. The link works once, within 60 minutes.",
    );

    // Exactly one email, with a link valid for the hour.
    await delivered(kit, 4);
    const resets = mailsTo(kit, "mira@example.com").filter((mail) => mail.subject === "Reset your Hindsight password");
    expect(resets).toHaveLength(1);
    expect(resets[0].text).toContain("The link works once, within 60 minutes.");
    const link = linkIn(resets[0]);
    const [token] = await unusedLinks(stored, "mira@example.com");
    expect(token.purpose).toBe("reset");
    expectExpiry(token.expiresAt, before, after, MINUTES_60);

    // Choosing the new password signs in here and ends the other browser's session.
    await choosePassword(page, link, "mira-new-password-1", "Choose a new password");
    await expect(page.getByRole("banner")).toContainText("Mira Reset");
    await elsewhere.goto("/incidents");
    await expect(elsewhere).toHaveURL(/\/signin\?redirectTo=%2Fincidents$/);
    expect(await sessionsOf(stored, "mira@example.com")).toBe(1);
    await expectRefused(elsewhere, link);
    expect((await post("/signin", { email: "mira@example.com", password: MEMBER_PASSWORD })).status).toBe(400);
    expect((await post("/signin", { email: "mira@example.com", password: "mira-new-password-1" })).status).toBe(302);

    // An address with an account and one without get the same answer, as a page and as data;
    // only the account's owner gets an email.
    for (const data of [false, true]) {
      const known = await resetAnswer("kim@example.com", { data });
      const unknown = await resetAnswer("nobody@example.com", { data });
      expect(known.status).toBe(200);
      expect(unknown).toEqual(known);
      expect(known.body).toContain(data ? "<email>" : "If a Hindsight account uses <strong><email></strong>");
    }
    // A removed person is no account: the same answer, and nothing sent.
    const removed = await resetAnswer("gus@example.com");
    expect(removed).toEqual(await resetAnswer("nobody-else@example.com"));
    expect(removed.status).toBe(200);

    await delivered(kit, 6);
    expect(mailsTo(kit, "kim@example.com").filter((mail) => mail.subject === "Reset your Hindsight password")).toHaveLength(2);
    for (const nobody of ["nobody@example.com", "nobody-else@example.com", "gus@example.com"]) {
      expect(await stored.value<number>("select count(*) from outbox where kind = 'reset' and recipients = ?", nobody), nobody).toBe(0);
    }
    expect(mailsTo(kit, "gus@example.com").map((mail) => mail.subject)).toEqual(["Choose your Hindsight password"]);
    expect(await unusedLinks(stored, "gus@example.com")).toEqual([]);
  });
});

test("reset requests are throttled per account and per address, alike for addresses with an account and without", async ({ browser }) => {
  test.setTimeout(180_000);
  // Behind one proxy: the X-Forwarded-For a request carries is its client's address.
  await withMail(browser, { TRUST_PROXY: "true" }, async (kit) => {
    const { stored } = kit;
    const admin = await firstAdmin();
    await addMember(admin, "Tess Throttled", "tess@example.com");
    await delivered(kit, 1);
    const from = (address: string) => ({ headers: { "X-Forwarded-For": address } });

    // Three links an hour for one account, then a wait, from whatever address; an address with no
    // account is answered the same, request after request.
    const rounds: Record<string, Awaited<ReturnType<typeof resetAnswer>>[]> = { "tess@example.com": [], "ghost@example.com": [] };
    for (const [n, email] of Object.keys(rounds).entries()) {
      for (let i = 0; i < 4; i++) rounds[email].push(await resetAnswer(email, from(`203.0.113.${10 * n + 1}`)));
      rounds[email].push(await resetAnswer(email, from(`203.0.113.${10 * n + 2}`)));
    }
    for (const answers of Object.values(rounds)) {
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      for (const refused of answers.slice(3)) expect(refused.body).toContain("Too many requests for a link. Wait <n> seconds, then try again.");
    }
    expect(rounds["ghost@example.com"]).toEqual(rounds["tess@example.com"]);

    // The wait is there, and the 429 gave no link: three emails for Tess, none for the ghost.
    await delivered(kit, 4);
    const links = mailsTo(kit, "tess@example.com").filter((mail) => mail.subject === "Reset your Hindsight password").map(linkIn);
    expect(links).toHaveLength(3);
    expect(await stored.value<number>("select count(*) from outbox where recipients = 'ghost@example.com'")).toBe(0);
    // Each new link replaced the one before: only the last works.
    const visitor = await kit.open();
    await expectRefused(visitor, links[0]);
    await expectRefused(visitor, links[1]);
    await expectUsable(visitor, links[2], "Choose a new password");

    // Once the wait is over (the last request moved past it), one more is allowed, and the next wait is twice as long.
    const waited = new Date(Date.now() - 16_000).toISOString();
    expect(await rewrite(stored, "update sign_in_failures set last_failure_at = ? where key in ('reset-account:tess@example.com', 'reset-account:ghost@example.com')", waited)).toBe(2);
    const later: Record<string, Awaited<ReturnType<typeof resetAnswer>>[]> = {};
    for (const [n, email] of Object.keys(rounds).entries()) {
      later[email] = [await resetAnswer(email, from(`203.0.113.${10 * n + 3}`)), await resetAnswer(email, from(`203.0.113.${10 * n + 3}`))];
      expect(later[email].map((a) => a.status)).toEqual([200, 429]);
      const wait = await waitNamed(email, `203.0.113.${10 * n + 4}`);
      expect(wait).toBeGreaterThan(15);
      expect(wait).toBeLessThanOrEqual(30);
    }
    expect(later["ghost@example.com"]).toEqual(later["tess@example.com"]);
    await delivered(kit, 5);

    // One address asking for many accounts: ten requests, then a wait, whichever address it asks for next.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await resetAnswer(`stranger-${i}@example.com`, from("198.51.100.9"))).status);
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
    expect((await resetAnswer("tess@example.com", from("198.51.100.9"))).status).toBe(429);
    await delivered(kit, 5);
  });
});

const FIREFOX_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI_ON_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** Signs in through the sign-in page. */
async function signInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/incidents$/);
}

/** Where a screenshot for a person to look at goes: tests/e2e/screenshots/<name>.png. */
function screenshotPath(name: string): string {
  return path.join(test.info().project.testDir, "screenshots", `${name}.png`);
}

/** Whether the page's browser is signed out: a protected page sends it to sign in. */
async function expectSignedOut(page: Page): Promise<void> {
  await page.goto("/incidents");
  await expect(page).toHaveURL(/\/signin\?redirectTo=%2Fincidents$/);
}

test("the profile: details, password, reminder emails, emails about what concerns you, and the sessions, each ended from here", async ({ browser }) => {
  test.setTimeout(180_000);
  await withMail(browser, {}, async (kit) => {
    const { stored } = kit;
    const admin = await firstAdmin();
    // Noor's session from choosing the password (over HTTP: no browser named), and three browsers.
    const linkSession = await addMember(admin, "Noor Profile", "noor@example.com");
    const page = await kit.open();
    await signInThroughPage(page, "noor@example.com", MEMBER_PASSWORD);
    const firefox = await kit.open("", { userAgent: FIREFOX_ON_MAC });
    await signInThroughPage(firefox, "noor@example.com", MEMBER_PASSWORD);
    const iphone = await kit.open("", { userAgent: SAFARI_ON_IPHONE });
    await signInThroughPage(iphone, "noor@example.com", MEMBER_PASSWORD);

    await page.getByRole("banner").getByRole("link", { name: "Noor Profile" }).click();
    await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();

    // Details: stored, and the header shows the new name.
    await page.getByLabel("Name").fill("Noor Renamed");
    await page.getByLabel("Team").fill("Data Platform");
    await page.getByRole("button", { name: "Save details" }).click();
    await expect(page.getByRole("status")).toHaveText("Your details are saved.");
    expect(await stored.get("select name, team from users where email = 'noor@example.com'")).toEqual({ name: "Noor Renamed", team: "Data Platform" });
    await expect(page.getByRole("banner")).toContainText("Noor Renamed");
    await expect(page.getByLabel("Name")).toHaveValue("Noor Renamed");

    // Reminder emails off, then on again.
    const reminders = () => stored.value<number>("select case when reminder_emails then 1 else 0 end from users where email = 'noor@example.com'");
    expect(await reminders()).toBe(1);
    await page.getByRole("button", { name: "Stop reminder emails" }).click();
    await expect(page.getByRole("status")).toHaveText("You will get no reminder emails; your actions stay on My actions.");
    await expect(page.getByText("You do not get them.")).toBeVisible();
    expect(await reminders()).toBe(0);
    await page.getByRole("button", { name: "Get reminder emails" }).click();
    await expect(page.getByRole("status")).toHaveText("You will get reminders of your actions by email.");
    expect(await reminders()).toBe(1);

    // The sessions: this browser, the two others, and the one from the emailed link.
    const sessions = page.getByRole("region", { name: /^Where you are signed in/ });
    await expect(sessions.getByRole("heading")).toHaveText("Where you are signed in (4)");
    const rowOf = (browserName: string) => sessions.getByRole("row").filter({ hasText: browserName });
    const here = sessions.getByRole("row").filter({ hasText: "This browser" });
    await expect(here).toHaveCount(1);
    await expect(here).toContainText("with a password");
    await expect(here).toContainText("127.0.0.1");
    await expect(here.getByRole("button", { name: /^End/ })).toHaveCount(0);
    await expect(rowOf("Firefox on macOS")).toContainText("with a password");
    await expect(rowOf("Safari on iOS")).toContainText("with a password");
    await expect(rowOf("An unknown browser")).toContainText("from an emailed link");

    // "End" on Firefox's row signs that browser out, and only it.
    await rowOf("Firefox on macOS").getByRole("button", { name: /^End the session of Firefox on macOS/ }).click();
    await expect(page.getByRole("status")).toHaveText("That session has ended: that browser is signed out.");
    await expect(sessions.getByRole("heading")).toHaveText("Where you are signed in (3)");
    await expect(rowOf("Firefox on macOS")).toHaveCount(0);
    await expectSignedOut(firefox);
    await iphone.goto("/incidents");
    await expect(iphone).toHaveURL(/\/incidents$/);

    // "Sign out everywhere else" ends the rest but this one.
    await page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await expect(page.getByRole("status")).toHaveText("Signed out everywhere else (2 sessions).");
    await expect(sessions.getByRole("heading")).toHaveText("Where you are signed in (1)");
    await expect(page.getByRole("button", { name: "Sign out everywhere else" })).toHaveCount(0);
    await expectSignedOut(iphone);
    expect((await fetch(`${OWN_BASE}/incidents`, { redirect: "manual", headers: { Cookie: linkSession } })).status).toBe(302);
    expect(await sessionsOf(stored, "noor@example.com")).toBe(1);

    // The password: the current one is needed, and a wrong one changes nothing.
    await signInThroughPage(firefox, "noor@example.com", MEMBER_PASSWORD);
    const hash = await passwordHashOf(stored, "noor@example.com");
    await page.reload();
    const changeWith = async (current: string, next: string, again = next) => {
      await page.getByLabel("Current password").fill(current);
      await page.getByLabel("New password", { exact: true }).fill(next);
      await page.getByLabel("The same new password again").fill(again);
      await page.getByRole("button", { name: "Change password" }).click();
    };
    await changeWith("not-my-password-9", "noor-new-password-1");
    await expect(page.getByText("That is not your current password.")).toBeVisible();
    await changeWith(MEMBER_PASSWORD, "noor-new-password-1", "noor-new-password-2");
    await expect(page.getByText("The two passwords are not the same.")).toBeVisible();
    expect(await passwordHashOf(stored, "noor@example.com")).toBe(hash);
    expect(await sessionsOf(stored, "noor@example.com")).toBe(2);
    await firefox.goto("/incidents");
    await expect(firefox).toHaveURL(/\/incidents$/);

    // The right one: changed, the other session ends, this one stays, and the new password signs in.
    await changeWith(MEMBER_PASSWORD, "noor-new-password-1");
    await expect(page.getByRole("status")).toHaveText("Your password is changed, and your 1 other session has ended.");
    expect(await passwordHashOf(stored, "noor@example.com")).not.toBe(hash);
    await expectSignedOut(firefox);
    await page.goto("/incidents");
    await expect(page).toHaveURL(/\/incidents$/);
    expect((await post("/signin", { email: "noor@example.com", password: MEMBER_PASSWORD })).status).toBe(400);
    await signInThroughPage(firefox, "noor@example.com", "noor-new-password-1");
    await expect(firefox.getByRole("banner")).toContainText("Noor Renamed");
    // The profile sends no email of its own.
    await delivered(kit, 1);

    // Emails about what concerns Noor, every kind at first: an action the admin gives Noor arrives
    // at once, saying what it is, who gave it, where it is, and how to stop such emails.
    await page.goto("/account");
    const choices = page.getByRole("region", { name: "Emails about what concerns you" });
    await expect(choices.getByRole("checkbox")).toHaveCount(4);
    for (const box of await choices.getByRole("checkbox").all()) await expect(box).toBeChecked();
    expect((await post("/incidents/new", reportForm("Checkout errors"), admin)).status).toBe(302);
    const noorId = await idOf(stored, "noor@example.com");
    const give = (title: string) => post("/incidents/INC-1/actions/new", { title, ownerId: String(noorId), priority: "P2", dueDate: "", descriptionMd: "", trackerUrl: "" }, admin);
    expect((await give("Add a checkout alert")).status).toBe(302);
    await delivered(kit, 2);
    const [given] = mailsTo(kit, "noor@example.com").slice(1);
    const actionId = await stored.value<number>("select id from actions where title = 'Add a checkout alert'");
    expect(given.subject).toBe("A follow-up action for you on INC-1: Checkout errors");
    expect(given.text).toContain("Casey Admin gave you a follow-up action on INC-1: Checkout errors.");
    expect(given.text).toContain(`Open the action: ${OWN_BASE}/actions/${actionId}`);
    expect(given.text).toContain(`Turn these emails off in your profile: ${OWN_BASE}/account#notifications`);
    expect(given.html).toContain(`href="${OWN_BASE}/actions/${actionId}"`);

    // Turned off with the profile's form, in a browser without JavaScript: the next action Noor is
    // given sends nothing, and the other kinds stay on.
    const cookie = (await page.context().cookies()).find((c) => c.name === "hs_session")!;
    const noorsCookie = `${cookie.name}=${cookie.value}`;
    const plain = await kit.open(noorsCookie, { javaScriptEnabled: false });
    await plain.goto("/account#notifications");
    const plainChoices = plain.getByRole("region", { name: "Emails about what concerns you" });
    await plainChoices.getByRole("checkbox", { name: "A follow-up action is given to you" }).uncheck();
    await plainChoices.getByRole("button", { name: "Save email choices" }).click();
    await expect(plain.getByRole("status")).toHaveText("Your choice of emails is saved.");
    await expect(plainChoices.getByRole("checkbox", { name: "A follow-up action is given to you" })).not.toBeChecked();
    const notify = () =>
      stored.get(
        "select case when notify_roles then 1 else 0 end as roles, case when notify_assigned then 1 else 0 end as assigned, case when notify_lifecycle then 1 else 0 end as lifecycle, case when notify_reassigned then 1 else 0 end as reassigned from users where id = ?",
        noorId,
      );
    expect(await notify()).toEqual({ roles: 1, assigned: 0, lifecycle: 1, reassigned: 1 });
    expect((await give("Write the checkout runbook")).status).toBe(302);
    expect(await stored.value<number>("select count(*) from actions where owner_id = ?", noorId)).toBe(2);
    await delivered(kit, 2);

    // The section as it looks, with one kind off, on a desktop and on a phone.
    await page.goto("/account");
    await expect(choices.getByRole("checkbox", { name: "A follow-up action is given to you" })).not.toBeChecked();
    await choices.screenshot({ path: screenshotPath("profile-notifications-desktop") });
    const phone = await kit.open(noorsCookie, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await phone.goto("/account");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, "horizontal overflow on a 390px-wide phone, in px").toBeLessThanOrEqual(0);
    await phone.getByRole("region", { name: "Emails about what concerns you" }).screenshot({ path: screenshotPath("profile-notifications-phone") });

    // On again, from the page with JavaScript.
    await choices.getByRole("checkbox", { name: "A follow-up action is given to you" }).check();
    await choices.getByRole("button", { name: "Save email choices" }).click();
    await expect(page.getByRole("status")).toHaveText("Your choice of emails is saved.");
    expect(await notify()).toEqual({ roles: 1, assigned: 1, lifecycle: 1, reassigned: 1 });
  });
});

test("people who sign in with the identity provider: their invitation and reset emails lead to it, and the sign-in completes", async ({ browser }) => {
  test.setTimeout(180_000);
  const provider = await startOidcProvider({ redirectUris: [`${OWN_BASE}/signin/sso/callback`] });
  provider.setAccount("pia", { sub: "pia-1", email: "pia@example.com", email_verified: true, name: "Pia Provider" });
  provider.setAccount("ari", { sub: "ari-1", email: "ari@example.com", email_verified: true, name: "Ari Admin" });
  try {
    const oidc = { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret };
    await withMail(browser, oidc, async (kit) => {
      const { stored } = kit;
      const admin = await kit.open(await firstAdmin());

      // Members sign in with the provider only.
      await admin.goto("/admin/sign-in");
      await expect(admin.getByText("The provider answers: people can sign in with it.")).toBeVisible();
      await admin.getByLabel("Provider name on the sign-in button").fill("Okta");
      await admin.getByLabel("Password sign-in").selectOption({ label: "Only admins, for when the provider is down" });
      await admin.getByRole("button", { name: "Save sign-in settings" }).click();
      await expect(admin.getByRole("status").filter({ hasText: "Sign-in settings saved." })).toBeVisible();

      // A member's invitation: no password link, the way to the provider's sign-in.
      const shown = await invite(admin, { name: "Pia Provider", email: "pia@example.com" });
      expect(shown).toBe(`${OWN_BASE}/signin`);
      await delivered(kit, 1);
      const [invitation] = mailsTo(kit, "pia@example.com");
      expect(invitation.subject).toBe("You have been added to Hindsight");
      expect(invitation.text).toContain(`Sign in with Okta: ${OWN_BASE}/signin`);
      expect(invitation.text).not.toContain("/set-password/");
      expect(await unusedLinks(stored, "pia@example.com")).toEqual([]);

      // The email's link, then the provider: Pia lands signed in.
      const pia = await kit.open();
      await pia.goto(`${OWN_BASE}/signin`);
      await pia.getByRole("link", { name: "Sign in with Okta" }).click();
      await signInAtProvider(pia, "pia");
      await expect(pia).toHaveURL(/\/incidents$/);
      await expect(pia.getByRole("banner")).toContainText("Pia Provider");
      expect(await sessionMethods(stored, "pia@example.com")).toEqual(["provider"]);
      await pia.goto("/account");
      await expect(pia.getByText("You sign in with Okta: Hindsight keeps no password for members.")).toBeVisible();
      await expect(pia.getByLabel("Current password")).toHaveCount(0);

      // A reset asked for: the same answer as for anyone, and an email saying there is no password to reset.
      const asker = await kit.open();
      await asker.goto("/forgot-password");
      await asker.getByLabel("Email").fill("pia@example.com");
      await asker.getByRole("button", { name: "Email me a link" }).click();
      await expect(asker.getByRole("heading", { name: "Check your email" })).toBeVisible();
      await delivered(kit, 2);
      const [, reset] = mailsTo(kit, "pia@example.com");
      expect(reset.subject).toBe("Signing in to Hindsight");
      expect(reset.text).toContain("there is no Hindsight password to reset");
      expect(reset.text).toContain(`Sign in with Okta: ${OWN_BASE}/signin`);
      expect(await unusedLinks(stored, "pia@example.com")).toEqual([]);

      // An admin who signs in with the provider asks, from the profile, for a password as well.
      const invited = await invite(admin, { name: "Ari Admin", email: "ari@example.com", role: "admin" });
      await delivered(kit, 3);
      expect(linkIn(mailsTo(kit, "ari@example.com")[0])).toBe(invited);
      const ari = await kit.open();
      await ari.goto("/signin");
      await ari.getByRole("link", { name: "Sign in with Okta" }).click();
      await signInAtProvider(ari, "ari");
      await expect(ari).toHaveURL(/\/incidents$/);
      await ari.goto("/account");
      await expect(ari.getByText("You have no Hindsight password: you sign in with the identity provider.")).toBeVisible();
      await ari.getByRole("button", { name: "Email me a link to choose a password" }).click();
      await expect(ari.getByRole("status")).toHaveText("We emailed a link to choose a password to ari@example.com.");
      await delivered(kit, 4);
      const reply = mailsTo(kit, "ari@example.com")[1];
      expect(reply.subject).toBe("Reset your Hindsight password");
      // The new link replaced the invitation's.
      const visitor = await kit.open();
      await expectRefused(visitor, invited);
      await choosePassword(visitor, linkIn(reply), "ari-own-password-1", "Choose a new password");
      // It ended Ari's provider session, as any reset does.
      await expectSignedOut(ari);
      expect((await post("/signin", { email: "ari@example.com", password: "ari-own-password-1" })).status).toBe(302);
    });
  } finally {
    await provider.close();
  }
});
