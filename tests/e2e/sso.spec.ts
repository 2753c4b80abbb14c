// Sign-in through the company's OpenID Connect provider, end to end: a production server of its
// own, configured with a real provider that runs in the test process (tests/e2e/oidc-provider.ts),
// and a browser that goes there and back. The first admin is still made with a password through
// /setup; the sign-in settings are changed on the admin page. Each case checks what the person
// sees and what was stored (users, identities, sessions), and every refusal leaves no session.
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { SIGNED_OUT } from "./helpers";
import { signInAtProvider, startOidcProvider, type ProviderAccount, type TestProvider } from "./oidc-provider";
import { ADMIN_EMAIL, ADMIN_PASSWORD, addMember, exited, firstAdmin, MEMBER_PASSWORD, OWN_BASE, startServer, withOwnStore } from "./own-server";
import type { Stored } from "./stored";

const CALLBACK = `${OWN_BASE}/signin/sso/callback`;
const PROVIDER_NAME = "Okta";
const DOMAIN = "hindsight.test";
const ADMIN_GROUP = "hindsight-admins";
const REFUSED = `Sign-in with ${PROVIDER_NAME} did not complete`;

let provider: TestProvider;

test.beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [CALLBACK] });
});

test.afterAll(async () => {
  await provider?.close();
});

type Settings = { domains?: string; adminGroups?: string; passwords?: "Everyone may use a password" | "Only admins, for when the provider is down" };

type Hindsight = {
  /** What the server stored, open beside it. */
  stored: Stored;
  /** The first admin's page, signed in with the password chosen at /setup. */
  admin: Page;
  /** The first admin's session cookie, for requests over HTTP. */
  adminCookie: string;
  /** A page in a browser of its own, nobody signed in. */
  stranger(): Promise<Page>;
  /** Changes the sign-in settings on the admin page, as an admin would. */
  configure(settings: Settings): Promise<void>;
  /** Stops the server and starts it again on the same data: what it kept only in memory is gone. */
  restart(): Promise<void>;
};

/**
 * A Hindsight server of its own whose identity provider is the test provider, its first admin
 * made through /setup, and the sign-in settings saved on the admin page (the provider's name,
 * allowed domains and admin groups as given); then `body`, then everything closed.
 */
async function withHindsight(browser: Browser, settings: Settings, body: (hindsight: Hindsight) => Promise<void>): Promise<void> {
  const env = {
    APP_URL: OWN_BASE,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_SCOPES: "openid email profile groups",
  };
  await withOwnStore({ env }, async (stored, dataDir, first) => {
    let server = first;
    const restart = async () => {
      server.kill("SIGTERM");
      await exited(server);
      server = await startServer(dataDir, { env });
    };
    const contexts: BrowserContext[] = [];
    const newPage = async () => {
      const context = await browser.newContext({ baseURL: OWN_BASE, storageState: SIGNED_OUT });
      contexts.push(context);
      return context.newPage();
    };
    try {
      const adminCookie = await firstAdmin();
      const [name, value] = adminCookie.split("=");
      const admin = await newPage();
      await admin.context().addCookies([{ name, value, url: OWN_BASE }]);
      const configure = async (changes: Settings) => {
        await admin.goto("/admin/sign-in");
        await expect(admin.getByRole("status").filter({ hasText: "The provider answers" })).toHaveText("The provider answers: people can sign in with it.");
        await expect(admin.getByText(CALLBACK, { exact: true })).toBeVisible();
        await admin.getByLabel("Provider name on the sign-in button").fill(PROVIDER_NAME);
        if (changes.domains !== undefined) await admin.getByLabel("Email domains that get an account at their first sign-in").fill(changes.domains);
        if (changes.adminGroups !== undefined) await admin.getByLabel("Provider groups whose members are admins").fill(changes.adminGroups);
        if (changes.passwords !== undefined) await admin.getByLabel("Password sign-in").selectOption({ label: changes.passwords });
        await admin.getByRole("button", { name: "Save sign-in settings" }).click();
        await expect(admin.getByRole("status").filter({ hasText: "Sign-in settings saved." })).toBeVisible();
      };
      await configure(settings);
      await body({ stored, admin, adminCookie, stranger: newPage, configure, restart });
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
      // A restarted server is this function's to stop; the first is withOwnStore's.
      if (server !== first) {
        server.kill("SIGTERM");
        await exited(server);
      }
    }
  });
}

