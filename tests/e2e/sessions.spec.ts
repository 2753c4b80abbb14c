// Sessions and requests at the HTTP level: cookie flags (Secure behind a TLS proxy), a new
// session id at every sign-in, expiry, sign-out that revokes, throttled guessing, the body
// limit and redirects that never leave the site.
import fs from "node:fs";
import { expect, test, type Browser } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, firstAdmin, OWN_BASE, post, sessionCookie, withOwnStore } from "./own-server";

test.describe.configure({ mode: "serial" });

const EMAIL = ADMIN_EMAIL;
const signIn = (password: string, redirectTo = "", cookie = "") => post(`/signin`, { email: EMAIL, password, redirectTo }, cookie);
const opens = (cookie: string) => fetch(`${OWN_BASE}/incidents`, { redirect: "manual", headers: { Cookie: cookie } }).then((r) => r.status);

test("session cookies, sign-in, expiry and sign-out", async () => {
  await withOwnStore({}, async (stored) => {
    await firstAdmin();
    const first = await signIn(ADMIN_PASSWORD);
    const flags = first.headers.getSetCookie().find((c) => c.startsWith("hs_session="))!;
    expect(flags).toMatch(/; HttpOnly/);
    expect(flags).toMatch(/; SameSite=Lax/);
    expect(flags).not.toMatch(/; Secure/);

    // Every sign-in makes a new session id, even for someone presenting one already.
    const a = sessionCookie(first);
    const b = sessionCookie(await signIn(ADMIN_PASSWORD, "", a));
    const planted = "hs_session=chosen-by-an-attacker";
    const c = sessionCookie(await signIn(ADMIN_PASSWORD, "", planted));
    expect(new Set([a, b, c, planted]).size).toBe(4);
    expect(await opens(a)).toBe(200);
    expect(await opens(planted)).toBe(302);

    // Signing out ends that session on the server, not just in the browser.
    expect((await post("/signout", {}, b)).status).toBe(302);
    expect(await opens(b)).toBe(302);
    expect(await opens(a)).toBe(200);

    // An expired session is a signed-out one.
    await stored.run("update sessions set expires_at = ?", new Date(Date.now() - 1000).toISOString());
    expect(await opens(a)).toBe(302);
    expect(await opens(c)).toBe(302);
  });
});

test("behind a TLS proxy cookies are Secure", async () => {
  await withOwnStore({ env: { TRUST_PROXY: "true", APP_URL: "https://hindsight.example.com" } }, async () => {
    const response = await post("/setup", { name: "Casey Admin", email: EMAIL, team: "", password: ADMIN_PASSWORD }, "", {
      // As a proxy in front of it passes the request on.
      Origin: "https://hindsight.example.com",
      "X-Forwarded-Proto": "https",
      "X-Forwarded-Host": "hindsight.example.com",
    });
    expect(response.status).toBe(302);
    const flags = response.headers.getSetCookie().find((c) => c.startsWith("hs_session="))!;
    expect(flags).toMatch(/; Secure/);
    expect(flags).toMatch(/; HttpOnly/);
  });
});

test("behind proxies, the client's address is the one the nearest untrusted hop saw, not one the client wrote", async () => {
  // TRUST_PROXY=true is the one proxy in front; a list names the proxies, here a CDN's 10.x hop.
  const setups = [
    { trust: "true", proxies: [] },
    { trust: "loopback, 10.0.0.0/8", proxies: ["10.1.1.1"] },
  ];
  for (const { trust, proxies } of setups) {
    await withOwnStore({ env: { TRUST_PROXY: trust } }, async () => {
      await firstAdmin();
      // Each proxy appends the address it saw to whatever X-Forwarded-For the client sent.
      const via = (client: string, written: string) => ({ "X-Forwarded-For": [written, client, ...proxies].join(", ") });
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const guess = await post("/signin", { email: `guess-${i}@example.com`, password: "a-guess" }, "", via("203.0.113.7", `192.0.2.${i}`));
        statuses.push(guess.status);
      }
      // The address allows 20 failures, whatever the client claims to be.
      expect(statuses, trust).toEqual([...Array<number>(20).fill(400), 429]);
      // Another client, even one claiming the refused address, is not held up.
      const other = await post("/signin", { email: EMAIL, password: ADMIN_PASSWORD }, "", via("198.51.100.4", "203.0.113.7"));
      expect(other.status, trust).toBe(302);
    });
  }
});

