// Webhooks over real HTTP, on a server of its own whose deliveries go to a receiver in this
// process: an admin registers the receiver in the browser (refused on loopback until private
// addresses are allowed), changes made in the browser and over HTTP arrive signed (every request
// is verified with the standardwebhooks package, as a receiver would), failures are retried with
// the same webhook-id, Retry-After and 410 are honoured, an endpoint's messages go in order, the
// Outbox page replays one, a rotated secret signs alongside the old one, and a server killed while
// a delivery waits for its retry sends it once after the restart, and nothing else again.
//
// The server runs with WEBHOOK_RETRY_SCHEDULE=1,1,1,1,1 (a second between attempts) so that no
// test waits minutes for a retry; what is asserted is what arrived and in which order, waited for
// with expect.poll, never how long anything took (beyond "no sooner than Retry-After said").
import fs from "node:fs";
import path from "node:path";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { startReceiver, verified, type Receiver, type Received } from "../unit/webhook-receiver";
import { fillIncidentForm } from "./helpers";
import { databaseOf, exited, firstAdmin, freshDataDir, OWN_BASE, post, reportForm, startServer } from "./own-server";
import type { Stored } from "./stored";

test.describe.configure({ mode: "serial" });

const ENV = { APP_URL: OWN_BASE, WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1" };

let dataDir = "";
let server: ChildProcess;
/** What the server stored, open beside it. */
let stored: Stored;
let receiver: Receiver;
let admin = "";
let context: BrowserContext;
let page: Page;
/** The endpoint's signing secrets as the page showed them, newest last. */
const secrets: string[] = [];

type Row = { id: number; key: string; kind: string; status: string; attempts: number; lastStatus: number | null; nextAttemptAt: string | null };

function rows(): Promise<Row[]> {
  return stored.all<Row>(`select id, key, kind, status, attempts, last_status as "lastStatus", next_attempt_at as "nextAttemptAt" from outbox where channel = 'webhook' order by id`);
}

/** The page's one-time message after a change ("Endpoint added."). */
const flash = () => page.locator("p.flash[role=status]");
const rowOf = async (key: string) => (await rows()).find((r) => r.key === key)!;
const idOf = (request: Received) => request.headers["webhook-id"];
const arrivalsOf = (key: string) => receiver.received.filter((r) => idOf(r) === key);

/** Every request the receiver got is a delivery signed with one of the secrets the admin was shown. */
function verifyAll() {
  for (const request of receiver.received) {
    expect(
      secrets.some((secret) => {
        try {
          verified(request, secret);
          return true;
        } catch {
          return false;
        }
      }),
      `the signature of ${idOf(request)}`,
    ).toBe(true);
  }
}

/** Reports an incident over HTTP, as the form posts it; its reference. */
async function report(title: string): Promise<string> {
  const response = await post("/incidents/new", reportForm(title), admin);
  expect(response.status).toBe(302);
  return response.headers.get("location")!.split("/").pop()!;
}

async function addWhy(ref: string, question: string) {
  const response = await post(`/incidents/${ref}?index`, { intent: "add-why", parentId: "", question, answer: `${question} Because a cache expired.` }, admin);
  expect(response.status).toBe(302);
}

/** The webhook-id the outbox gave the latest message of this kind. */
async function latestKey(kind: string): Promise<string> {
  return (await rows()).filter((r) => r.kind === kind).pop()!.key;
}

test.beforeAll(async ({ browser }) => {
  receiver = await startReceiver();
  dataDir = freshDataDir();
  server = await startServer(dataDir, { env: ENV });
  stored = await (await databaseOf(dataDir)).open();
  admin = await firstAdmin();
  context = await browser.newContext({ baseURL: OWN_BASE, storageState: { cookies: [], origins: [] } });
  const at = admin.indexOf("=");
  await context.addCookies([{ name: admin.slice(0, at), value: admin.slice(at + 1), url: OWN_BASE }]);
  page = await context.newPage();
});

test.afterAll(async () => {
  await context?.close();
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill("SIGTERM");
    await exited(server);
  }
  await receiver?.close();
  await stored?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("an admin registers an endpoint in the browser: refused on loopback until private addresses are allowed", async () => {
  await page.goto("/admin/outbox");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Endpoints (0 of 20)" })).toBeVisible();

  const form = page.getByRole("region", { name: "Add an endpoint" });
  await form.getByLabel("URL").fill(receiver.url);
  await form.getByLabel("Description").fill("Incident bot");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  const url = form.getByLabel("URL");
  await expect(url).toHaveAccessibleDescription(/127\.0\.0\.1 is a loopback address \(this machine\)\. Webhooks go only to public addresses/);
  // What was typed is kept.
  await expect(url).toHaveValue(receiver.url);
  await expect(form.getByLabel("Description")).toHaveValue("Incident bot");
  expect(await rows()).toEqual([]);

  const addresses = page.getByRole("region", { name: "Private addresses" });
  await addresses.getByLabel("Allow endpoints on private addresses").check();
  await addresses.getByRole("button", { name: "Save" }).click();
  await expect(flash()).toHaveText("Endpoints on private addresses are allowed.");

  await form.getByLabel("URL").fill(receiver.url);
  await form.getByLabel("Description").fill("Incident bot");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(flash()).toHaveText("Endpoint added. Give its receiver the signing secret below to verify deliveries.");
  const secret = (await page.getByRole("region", { name: "Signing secret of Incident bot" }).locator("code").first().textContent())!.trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  secrets.push(secret);
  // A page that may show a secret is kept by no cache.
  expect((await page.request.get("/admin/webhooks")).headers()["cache-control"]).toBe("private, no-store");
  await expect(page.getByRole("heading", { name: "Endpoints (1 of 20)" })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: receiver.url }).locator(".status")).toHaveText("On");
});