type UserRow = { id: number; email: string; name: string; role: "admin" | "member"; removedAt: string | null };
const users = (stored: Stored) => stored.all<UserRow>('select id, email, name, role, removed_at as "removedAt" from users order by id');
const userByEmail = async (stored: Stored, email: string) => (await users(stored)).find((u) => u.email === email);
const identities = (stored: Stored) =>
  stored.all<{ userId: number; issuer: string; subject: string }>('select user_id as "userId", issuer, subject from identities order by id');
const sessionsOf = async (stored: Stored, userId: number) =>
  (await stored.all<{ method: string }>("select method from sessions where user_id = ? order by created_at", userId)).map((row) => row.method);
const sessionCount = (stored: Stored) => stored.value<number>("select count(*) from sessions");

function account(login: string, changes: Partial<ProviderAccount> = {}): ProviderAccount {
  const name = login[0].toUpperCase() + login.slice(1);
  return { sub: `${login}-subject`, email: `${login}@${DOMAIN}`, email_verified: true, name: `${name} Example`, groups: [], ...changes };
}

/** From Hindsight's sign-in page to the provider's login page, by the button. */
async function goToProvider(page: Page): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
  await expect(page.getByRole("heading", { name: "Sign in to the test OpenID provider" })).toBeVisible();
}

/** The whole sign-in through the provider; the page ends back in Hindsight, signed in as `name`. */
async function signInThroughProvider(page: Page, login: string, name: string): Promise<void> {
  await goToProvider(page);
  await signInAtProvider(page, login);
  await expect(page).toHaveURL(`${OWN_BASE}/incidents`);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
}

/** The callback's answer to the browser, once it arrives. */
function callbackResponse(page: Page) {
  return page.waitForResponse((response) => response.url().startsWith(`${CALLBACK}?`));
}

