// Security headers on every page: a Content-Security-Policy whose nonce is on each of Remix's
// inline scripts and nowhere else, no framing, no sniffing, a same-origin referrer; and on every
// other response (downloads, feeds, files, errors, refusals) no sniffing, no framing, the referrer.
import { expect, test } from "@playwright/test";
import { reportIncident, unique } from "./helpers";

test("pages carry a fresh script nonce, and the app runs under the policy without a violation", async ({ page, request }) => {
  const nonces = new Set<string>();
  for (const path of ["/incidents", "/signin", "/learnings"]) {
    const response = await request.get(path);
    expect(response.status()).toBe(200);
    const headers = response.headers();
    const policy = headers["content-security-policy"] ?? "";
    const scriptSrc = /script-src ([^;]+)/.exec(policy)?.[1] ?? "";
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(scriptSrc).not.toContain("unsafe-eval");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["x-frame-options"]).toBe("DENY");
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    expect(nonce).toBeTruthy();
    nonces.add(nonce!);
    const scripts = [...(await response.text()).matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(3);

  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto("/incidents");
  // Hydrated: following a link keeps the same document (a client-side navigation).
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  await page.getByRole("link", { name: "Learnings", exact: true }).click();
  await expect(page).toHaveURL(/\/learnings$/);
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  await page.goto("/actions");
  expect(violations).toEqual([]);
});

test("every other response carries the same headers: downloads, feeds, files, errors and refusals", async ({ page, request }) => {
  const reference = await reportIncident(page, { title: unique("Headers") });
  const responses = {
    markdown: await request.get(`/incidents/${reference}.md`),
    feed: await request.get("/learnings.atom"),
    csv: await request.get("/actions/export.csv"),
    file: await request.get("/favicon.svg"),
    health: await request.get("/healthz"),
    missing: await request.get("/no-such-file.txt"),
    crossSite: await request.post("/signin", { headers: { Origin: "https://evil.example" }, form: { email: "x@example.com", password: "x" } }),
  };
  const statuses = Object.fromEntries(Object.entries(responses).map(([name, response]) => [name, response.status()]));
  expect(statuses).toEqual({ markdown: 200, feed: 200, csv: 200, file: 200, health: 200, missing: 404, crossSite: 403 });
  for (const [name, response] of Object.entries(responses)) {
    const headers = response.headers();
    expect(headers["x-content-type-options"], name).toBe("nosniff");
    expect(headers["x-frame-options"], name).toBe("DENY");
    expect(headers["referrer-policy"], name).toBe("same-origin");
  }
});
