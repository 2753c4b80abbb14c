// Cross-site POSTs (scenario 9): a form posted from another site is refused with 403 on every
// action, even with a valid session cookie, and nothing is changed; with APP_URL set, only a page
// at that address may post.
import http from "node:http";
import { expect, test } from "@playwright/test";
import { ADMIN, BASE_URL, addFirstWhy, reportIncident, unique, whySection } from "./helpers";

test("POSTs with a foreign Origin are refused with 403 and change nothing", async ({ page }) => {
  const title = `Cross-site target ${unique("t")}`;
  const ref = await reportIncident(page, { title, startedAt: "2026-04-04T04:04" });
  await addFirstWhy(page, { question: "Why?", answer: "Because of a real cause", remediation: "Fix it" });

  const evil = { Origin: "http://evil.example" };
  const attempts: { path: string; form: Record<string, string> }[] = [
    { path: "/incidents/new", form: { title: "Planted by evil.example", severity: "SEV1", startedAt: "2026-04-04T04:04", visibility: "org" } },
    { path: `/incidents/${ref}?index`, form: { intent: "add-why", parentId: "", question: "Planted why", answer: "Planted answer" } },
    { path: `/incidents/${ref}?index`, form: { intent: "move", to: "analysis" } },
    { path: `/incidents/${ref}/edit`, form: { intent: "people", facilitatorId: "1" } },
    { path: "/admin/users", form: { intent: "add", name: "Evil", email: "evil@example.com", team: "", role: "admin" } },
    { path: "/signout", form: {} },
    { path: "/signin", form: { email: "ada.admin@example.com", password: "guess-guess-guess" } },
  ];
  for (const { path, form } of attempts) {
    const response = await page.request.post(path, { form, headers: evil, maxRedirects: 0 });
    expect(response.status(), path).toBe(403);
    expect(await response.text(), path).toBe("Cross-site requests are not accepted.");
  }
  // A browser's own cross-site marker is refused too, even without an Origin header.
  const marked = await page.request.post(`/incidents/${ref}?index`, {
    form: { intent: "add-why", parentId: "", question: "Planted why", answer: "Planted answer" },
    headers: { "Sec-Fetch-Site": "cross-site" },
    maxRedirects: 0,
  });
  expect(marked.status()).toBe(403);

  // Nothing changed, and the session still works (the sign-out post was refused too).
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByRole("article").locator(".incident-meta .status")).toHaveText("Draft");
  await expect(whySection(page).locator(".why__answer")).toHaveText(["Because of a real cause"]);
  await page.goto("/incidents");
  await expect(page.getByRole("link", { name: "Planted by evil.example" })).toHaveCount(0);
  await page.goto("/admin/users");
  await expect(page.getByRole("cell", { name: "evil@example.com" })).toHaveCount(0);

  // The same post from the app's own origin is accepted.
  const own = await page.request.post(`/incidents/${ref}?index`, {
    form: { intent: "move", to: "analysis" },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  });
  expect(own.status()).toBe(302);
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByRole("article").locator(".incident-meta .status")).toHaveText("Analysis");
});

/** A form post with exactly these headers, Host included, as fetch would not send it. */
function postWithHost(path: string, headers: Record<string, string>, form: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(BASE_URL + path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end(new URLSearchParams(form).toString());
  });
}

test("a page served under another name for this server cannot post, nor one claiming a forwarded origin", async () => {
  const port = new URL(BASE_URL).port;
  const form = { email: ADMIN.email, password: ADMIN.password };
  // A name the attacker controls that resolves to this server (DNS rebinding): the Origin and
  // the Host agree, and neither is this server's address (APP_URL).
  const rebound = { Host: `rebound.example:${port}`, Origin: `http://rebound.example:${port}` };
  expect(await postWithHost("/signin", rebound, form)).toBe(403);
  expect(await postWithHost("/signin", { ...rebound, "X-Forwarded-Host": `rebound.example:${port}`, "X-Forwarded-Proto": "http" }, form)).toBe(403);
  // This server's own address is still accepted.
  expect(await postWithHost("/signin", { Host: new URL(BASE_URL).host, Origin: BASE_URL }, form)).toBe(302);
});