/** The refusal page: its heading, the message in an alert, and the HTTP status. */
async function expectRefused(page: Page, response: ReturnType<typeof callbackResponse>, status: number, message: string | RegExp): Promise<void> {
  const answer = await response;
  expect(answer.status()).toBe(status);
  await expect(page.getByRole("heading", { name: REFUSED })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText(message);
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
  // No session in the browser, and the answered sign-in is forgotten (sign-ins other tabs began are kept).
  const cookies = await page.context().cookies(CALLBACK);
  expect(cookies.map((cookie) => cookie.name).filter((name) => name === "hs_session")).toEqual([]);
  const answered = new URL(answer.url()).searchParams.get("state");
  expect(pendingStates(cookies.find((cookie) => cookie.name === "hs_oidc")?.value)).not.toContain(answered);
}

/** The states of the sign-ins a browser's hs_oidc cookie keeps (signed JSON, readable). */
function pendingStates(value: string | undefined): string[] {
  if (!value) return [];
  const [payload] = decodeURIComponent(value).split(".");
  const pendings = JSON.parse(Buffer.from(payload, "base64").toString("utf8")) as { state: string }[];
  return pendings.map((p) => p.state);
}

/**
 * Signs in as `login` at the provider, but the browser goes back to Hindsight with the provider's
 * answer (the callback URL) changed by `change`. The provider's redirects are followed here with
 * the browser's cookies (a route sees only the first request of a redirect chain, the form's post).
 */
async function answerChanged(page: Page, login: string, change: (answer: URL) => void): Promise<void> {
  await page.route(
    (url) => url.origin === provider.issuer && url.pathname.startsWith("/interaction/"),
    async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      let answer = await route.fetch({ maxRedirects: 0 });
      let location = new URL(answer.headers().location, provider.issuer);
      while (location.origin === provider.issuer) {
        answer = await page.context().request.get(location.href, { maxRedirects: 0 });
        location = new URL(answer.headers().location, location);
      }
      expect(location.href.startsWith(`${CALLBACK}?`), location.href).toBe(true);
      change(location);
      await route.fulfill({ status: 303, headers: { location: location.href } });
    },
  );
  await page.getByLabel("Login").fill(login);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a first sign-in through the provider makes a member's account from the claims; the next one finds it by its subject", async ({ browser }) => {
  await withHindsight(browser, { domains: `${DOMAIN}, eu.${DOMAIN}` }, async ({ stored, stranger }) => {
    provider.setAccount("ada", account("ada", { name: "Ada Lovelace", email: `Ada.Lovelace@${DOMAIN}` }));
    const before = (await users(stored)).length;

    const page = await stranger();
    await signInThroughProvider(page, "ada", "Ada Lovelace");
    await expect(page.getByRole("navigation", { name: "Admin" })).toHaveCount(0);
    const ada = await userByEmail(stored, `ada.lovelace@${DOMAIN}`);
    expect(ada).toMatchObject({ name: "Ada Lovelace", role: "member", removedAt: null });
    expect(await users(stored)).toHaveLength(before + 1);
    expect(await identities(stored)).toEqual([{ userId: ada!.id, issuer: provider.issuer, subject: "ada-subject" }]);
    expect(await sessionsOf(stored, ada!.id)).toEqual(["provider"]);

    // Her profile says who she is.
    await page.getByRole("link", { name: "Ada Lovelace", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText(`ada.lovelace@${DOMAIN} · Member`);

    // The second sign-in, in another browser, with a new address at the provider: the subject
    // links it to the same account; nobody new, no second link.
    provider.setAccount("ada", account("ada", { name: "Ada King", email: `ada.king@eu.${DOMAIN}` }));
    await signInThroughProvider(await stranger(), "ada", "Ada Lovelace");
    expect(await users(stored)).toHaveLength(before + 1);
    expect(await userByEmail(stored, `ada.king@eu.${DOMAIN}`)).toBeUndefined();
    expect(await identities(stored)).toEqual([{ userId: ada!.id, issuer: provider.issuer, subject: "ada-subject" }]);
    expect(await sessionsOf(stored, ada!.id)).toEqual(["provider", "provider"]);
  });
});

test("a person an admin added by email is linked, not duplicated, at their first sign-in through the provider", async ({ browser }) => {
  // Their domain is not one that gets accounts: the admin's invitation is what lets them in.
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, admin, stranger }) => {
    await admin.goto("/admin/users");
    const form = admin.getByRole("region", { name: "Add a person" });
    await form.getByLabel("Name").fill("Grace Hopper");
    await form.getByLabel("Email").fill("grace@navy.example");
    await form.getByLabel("Team").fill("Compilers");
    await form.getByRole("button", { name: "Add and invite by email" }).click();
    await expect(admin.getByRole("status").filter({ hasText: "We emailed an invitation to" })).toContainText("Grace Hopper");
    const grace = (await userByEmail(stored, "grace@navy.example"))!;
    expect(grace).toMatchObject({ name: "Grace Hopper", role: "member" });
    const before = (await users(stored)).length;
    expect(await identities(stored)).toEqual([]);

    // The provider's address differs in case only; the account keeps the name the admin gave.
    provider.setAccount("grace", account("grace", { email: "Grace@Navy.example", name: "Rear Admiral Hopper" }));
    const page = await stranger();
    await signInThroughProvider(page, "grace", "Grace Hopper");
    expect(await users(stored)).toHaveLength(before);
    expect(await identities(stored)).toEqual([{ userId: grace.id, issuer: provider.issuer, subject: "grace-subject" }]);
    expect(await sessionsOf(stored, grace.id)).toEqual(["provider"]);

    // Signed out, then back through a page that needs a session: the same account, by its
    // link, and the page she asked for.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to Hindsight" })).toBeVisible();
    await page.goto("/actions");
    await expect(page).toHaveURL(`${OWN_BASE}/signin?redirectTo=%2Factions`);
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await signInAtProvider(page, "grace");
    await expect(page).toHaveURL(`${OWN_BASE}/actions`);
    await expect(page.getByRole("link", { name: "Grace Hopper", exact: true })).toBeVisible();
    expect(await users(stored)).toHaveLength(before);
    expect(await identities(stored)).toHaveLength(1);
    expect(await sessionsOf(stored, grace.id)).toEqual(["provider"]);
  });
});

test("an answer whose state this browser did not start is refused, and signs nobody in", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, stranger }) => {
    provider.setAccount("eve", account("eve"));
    const sessions = await sessionCount(stored);
    const page = await stranger();
    await goToProvider(page);
    const response = callbackResponse(page);
    await answerChanged(page, "eve", (answer) => answer.searchParams.set("state", "a-state-this-browser-never-saw"));
    await expectRefused(page, response, 400, "(its state did not match). Start again.");
    expect(await userByEmail(stored, `eve@${DOMAIN}`)).toBeUndefined();
    expect(await identities(stored)).toEqual([]);
    expect(await sessionCount(stored)).toBe(sessions);

    // Two sign-ins begun in two tabs of one browser, answers untouched: each finishes with its own state.
    await page.unrouteAll({ behavior: "wait" });
    const first = page;
    const second = await page.context().newPage();
    await goToProvider(first);
    await goToProvider(second);
    await signInAtProvider(second, "eve");
    await expect(second).toHaveURL(`${OWN_BASE}/incidents`);
    await signInAtProvider(first, "eve");
    await expect(first).toHaveURL(`${OWN_BASE}/incidents`);
    const eve = (await userByEmail(stored, `eve@${DOMAIN}`))!;
    expect(await sessionsOf(stored, eve.id)).toEqual(["provider", "provider"]);
  });
});