test("a change made in the browser arrives signed, thin and linked; a test event too", async () => {
  await page.goto("/incidents/new");
  await fillIncidentForm(page, { title: "Checkout returns 502s", severity: "SEV2" });
  await page.getByRole("button", { name: "Report incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  const ref = new URL(page.url()).pathname.split("/").pop()!;
  await expect.poll(() => receiver.received.length).toBe(1);
  verifyAll();
  const event = verified(receiver.received[0], secrets[0]);
  expect(event).toEqual({
    type: "incident.reported",
    timestamp: expect.any(String),
    data: expect.objectContaining({ reference: ref, status: "draft", severity: "SEV2", links: { api: `${OWN_BASE}/api/v1/incidents/${ref}`, page: `${OWN_BASE}/incidents/${ref}` } }),
  });
  expect(receiver.received[0].headers["webhook-id"]).toBe(await latestKey("incident.reported"));

  await page.goto("/admin/webhooks");
  await page.getByRole("button", { name: "Send a test event: Incident bot" }).click();
  await expect(flash()).toHaveText("Test event delivered: the endpoint answered 200.");
  expect(verified(receiver.received[1], secrets[0]).type).toBe("webhook.test");
});

test("a failed delivery is retried with the same webhook-id and later timestamps; after a 2xx, never again", async () => {
  const before = receiver.received.length;
  let failures = 0;
  receiver.answer((request) => (request.body.includes('"incident.reported"') && failures++ < 2 ? { status: 500, body: "not now" } : { status: 200 }));
  const ref = await report("Search index stale");
  const key = await latestKey("incident.reported");
  await expect.poll(() => arrivalsOf(key).length).toBe(3);
  await expect.poll(async () => (await rowOf(key)).status).toBe("sent");
  const attempts = arrivalsOf(key);
  const stamps = attempts.map((r) => Number(r.headers["webhook-timestamp"]));
  expect(stamps[1]).toBeGreaterThan(stamps[0]);
  expect(stamps[2]).toBeGreaterThan(stamps[1]);
  expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
  expect(verified(attempts[2], secrets[0]).data).toMatchObject({ reference: ref });
  expect(await rowOf(key)).toMatchObject({ attempts: 3, lastStatus: 200 });

  // A later message to the same endpoint has come and gone: the delivered one was not sent again.
  await addWhy(ref, "Why was the index stale?");
  const barrier = await latestKey("why.added");
  await expect.poll(async () => (await rowOf(barrier)).status).toBe("sent");
  expect(arrivalsOf(key)).toHaveLength(3);
  expect(receiver.received.length - before).toBe(4);
  verifyAll();
});

test("a Retry-After is honoured: the next attempt comes no sooner than it asked", async () => {
  let asked = false;
  receiver.answer(() => (asked ? { status: 200 } : ((asked = true), { status: 503, headers: { "retry-after": "3" } })));
  await report("Payments queue backed up");
  const key = await latestKey("incident.reported");
  await expect.poll(() => arrivalsOf(key).length).toBe(2);
  const [first, second] = arrivalsOf(key);
  expect(second.at - first.at).toBeGreaterThanOrEqual(3000);
  await expect.poll(async () => (await rowOf(key)).status).toBe("sent");
});

test("an endpoint's messages are attempted in the order they were written; a retried one comes after", async () => {
  const ref = await report("Cache stampede");
  await expect.poll(async () => (await rowOf(await latestKey("incident.reported"))).status).toBe("sent");
  // The first of the three to arrive is refused once.
  let refused = false;
  receiver.answer((request) => {
    if (refused || !request.body.includes('"why.added"')) return { status: 200 };
    refused = true;
    return { status: 500 };
  });
  const from = receiver.received.length;
  for (const question of ["Why first?", "Why second?", "Why third?"]) await addWhy(ref, question);
  const keys = (await rows()).filter((r) => r.kind === "why.added").slice(-3).map((r) => r.key);
  await expect.poll(() => Promise.all(keys.map(async (key) => (await rowOf(key)).status))).toEqual(["sent", "sent", "sent"]);
  const arrivals = receiver.received.slice(from).map(idOf);
  // The first written was the one refused; each was first attempted in the order written, and the
  // refused one came again after.
  expect(arrivals).toHaveLength(4);
  expect(arrivals[0]).toBe(keys[0]);
  const firstAttempts = keys.map((key) => arrivals.indexOf(key));
  expect(firstAttempts).toEqual([...firstAttempts].sort((a, b) => a - b));
  expect(arrivals.lastIndexOf(keys[0])).toBeGreaterThan(0);
  verifyAll();
});

test("a delivery is replayed from the Outbox page with the same webhook-id", async () => {
  receiver.answer(() => ({ status: 200 }));
  const key = (await rows()).find((r) => r.kind === "webhook.test")!.key;
  const before = arrivalsOf(key).length;
  await page.goto("/admin/outbox");
  const row = page.getByRole("row").filter({ hasText: key });
  await expect(row).toContainText("Sent");
  await row.getByRole("button", { name: "Replay: Test event" }).click();
  await expect(flash()).toHaveText("Queued to be sent again, with the same webhook-id.");
  await expect.poll(() => arrivalsOf(key).length).toBe(before + 1);
  expect(verified(arrivalsOf(key).pop()!, secrets[0]).type).toBe("webhook.test");
  await expect.poll(async () => (await rowOf(key)).status).toBe("sent");
});

test("after a rotation each delivery carries both signatures, each verifying with its secret", async () => {
  await page.goto("/admin/webhooks");
  await page.getByRole("button", { name: "Rotate the secret: Incident bot" }).click();
  await expect(flash()).toContainText("New signing secret made.");
  const callout = page.getByRole("region", { name: "Signing secret of Incident bot" });
  const fresh = (await callout.locator("code").first().textContent())!.trim();
  expect(fresh).not.toBe(secrets[0]);
  await expect(callout).toContainText(secrets[0]);
  secrets.push(fresh);
  await report("Login slow after rotation");
  const key = await latestKey("incident.reported");
  await expect.poll(() => arrivalsOf(key).length).toBe(1);
  const [request] = arrivalsOf(key);
  expect(request.headers["webhook-signature"].split(" ")).toHaveLength(2);
  expect(verified(request, fresh).type).toBe("incident.reported");
  expect(verified(request, secrets[0]).type).toBe("incident.reported");
});

test("the webhooks page at desktop and phone width, and the outbox's webhook deliveries", async () => {
  const shot = (name: string) => page.screenshot({ path: path.join(test.info().project.testDir, "screenshots", `${name}.png`), fullPage: true });
  await page.goto("/admin/webhooks");
  for (const [name, width] of [["webhooks-desktop", 1280], ["webhooks-phone", 390]] as const) {
    await page.setViewportSize({ width, height: 900 });
    await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
    await shot(name);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/admin/outbox");
  await expect(page.getByRole("cell", { name: /Webhook · incident\.reported/ }).first()).toBeVisible();
  await shot("outbox-webhooks");
});

test("an answer of 410 Gone turns the endpoint off, and the page says why", async () => {
  receiver.answer(() => ({ status: 410, body: "no such channel" }));
  await report("Disk full on build agents");
  const key = await latestKey("incident.reported");
  await expect.poll(async () => (await rowOf(key)).status).toBe("failed");
  expect(arrivalsOf(key)).toHaveLength(1);
  await page.goto("/admin/webhooks");
  const item = page.getByRole("listitem").filter({ hasText: receiver.url });
  await expect(item.locator(".status")).toHaveText("Off");
  await expect(item).toContainText("The endpoint answered 410 Gone on");
  // Off, it hears of nothing; turned on again, it hears what happens from then on.
  await report("Nobody hears of this one");
  expect((await rows()).filter((r) => r.kind === "incident.reported").pop()!.key).toBe(key);
  receiver.answer(() => ({ status: 200 }));
  await item.getByRole("button", { name: "Turn on: Incident bot" }).click();
  await expect(flash()).toHaveText("Endpoint turned on: it hears of what happens from now on.");
});

test("a server killed while a delivery waits for its retry sends it once after the restart, and nothing else again", async () => {
  receiver.answer(() => ({ status: 503, headers: { "retry-after": "3600" } }));
  await report("Killed mid-retry");
  const key = await latestKey("incident.reported");
  await expect.poll(() => rowOf(key)).toMatchObject({ status: "pending", attempts: 1, lastStatus: 503 });
  expect((await rows()).filter((r) => r.status !== "sent" && r.status !== "failed").map((r) => r.key)).toEqual([key]);
  server.kill("SIGKILL");
  await exited(server);
  // The hour it asked for has passed while the server was down.
  await stored.run("update outbox set next_attempt_at = ? where key = ?", new Date(Date.now() - 1000).toISOString(), key);
  const before = receiver.received.length;
  receiver.answer(() => ({ status: 200 }));
  server = await startServer(dataDir, { env: ENV });
  await expect.poll(async () => (await rowOf(key)).status).toBe("sent");
  // A later message is the sign that the server has looked at everything it holds.
  const ref = await report("After the restart");
  await expect.poll(async () => (await rowOf(await latestKey("incident.reported"))).status).toBe("sent");
  const after = receiver.received.slice(before).map(idOf);
  expect(after).toEqual([key, await latestKey("incident.reported")]);
  expect(await rowOf(key)).toMatchObject({ attempts: 2, lastStatus: 200 });
  expect(verified(receiver.received[receiver.received.length - 1], secrets[1]).data).toMatchObject({ reference: ref });
  verifyAll();
});