test("failures from one address do not lock the owner out elsewhere; a browser they signed in on passes the account's ceiling", async () => {
  await withOwnStore({ env: { TRUST_PROXY: "true" } }, async (stored) => {
    await firstAdmin();
    // The proxy in front says where each request came from.
    const signInFrom = (address: string, password: string, cookie = "") =>
      post("/signin", { email: EMAIL, password }, cookie, { "X-Forwarded-For": address });

    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signInFrom("203.0.113.66", `a-guess-${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
    expect((await signInFrom("203.0.113.66", ADMIN_PASSWORD)).status).toBe(429);
    const owner = await signInFrom("198.51.100.7", ADMIN_PASSWORD);
    expect(owner.status).toBe(302);

    const cookies = owner.headers.getSetCookie();
    const device = cookies.find((c) => c.startsWith("hs_device="))!;
    expect(device).toMatch(/; HttpOnly/);
    expect(device).toMatch(/; SameSite=Lax/);
    expect(device).toMatch(/; Max-Age=31536000/);
    // Secure as the session cookie is (TRUST_PROXY means TLS in front).
    expect(device).toMatch(/; Secure/);
    expect(cookies.find((c) => c.startsWith("hs_session="))).toMatch(/; Secure/);

    // Guessing spread over many addresses has passed the account's ceiling.
    await stored.run(
      "insert into sign_in_failures (key, failures, last_failure_at) values (?, 150, ?) on conflict (key) do update set failures = 150, last_failure_at = excluded.last_failure_at",
      `account:${EMAIL}`,
      new Date().toISOString(),
    );
    expect((await signInFrom("192.0.2.10", ADMIN_PASSWORD)).status).toBe(429);
    expect((await signInFrom("192.0.2.10", ADMIN_PASSWORD, "hs_device=WzFd")).status).toBe(429);
    expect((await signInFrom("192.0.2.10", ADMIN_PASSWORD, device.split(";")[0])).status).toBe(302);
  });
});

test("guessing is throttled, cross-site posts are refused, redirects stay on the site", async () => {
  await withOwnStore({}, async (stored) => {
    await firstAdmin();
    const sessions = () => stored.value<number>("select count(*) from sessions");
    for (const target of ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example/", "javascript:alert(1)", "http:/evil.example"]) {
      const response = await signIn(ADMIN_PASSWORD, target);
      expect(response.status, target).toBe(302);
      expect(response.headers.get("location"), target).toBe("/");
    }
    expect((await signIn(ADMIN_PASSWORD, "/actions?status=open")).headers.get("location")).toBe("/actions?status=open");

    // A line break in the return address cannot add a header, nor fail the sign-in after its session is made.
    const before = await sessions();
    const injected = await signIn(ADMIN_PASSWORD, "/actions\r\nSet-Cookie: planted=1");
    expect(injected.status).toBe(302);
    expect(injected.headers.get("location")).toBe("/actionsSet-Cookie:%20planted=1");
    expect(injected.headers.getSetCookie().some((c) => c.startsWith("planted="))).toBe(false);
    expect(await sessions()).toBe(before + 1);

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(`wrong-password-${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const throttled = await signIn(ADMIN_PASSWORD);
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain("Too many failed sign-ins");

    const crossSite = await post("/signin", { email: EMAIL, password: ADMIN_PASSWORD }, "", { Origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
  });
});

/** A body sent in chunks, without a Content-Length, as a stream of `bytes` bytes after `start`. */
function chunked(start: string, bytes: number): ReadableStream<Uint8Array> {
  const head = new TextEncoder().encode(start);
  const padding = new Uint8Array(64 * 1024).fill("x".charCodeAt(0));
  let sent = -1;
  return new ReadableStream({
    pull(controller) {
      if (sent < 0) {
        sent = head.length;
        controller.enqueue(head);
      } else if (sent >= bytes) {
        controller.close();
      } else {
        const chunk = padding.subarray(0, Math.min(padding.length, bytes - sent));
        sent += chunk.length;
        controller.enqueue(chunk);
      }
    },
  });
}

const sendSignIn = (body: BodyInit, contentType?: string) =>
  fetch(`${OWN_BASE}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: OWN_BASE, ...(contentType ? { "Content-Type": contentType } : {}) },
    body,
    duplex: "half",
  } as RequestInit);

/** The most memory the server process has held so far (Linux reports it). */
const peakMemoryKb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);

test("bodies over 1 MB are refused by the bytes sent, however they are framed, and never kept", async () => {
  await withOwnStore({}, async (_stored, _dataDir, server) => {
    await firstAdmin();
    const form = `email=${encodeURIComponent(EMAIL)}&password=${encodeURIComponent(ADMIN_PASSWORD)}&padding=`;
    const urlencoded = "application/x-www-form-urlencoded";

    // Under the limit, a form is read whole: sent in chunks, with a Content-Length, or as multipart.
    expect((await sendSignIn(chunked(form, 1_000_000), urlencoded)).status).toBe(302);
    expect((await sendSignIn(form + "x".repeat(1_000_000), urlencoded)).status).toBe(302);
    const multipart = new FormData();
    multipart.set("email", EMAIL);
    multipart.set("password", ADMIN_PASSWORD);
    multipart.set("padding", "x".repeat(1_000_000));
    expect((await sendSignIn(multipart)).status).toBe(302);

    // Over it, with a Content-Length that says so, and in chunks that never say how many.
    const declared = await sendSignIn(form + "x".repeat(1_100_000), urlencoded);
    expect(declared.status).toBe(413);
    const before = peakMemoryKb(server.pid!);
    for (const contentType of [urlencoded, "multipart/form-data; boundary=x"]) {
      const streamed = await sendSignIn(chunked(form, 20 * 1024 * 1024), contentType);
      expect(streamed.status).toBe(413);
      expect(await streamed.text()).toBe("Request too large.");
    }
    // 40 MB sent; what the server holds grows by far less than that (it used to grow by hundreds).
    expect(peakMemoryKb(server.pid!) - before).toBeLessThan(16 * 1024);

    expect((await fetch(`${OWN_BASE}/healthz`)).status).toBe(200);
    expect((await signIn(ADMIN_PASSWORD)).status).toBe(302);
  });
});

/** Signs in through the page, with JavaScript, as a person would; the page it lands on. */
async function signInInBrowser(browser: Browser, storageState?: Awaited<ReturnType<import("@playwright/test").BrowserContext["storageState"]>>) {
  const context = await browser.newContext({ baseURL: OWN_BASE, storageState: storageState ?? { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  return page;
}

test("in the browser, the known-device cookie comes back with a sign-in and passes the account's ceiling", async ({ browser }) => {
  await withOwnStore({}, async (stored) => {
    await firstAdmin();
    const usual = await signInInBrowser(browser);
    await expect(usual.getByRole("button", { name: "Sign out" })).toBeVisible();
    const device = (await usual.context().cookies()).find((c) => c.name === "hs_device");
    expect(device).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await usual.getByRole("button", { name: "Sign out" }).click();
    await expect(usual).toHaveURL(/\/signin$/);

    await stored.run(
      "insert into sign_in_failures (key, failures, last_failure_at) values (?, 150, ?) on conflict (key) do update set failures = 150, last_failure_at = excluded.last_failure_at",
      `account:${EMAIL}`,
      new Date().toISOString(),
    );

    const stranger = await signInInBrowser(browser);
    await expect(stranger.getByRole("alert")).toContainText("Too many failed sign-ins");
    await stranger.context().close();

    const again = await signInInBrowser(browser, await usual.context().storageState());
    await expect(again.getByRole("button", { name: "Sign out" })).toBeVisible();
    await again.context().close();
    await usual.context().close();
  });
});