test("a replayed answer is refused: the provider's code works once", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, stranger, restart }) => {
    provider.setAccount("rosa", account("rosa"));
    const page = await stranger();
    await goToProvider(page);
    // What an eavesdropper would need: the pending sign-in's cookie and the provider's answer.
    const pending = (await page.context().cookies(`${OWN_BASE}/signin/sso`)).find((cookie) => cookie.name === "hs_oidc");
    expect(pending).toBeTruthy();
    const answer = page.waitForRequest((request) => request.url().startsWith(`${CALLBACK}?`));
    await signInAtProvider(page, "rosa");
    const callbackUrl = (await answer).url();
    await expect(page).toHaveURL(`${OWN_BASE}/incidents`);
    const rosa = (await userByEmail(stored, `rosa@${DOMAIN}`))!;
    expect(await sessionsOf(stored, rosa.id)).toEqual(["provider"]);
    // The pending sign-in is forgotten once used.
    expect((await page.context().cookies(`${OWN_BASE}/signin/sso`)).find((cookie) => cookie.name === "hs_oidc")).toBeUndefined();

    const replay = await stranger();
    await replay.context().addCookies([pending!]);
    const response = callbackResponse(replay);
    await replay.goto(callbackUrl);
    // Refused before the provider is asked: this server answers each state once.
    await expectRefused(replay, response, 400, "This sign-in answer was already used or has expired. Start again.");
    expect(await sessionsOf(stored, rosa.id)).toEqual(["provider"]);

    // The answered state is kept in the database: a restarted server (or another instance) refuses it too, before asking the provider.
    await restart();
    const restarted = await stranger();
    await restarted.context().addCookies([pending!]);
    const remembered = callbackResponse(restarted);
    await restarted.goto(callbackUrl);
    await expectRefused(restarted, remembered, 400, "This sign-in answer was already used or has expired. Start again.");

    // Were that record lost, the provider is asked, and refuses the used code.
    await stored.run("delete from rate_counts where key like 'oidc-state:%'");
    const again = await stranger();
    await again.context().addCookies([pending!]);
    const refused = callbackResponse(again);
    await again.goto(callbackUrl);
    await expectRefused(again, refused, 400, "This sign-in answer was already used or has expired: the identity provider refused its code. Start again.");
    expect(await sessionsOf(stored, rosa.id)).toEqual(["provider"]);
    expect((await users(stored)).filter((u) => u.email === `rosa@${DOMAIN}`)).toHaveLength(1);
  });
});

test("an ID token made for another sign-in (its nonce differs) is refused", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, stranger }) => {
    provider.setAccount("nina", account("nina"));
    const sessions = await sessionCount(stored);
    const page = await stranger();
    // The authorization request leaves Hindsight with another nonce than the one it keeps.
    await page.route(
      (url) => url.origin === OWN_BASE && url.pathname === "/signin/sso",
      async (route) => {
        const response = await route.fetch({ maxRedirects: 0 });
        const location = new URL(response.headers().location);
        expect(location.origin).toBe(provider.issuer);
        expect(location.searchParams.get("nonce")).toBeTruthy();
        location.searchParams.set("nonce", "a-nonce-of-another-sign-in");
        await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
      },
    );
    await goToProvider(page);
    const response = callbackResponse(page);
    await signInAtProvider(page, "nina");
    await expectRefused(page, response, 400, "The identity provider's answer was not made for this sign-in (its nonce did not match). Start again.");
    expect(await userByEmail(stored, `nina@${DOMAIN}`)).toBeUndefined();
    expect(await identities(stored)).toEqual([]);
    expect(await sessionCount(stored)).toBe(sessions);
  });
});

