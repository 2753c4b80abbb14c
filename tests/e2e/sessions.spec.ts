// Sessions and requests at the HTTP level: cookie flags (Secure behind a TLS proxy), a new
// session id at every sign-in, expiry, sign-out that revokes, throttled guessing, the body
// limit and redirects that never leave the site.
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, firstAdmin, OWN_BASE, post, sessionCookie, withOwnServer } from "./own-server";

test.describe.configure({ mode: "serial" });

const EMAIL = ADMIN_EMAIL;
const signIn = (password: string, redirectTo = "", cookie = "") => post(`/signin`, { email: EMAIL, password, redirectTo }, cookie);
const opens = (cookie: string) => fetch(`${OWN_BASE}/incidents`, { redirect: "manual", headers: { Cookie: cookie } }).then((r) => r.status);

test("session cookies, sign-in, expiry and sign-out", async () => {
  await withOwnServer({}, async (_file, dataDir) => {
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
    const file = new Database(path.join(dataDir, "hindsight.db"));
    file.prepare("update sessions set expires_at = ?").run(new Date(Date.now() - 1000).toISOString());
    file.close();
    expect(await opens(a)).toBe(302);
    expect(await opens(c)).toBe(302);
  });
});

test("behind a TLS proxy cookies are Secure", async () => {
  await withOwnServer({ env: { TRUST_PROXY: "true", APP_URL: "https://hindsight.example.com" } }, async () => {
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

test("guessing is throttled, big bodies and cross-site posts are refused, redirects stay on the site", async () => {
  await withOwnServer({}, async () => {
    await firstAdmin();
    for (const target of ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/evil.example"]) {
      const response = await signIn(ADMIN_PASSWORD, target);
      expect(response.status, target).toBe(302);
      expect(response.headers.get("location"), target).toBe("/");
    }
    expect((await signIn(ADMIN_PASSWORD, "/actions?status=open")).headers.get("location")).toBe("/actions?status=open");

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(`wrong-password-${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const throttled = await signIn(ADMIN_PASSWORD);
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain("Too many failed sign-ins");

    const big = await post("/signin", { email: EMAIL, password: "x".repeat(1_100_000) });
    expect(big.status).toBe(413);
    const crossSite = await post("/signin", { email: EMAIL, password: ADMIN_PASSWORD }, "", { Origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
  });
});