test("an expired ID token is refused", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, stranger }) => {
    provider.setAccount("otto", account("otto"));
    const sessions = await sessionCount(stored);
    const page = await stranger();
    await goToProvider(page);
    provider.expireNextIdToken();
    const response = callbackResponse(page);
    await signInAtProvider(page, "otto");
    await expectRefused(page, response, 400, "The identity provider's ID token has expired or is not valid yet.");
    expect(await userByEmail(stored, `otto@${DOMAIN}`)).toBeUndefined();
    expect(await identities(stored)).toEqual([]);
    expect(await sessionCount(stored)).toBe(sessions);

    // "Try again" starts over, and a fresh token signs in.
    await page.getByRole("link", { name: "Try again" }).click();
    await signInAtProvider(page, "otto");
    await expect(page).toHaveURL(`${OWN_BASE}/incidents`);
    expect(await sessionsOf(stored, (await userByEmail(stored, `otto@${DOMAIN}`))!.id)).toEqual(["provider"]);
  });
});

test("an address of a domain that gets no accounts, or one the provider has not verified, is refused", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, stranger }) => {
    const before = (await users(stored)).length;
    const sessions = await sessionCount(stored);

    provider.setAccount("mallory", account("mallory", { email: "mallory@elsewhere.example" }));
    const page = await stranger();
    await goToProvider(page);
    let response = callbackResponse(page);
    await signInAtProvider(page, "mallory");
    await expectRefused(page, response, 403, "Hindsight has no account for mallory@elsewhere.example, and accounts are not created for elsewhere.example addresses.");

    // An allowed domain, but the provider has not verified the address.
    provider.setAccount("ursula", account("ursula", { email_verified: false }));
    await goToProvider(page);
    response = callbackResponse(page);
    await signInAtProvider(page, "ursula");
    await expectRefused(page, response, 403, `The identity provider has not verified your email address (ursula@${DOMAIN})`);

    expect(await users(stored)).toHaveLength(before);
    expect(await identities(stored)).toEqual([]);
    expect(await sessionCount(stored)).toBe(sessions);
  });
});

test("the provider's admin group makes an admin at sign-in, and leaving it makes a member again", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN, adminGroups: ADMIN_GROUP }, async ({ stored, admin, stranger }) => {
    await admin.goto("/admin/sign-in");
    await expect(admin.getByLabel("Provider groups whose members are admins")).toHaveValue(ADMIN_GROUP);

    provider.setAccount("dana", account("dana", { name: "Dana Scully", groups: ["engineering", ADMIN_GROUP] }));
    const first = await stranger();
    await signInThroughProvider(first, "dana", "Dana Scully");
    await expect(first.getByRole("navigation", { name: "Admin" })).toBeVisible();
    await first.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Sign-in" }).click();
    await expect(first.getByRole("heading", { name: "Sign-in", level: 1 })).toBeVisible();
    const dana = (await userByEmail(stored, `dana@${DOMAIN}`))!;
    expect(dana.role).toBe("admin");

    // Taken out of the group at the provider: the next sign-in makes her a member.
    provider.setAccount("dana", account("dana", { name: "Dana Scully", groups: ["engineering"] }));
    const second = await stranger();
    await signInThroughProvider(second, "dana", "Dana Scully");
    await expect(second.getByRole("navigation", { name: "Admin" })).toHaveCount(0);
    expect(await userByEmail(stored, `dana@${DOMAIN}`)).toMatchObject({ id: dana.id, role: "member" });
    const page = await second.goto("/admin/sign-in");
    expect(page?.status()).toBe(403);
    expect((await users(stored)).filter((u) => u.role === "admin").map((u) => u.email)).toEqual([ADMIN_EMAIL]);
  });
});

test("a person an admin removed cannot sign in through the provider", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, admin, stranger }) => {
    provider.setAccount("finn", account("finn", { name: "Finn Leaving" }));
    const finnPage = await stranger();
    await signInThroughProvider(finnPage, "finn", "Finn Leaving");
    const finn = (await userByEmail(stored, `finn@${DOMAIN}`))!;
    expect(await sessionsOf(stored, finn.id)).toEqual(["provider"]);

    await admin.goto("/admin/users");
    const row = admin.getByRole("row").filter({ hasText: `finn@${DOMAIN}` });
    await row.getByText("Edit Finn Leaving").click();
    await row.getByRole("link", { name: "Remove Finn Leaving…" }).click();
    await expect(admin.getByRole("heading", { level: 1, name: "Remove Finn Leaving?" })).toBeVisible();
    await admin.getByRole("button", { name: "Remove Finn Leaving" }).click();
    await expect(admin.getByRole("status")).toHaveText("Removed Finn Leaving: they are signed out and can no longer sign in.");
    expect((await userByEmail(stored, `finn@${DOMAIN}`))!.removedAt).not.toBeNull();
    expect(await sessionsOf(stored, finn.id)).toEqual([]);

    // Still a person at the provider, with the same subject: refused.
    const page = await stranger();
    await goToProvider(page);
    const response = callbackResponse(page);
    await signInAtProvider(page, "finn");
    await expectRefused(page, response, 403, "Your Hindsight account was deactivated. Ask a Hindsight admin if you need it again.");
    expect(await sessionsOf(stored, finn.id)).toEqual([]);

    // Nor with another subject and the same address (a new link by email).
    provider.setAccount("finn2", account("finn2", { email: `finn@${DOMAIN}`, name: "Finn Leaving" }));
    await goToProvider(page);
    const again = callbackResponse(page);
    await signInAtProvider(page, "finn2");
    await expectRefused(page, again, 403, "Your Hindsight account was deactivated.");
    expect(await sessionsOf(stored, finn.id)).toEqual([]);
    expect((await users(stored)).filter((u) => u.email === `finn@${DOMAIN}`)).toHaveLength(1);
    expect((await identities(stored)).filter((i) => i.userId === finn.id).map((i) => i.subject)).not.toContain("finn2-subject");

    // The session Finn had is over too.
    await finnPage.goto("/incidents");
    await expect(finnPage).toHaveURL(/\/signin/);
  });
});

test("with password sign-in for admins only, members are sent to the provider and an admin still signs in with a password", async ({ browser }) => {
  await withHindsight(browser, { domains: DOMAIN }, async ({ stored, admin, adminCookie, stranger, configure }) => {
    // A member who chose a password through their invitation.
    const memberEmail = `pat@${DOMAIN}`;
    await addMember(adminCookie, "Pat Member", memberEmail);
    const pat = (await userByEmail(stored, memberEmail))!;
    const casey = (await userByEmail(stored, ADMIN_EMAIL))!;
    const patSessions = await sessionsOf(stored, pat.id);
    const caseySessions = await sessionsOf(stored, casey.id);

    expect(patSessions).toEqual(["link"]);
    await configure({ passwords: "Only admins, for when the provider is down" });
    await admin.goto("/admin/sign-in");
    await expect(admin.getByLabel("Password sign-in")).toHaveValue("admins");
    // Turning passwords off for members signed them out of what a password began; admins stay.
    expect(await sessionsOf(stored, pat.id)).toEqual([]);
    expect(await sessionsOf(stored, casey.id)).toEqual(caseySessions);

    const page = await stranger();
    await page.goto("/signin");
    await expect(page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` })).toBeVisible();
    const disclosure = page.getByText("Administrators: sign in with a password");
    await expect(disclosure).toBeVisible();
    await expect(page.getByLabel("Password")).toBeHidden();
    await disclosure.click();
    await expect(page.getByText(`For when ${PROVIDER_NAME} is down. Members sign in with ${PROVIDER_NAME}.`)).toBeVisible();

    // A member's right password: refused as a wrong one is (the answer must not confirm a guess), and told where to go.
    const refusal = `That email and password do not match an administrator's account. Members sign in with ${PROVIDER_NAME}.`;
    for (const password of [MEMBER_PASSWORD, "not-the-password"]) {
      await page.getByLabel("Email").fill(memberEmail);
      await page.getByLabel("Password").fill(password);
      const refused = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith("/signin") && r.request().method() === "POST");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      expect((await refused).status()).toBe(400);
      await expect(page.getByRole("alert")).toHaveText(refusal);
    }
    await expect(page).toHaveURL(/\/signin$/);
    expect(await sessionsOf(stored, pat.id)).toEqual([]);

    // The admin's password still works: the way in when the provider is down.
    await page.getByLabel("Email").fill(ADMIN_EMAIL);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${OWN_BASE}/incidents`);
    await expect(page.getByRole("link", { name: "Casey Admin", exact: true })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Admin" })).toBeVisible();
    expect(await sessionsOf(stored, casey.id)).toEqual([...caseySessions, "password"]);

    // The member signs in through the provider instead, into the same account.
    provider.setAccount("pat", account("pat", { name: "Patricia" }));
    const through = await stranger();
    await signInThroughProvider(through, "pat", "Pat Member");
    expect(await identities(stored)).toEqual([{ userId: pat.id, issuer: provider.issuer, subject: "pat-subject" }]);
    expect(await sessionsOf(stored, pat.id)).toEqual(["provider"]);
  });
});
