// The JSON API over real HTTP against the production server, with tokens made in the browser.
// Every answer is checked against the OpenAPI document the server publishes: its status must be
// one the document lists for the operation, and its body must match the schema given for it.
import { expect, test } from "@playwright/test";
import net from "node:net";
import { apiDocument, client, makeToken, type Answer, type Json } from "./api-client";
import { BASE_URL, addMember, pageFor, unique, type Credentials } from "./helpers";

// Long ago: the other specs look for their own incidents on the first page of the list, newest first.
const startedAt = "2019-06-03T09:00:00.000Z";

test("a token is made on the profile, shown once, used, and revoked", async ({ page, browser }) => {
  const member = await addMember(page);
  const memberPage = await pageFor(browser, member);
  const token = await makeToken(memberPage, "laptop script", "Read only");
  const api = client(token);

  const me = await api("GET", "/me");
  expect(me.body).toMatchObject({ name: member.name, email: member.email, role: "member", token: { scope: "read" } });

  await memberPage.reload();
  await expect(memberPage.getByText(token)).toHaveCount(0);
  const row = memberPage.getByRole("row").filter({ hasText: "laptop script" });
  await expect(row).toContainText("Read only");
  await expect(row).not.toContainText("Never");

  // The admin sees it among everyone's working tokens.
  await page.goto("/admin/tokens");
  await expect(page.getByRole("row").filter({ hasText: "laptop script" })).toContainText(member.name);

  await row.getByRole("button", { name: /Revoke/ }).click();
  await expect(memberPage.getByRole("status").filter({ hasText: "is revoked" })).toBeVisible();
  const refused = await api("GET", "/me");
  expect(refused.status).toBe(401);
  expect(refused.body.title).toBe("Token not accepted");
  await memberPage.context().close();
});

test("the browser's session is not an API credential", async ({ page }) => {
  // The admin's page carries their session cookie: the API does not read it.
  const response = await page.request.get("/api/v1/me");
  expect(response.status()).toBe(401);
  expect(response.headers()["content-type"]).toBe("application/problem+json");
});

test("a malformed address is answered by the app, not the web server's own page", async ({ page }) => {
  const api = client(await makeToken(page, unique("malformed"), "Read only"));
  // Sent as written (not a percent-encoding of anything): the API's own 404, as problem+json.
  const answer = await api("GET", "/incidents/{ref}", { ref: "%E0%A4%A" }, { raw: true });
  expect(answer.status).toBe(404);
  // An address past what Node reads (16 KB of address and headers): refused before the app, still as problem+json.
  const huge = await page.request.get(`/api/v1/incidents?filter=${"x".repeat(20_000)}`);
  expect(huge.status()).toBe(431);
  expect(huge.headers()["content-type"]).toBe("application/problem+json");
  expect(await huge.json()).toMatchObject({ status: 431, title: "Request Header Fields Too Large" });
  const onPage = await page.request.get("/incidents/%E0%A4%A");
  expect(onPage.status()).toBe(404);
  expect(await onPage.text()).toContain("Hindsight");
});

test("a script does with a token what a person does in the browser", async ({ page }) => {
  const api = client(await makeToken(page, unique("pipeline"), "Read and change"));
  const me = (await api("GET", "/me")).body;
  const word = unique("quokka").replace(/-/g, "");

  // Report, with a refused field first: the problem names it.
  const refused = await api("POST", "/incidents", {}, { body: { title: "", severity: "SEV2", startedAt, visibility: "org", facilitatorId: me.id } });
  expect(refused.status).toBe(400);
  expect(refused.body.errors).toEqual([{ pointer: "#/title", detail: "Give the incident a title." }]);
  const reported = await api("POST", "/incidents", {}, {
    body: { title: `Checkout ${word} failed`, severity: "SEV2", startedAt, services: ["checkout"], visibility: "org", facilitatorId: me.id, impactMd: "Orders failed for 20 minutes." },
  });
  expect(reported.status).toBe(201);
  const ref = reported.body.reference as string;
  expect(reported.headers.location).toBe(`${BASE_URL}/api/v1/incidents/${ref}`);
  expect(reported.headers.etag).toBe(`"${reported.body.version}"`);

  // Change some fields, with the version read; a second change from the same version is stale.
  const version = reported.body.version as number;
  const changed = await api("PATCH", "/incidents/{ref}", { ref }, { body: { resolvedAt: "2019-06-03T09:20:00.000Z" }, headers: { "If-Match": `"${version}"` } });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ resolvedAt: "2019-06-03T09:20:00.000Z", impactMd: "Orders failed for 20 minutes.", services: ["checkout"] });
  const stale = await api("PATCH", "/incidents/{ref}", { ref }, { body: { title: "Lost" }, headers: { "If-Match": `"${version}"` } });
  expect(stale.status).toBe(409);
  expect(stale.body.current).toMatchObject({ title: `Checkout ${word} failed`, version: version + 1 });
  expect((await api("PATCH", "/incidents/{ref}", { ref }, { body: { title: "Lost" } })).status).toBe(428);

  // The why tree, as a tree.
  const first = await api("POST", "/incidents/{ref}/whys", { ref }, {
    body: { question: "Why did checkout fail?", answer: "The payment client timed out.", remediationMd: "Retry with backoff.", category: "" },
  });
  expect(first.status).toBe(201);
  const second = await api("POST", "/incidents/{ref}/whys", { ref }, {
    body: { parentId: first.body.id, question: "Why did it time out?", answer: `The ${word} pool was exhausted.`, noRemediationReason: "Covered by the level below.", rootReached: true },
  });
  expect(second.status).toBe(201);
  expect(second.body).toMatchObject({ level: 2, parentId: first.body.id });
  const tree = (await api("GET", "/incidents/{ref}/whys", { ref })).body;
  expect(tree.whys).toHaveLength(1);
  expect(tree.whys[0].children.map((c: Json) => c.question)).toEqual(["Why did it time out?"]);
  const edited = await api("PATCH", "/incidents/{ref}/whys/{whyId}", { ref, whyId: first.body.id }, { body: { remediationMd: "Retry with backoff and a budget." }, headers: { "If-Match": `"${first.body.version}"` } });
  expect(edited.body).toMatchObject({ remediationMd: "Retry with backoff and a budget.", answer: "The payment client timed out." });

  // Timeline.
  const entry = await api("POST", "/incidents/{ref}/timeline", { ref }, { body: { at: "2019-06-03T09:05:00Z", bodyMd: "Alert fired." } });
  expect(entry.status).toBe(201);
  expect(entry.body.at).toBe("2019-06-03T09:05:00.000Z");
  const timeline = (await api("GET", "/incidents/{ref}/timeline", { ref })).body;
  expect(timeline).toMatchObject({ items: [{ bodyMd: "Alert fired." }], nextCursor: null });

  // Publishing is refused until the checks pass; the problem lists them.
  for (const to of ["analysis", "review"]) expect((await api("POST", "/incidents/{ref}/transitions", { ref }, { body: { to } })).status).toBe(200);
  const blocked = await api("POST", "/incidents/{ref}/transitions", { ref }, { body: { to: "published" } });
  expect(blocked.status).toBe(422);
  expect(blocked.body.errors.map((e: Json) => e.pointer)).toEqual(expect.arrayContaining(["#/summary", "#/actions"]));

  // An action from the first why's remediation, then the summary: now it publishes.
  const action = await api("POST", "/incidents/{ref}/actions", { ref }, { body: { whyId: first.body.id, title: "Add retry budget", ownerId: me.id, priority: "P2" } });
  expect(action.status).toBe(201);
  expect(action.body).toMatchObject({ whyId: first.body.id, owner: { id: me.id }, status: "open" });
  const current = (await api("GET", "/incidents/{ref}", { ref })).body;
  await api("PATCH", "/incidents/{ref}", { ref }, { body: { summaryMd: "A saturated pool made checkout time out." }, headers: { "If-Match": `"${current.version}"` } });
  const published = await api("POST", "/incidents/{ref}/transitions", { ref }, { body: { to: "published" } });
  expect(published.status).toBe(200);
  expect(published.body.status).toBe("published");

  // What a person sees in the browser is what the script wrote.
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByText(`The ${word} pool was exhausted.`).first()).toBeVisible();
  await expect(page.getByText("Add retry budget").first()).toBeVisible();

  // Lists, learnings and search.
  const mine = await api("GET", "/actions", {}, { query: { incident: ref } });
  expect(mine.body.items.map((a: Json) => a.title)).toEqual(["Add retry budget"]);
  const learnings = await api("GET", "/learnings", {}, { query: { service: "checkout" } });
  expect(learnings.body.items.map((l: Json) => l.reference)).toContain(ref);
  const learning = await api("GET", "/learnings/{ref}", { ref });
  expect(learning.body.whys[0].children[0].answer).toBe(`The ${word} pool was exhausted.`);
  const found = await api("GET", "/search", {}, { query: { q: word } });
  expect(found.body.items.some((hit: Json) => hit.incident.reference === ref)).toBe(true);

  // Finishing the last action closes the published incident, as on the page.
  const done = await api("POST", "/actions/{actionId}/status", { actionId: action.body.id }, { body: { to: "done" } });
  expect(done.body.status).toBe("done");
  expect((await api("GET", "/incidents/{ref}", { ref })).body.status).toBe("closed");
  const reopened = await api("POST", "/actions/{actionId}/status", { actionId: action.body.id }, { body: { to: "open" }, headers: { "If-Match": `"${action.body.version}"` } });
  expect(reopened.status).toBe(409);

  // Republished, related to another incident, and its history says so.
  const republished = await api("POST", "/incidents/{ref}/republications", { ref });
  expect(republished.body.revision).toBe(2);
  const other = (await api("POST", "/incidents", {}, { body: { title: `Checkout ${word} again`, severity: "SEV3", startedAt, visibility: "org", facilitatorId: me.id } })).body.reference;
  const linked = await api("POST", "/incidents/{ref}/related", { ref }, { body: { relatedId: Number(other.slice(4)) } });
  expect(linked.body.items.map((r: Json) => r.reference)).toEqual([other]);
  expect((await api("GET", "/incidents/{ref}/related", { ref: other })).body.items.map((r: Json) => r.reference)).toEqual([ref]);
  expect((await api("DELETE", "/incidents/{ref}/related/{other}", { ref, other })).status).toBe(204);
  const history = (await api("GET", "/incidents/{ref}/history", { ref })).body.items.map((e: Json) => e.kind);
  expect(history).toEqual(expect.arrayContaining(["incident.published", "incident.republished", "why.added", "action.added", "incident.unlinked"]));

  // Wording the blameless check flags: listed, kept with a reason, taken back.
  const blamey = await api("POST", "/incidents/{ref}/whys", { ref: other }, { body: { question: "Why was the flag left on?", answer: "Bob forgot to turn it off." } });
  const findings = (await api("GET", "/incidents/{ref}/findings", { ref: other })).body.items as Json[];
  const finding = findings.find((f) => f.whyId === blamey.body.id);
  expect(finding).toMatchObject({ field: "answer", acknowledged: null });
  expect((await api("POST", "/incidents/{ref}/whys/{whyId}/acknowledgements", { ref: other, whyId: blamey.body.id }, { body: { field: finding!.field, match: finding!.match, reason: "Bob's own account." } })).status).toBe(204);
  expect((await api("GET", "/incidents/{ref}/findings", { ref: other })).body.items.find((f: Json) => f.whyId === blamey.body.id).acknowledged).toMatchObject({ reason: "Bob's own account." });
  expect((await api("DELETE", "/incidents/{ref}/whys/{whyId}/acknowledgements", { ref: other, whyId: blamey.body.id }, { query: { field: finding!.field, match: finding!.match } })).status).toBe(204);
  expect((await api("GET", "/incidents/{ref}/findings", { ref: other })).body.items.find((f: Json) => f.whyId === blamey.body.id).acknowledged).toBeNull();
});

test("tokens and scopes follow the same authorization as the browser", async ({ page, browser }) => {
  const participant = await addMember(page);
  const outsider = await addMember(page);
  const tokens = async (who: Credentials) => {
    const p = await pageFor(browser, who);
    const result = { write: await makeToken(p, "matrix", "Read and change"), read: await makeToken(p, "matrix read", "Read only") };
    await p.context().close();
    return result;
  };
  const admin = client(await makeToken(page, unique("matrix"), "Read and change"));
  const p = await tokens(participant);
  const o = await tokens(outsider);
  const [pw, pr, ow] = [client(p.write), client(p.read), client(o.write)];
  const people = (await admin("GET", "/people")).body.items as Json[];
  const idOf = (who: Credentials) => people.find((x) => x.name === who.name)?.id as number;
  const word = unique("wombat").replace(/-/g, "");
  const me = (await admin("GET", "/me")).body;
  const restricted = await admin("POST", "/incidents", {}, {
    body: { title: `Restricted ${word}`, severity: "SEV1", startedAt, visibility: "restricted", facilitatorId: me.id },
  });
  const ref = restricted.body.reference as string;
  const chosen = await admin("PUT", "/incidents/{ref}/people", { ref }, { body: { facilitatorId: me.id, participantIds: [idOf(participant)] } });
  expect(chosen.body.participants.map((x: Json) => x.name)).toEqual([participant.name]);

  // Seeing it.
  expect((await pw("GET", "/incidents/{ref}", { ref })).status).toBe(200);
  expect((await pr("GET", "/incidents/{ref}", { ref })).status).toBe(200);
  expect((await ow("GET", "/incidents/{ref}", { ref })).status).toBe(404);
  expect((await ow("GET", "/incidents/{ref}/whys", { ref })).status).toBe(404);
  expect((await ow("GET", "/search", {}, { query: { q: word } })).body.items).toEqual([]);
  expect((await pr("GET", "/search", {}, { query: { q: word } })).body.items.length).toBeGreaterThan(0);
  expect((await ow("GET", "/incidents", {}, { query: { severity: "SEV1" } })).body.items.map((i: Json) => i.reference)).not.toContain(ref);

  // Changing it: a participant contributes, only the lead moves it or chooses its people; a read token changes nothing.
  const version = (await admin("GET", "/incidents/{ref}", { ref })).body.version;
  expect((await pr("PATCH", "/incidents/{ref}", { ref }, { body: { impactMd: "x" }, headers: { "If-Match": `"${version}"` } })).status).toBe(403);
  expect((await ow("PATCH", "/incidents/{ref}", { ref }, { body: { impactMd: "x" }, headers: { "If-Match": `"${version}"` } })).status).toBe(404);
  expect((await pw("PATCH", "/incidents/{ref}", { ref }, { body: { impactMd: "Seen by few." }, headers: { "If-Match": `"${version}"` } })).status).toBe(200);
  expect((await pw("POST", "/incidents/{ref}/transitions", { ref }, { body: { to: "analysis" } })).status).toBe(403);
  expect((await pw("PUT", "/incidents/{ref}/people", { ref }, { body: { facilitatorId: idOf(participant), participantIds: [] } })).status).toBe(403);
  expect((await pw("POST", "/incidents/{ref}/whys", { ref }, { body: { question: "Why?", answer: "Because." } })).status).toBe(201);
  expect((await ow("POST", "/incidents/{ref}/whys", { ref }, { body: { question: "Why?", answer: "Because." } })).status).toBe(404);
  expect((await pr("POST", "/incidents/{ref}/whys", { ref }, { body: { question: "Why?", answer: "Because." } })).status).toBe(403);
  expect((await admin("POST", "/incidents/{ref}/transitions", { ref }, { body: { to: "analysis" } })).status).toBe(200);

  // An action the outsider may not see stays out of their lists.
  const action = await admin("POST", "/incidents/{ref}/actions", { ref }, { body: { title: `Fix ${word}`, ownerId: me.id, priority: "P1" } });
  expect((await ow("GET", "/actions/{actionId}", { actionId: action.body.id })).status).toBe(404);
  expect((await ow("GET", "/actions", {}, { query: { incident: ref } })).body.items).toEqual([]);
  expect((await pr("GET", "/actions", {}, { query: { incident: ref } })).body.items).toHaveLength(1);
  // Only its owner, the facilitator and admins change an action.
  expect((await pw("POST", "/actions/{actionId}/status", { actionId: action.body.id }, { body: { to: "in_progress" } })).status).toBe(403);
  // The refused writes stored nothing.
  expect((await admin("GET", "/incidents/{ref}", { ref })).body.impactMd).toBe("Seen by few.");
});

test("lists page through every item with cursors", async ({ page }) => {
  const api = client(await makeToken(page, unique("pages"), "Read and change"));
  const me = (await api("GET", "/me")).body;
  const service = unique("svc").toLowerCase();
  const made: string[] = [];
  for (let i = 0; i < 27; i++) {
    const at = new Date(Date.parse(startedAt) - i * 3_600_000).toISOString();
    made.push((await api("POST", "/incidents", {}, { body: { title: `Paged ${i}`, severity: "SEV4", startedAt: at, services: [service], visibility: "org", facilitatorId: me.id } })).body.reference);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const answer: Answer = await api("GET", "/incidents", {}, { query: { service, ...(cursor ? { cursor } : {}) } });
    seen.push(...answer.body.items.map((i: Json) => i.reference));
    cursor = answer.body.nextCursor;
    pages += 1;
  } while (cursor);
  expect(pages).toBe(2);
  expect(seen).toEqual(made);
  const bad = await api("GET", "/incidents", {}, { query: { cursor: "not-a-cursor" } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors[0].pointer).toBe("#/cursor");
});

test("the API reference page shows every operation of the document", async ({ page }) => {
  await page.goto("/api");
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  for (const [path, methods] of Object.entries((await apiDocument()).paths)) {
    for (const method of Object.keys(methods)) {
      await expect(page.getByRole("heading", { name: `${method.toUpperCase()} ${path}`, exact: true })).toBeVisible();
    }
  }
  await expect(page.getByRole("heading", { name: "Incident", exact: true })).toBeVisible();
});

test("a CI pipeline asks the deploy gate; a restricted incident holds deploys without being named", async ({ page, browser }) => {
  const service = unique("deploysvc").toLowerCase();
  await page.goto("/admin/deploy-gate");
  const add = page.getByRole("region", { name: "Add a policy" });
  await add.getByLabel("Service").fill(service);
  await add.getByLabel("Incidents at or above").selectOption("SEV2");
  await add.getByLabel("Analysis published within (hours after the start)").fill("24");
  await add.getByRole("button", { name: "Add policy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added the policy" })).toBeVisible();

  const admin = client(await makeToken(page, unique("ci"), "Read and change"));
  const me = (await admin("GET", "/me")).body;
  const open = await admin("GET", "/gate", {}, { query: { service } });
  expect(open.status).toBe(200);
  expect(open.body).toMatchObject({ service, open: true, reasons: [], policy: { service, minSeverity: "SEV2", analysisHours: 24 } });

  const reported = await admin("POST", "/incidents", {}, { body: { title: `Deploys ${service} broke`, severity: "SEV1", startedAt, services: [service], visibility: "restricted", facilitatorId: me.id } });
  const ref = reported.body.reference as string;
  const held = await admin("GET", "/gate", {}, { query: { service } });
  expect(held.status).toBe(423);
  expect(held.body.reasons).toEqual([expect.objectContaining({ why: "analysis-overdue", hours: 24, holding: true, incident: expect.objectContaining({ reference: ref }) })]);

  // Someone who may not see the restricted incident is held all the same, and told only that much.
  const member = await addMember(page);
  const memberPage = await pageFor(browser, member);
  const outsider = client(await makeToken(memberPage, "ci read", "Read only"));
  await memberPage.context().close();
  const seenByOutsider = await outsider("GET", "/gate", {}, { query: { service } });
  expect(seenByOutsider.status).toBe(423);
  expect(seenByOutsider.body.reasons[0]).toMatchObject({ incident: null, label: "a restricted incident" });
  expect(JSON.stringify(seenByOutsider.body)).not.toContain(ref);
  expect(JSON.stringify(seenByOutsider.body)).not.toContain("broke");
  expect((await outsider("GET", "/gate", {}, { query: { service: "" } })).status).toBe(400);

  // The facilitator lets deploys through for a while: the gate opens, and the exception can end.
  const exception = await admin("POST", "/incidents/{ref}/gate-exceptions", { ref }, { body: { reason: "The fix for it must ship.", hours: 1 } });
  expect(exception.status).toBe(201);
  expect((await admin("GET", "/gate", {}, { query: { service } })).status).toBe(200);
  expect((await outsider("POST", "/incidents/{ref}/gate-exceptions", { ref }, { body: { reason: "x", hours: 1 } })).status).toBe(403);
  expect((await admin("DELETE", "/incidents/{ref}/gate-exceptions/{exceptionId}", { ref, exceptionId: exception.body.id })).status).toBe(204);
  expect((await admin("GET", "/gate", {}, { query: { service } })).status).toBe(423);
});

test("an admin keeps webhook endpoints through the API; members may not", async ({ page, browser }) => {
  const admin = client(await makeToken(page, unique("hooks"), "Read and change"));
  const refused = await admin("POST", "/webhooks/endpoints", {}, { body: { url: "http://127.0.0.1:9/hook", eventTypes: ["incident.reported"] } });
  expect(refused.status).toBe(400);
  expect(refused.body.errors[0].pointer).toBe("#/url");
  const made = await admin("POST", "/webhooks/endpoints", {}, { body: { url: "https://93.184.215.14/hindsight", description: "Chat", eventTypes: ["incident.moved"] } });
  expect(made.status).toBe(201);
  expect(made.body.secret).toMatch(/^whsec_/);
  const id = made.body.endpoint.id as number;
  const changed = await admin("PATCH", "/webhooks/endpoints/{endpointId}", { endpointId: id }, { body: { eventTypes: ["incident.moved", "why.added"], enabled: false }, headers: { "If-Match": `"${made.body.endpoint.version}"` } });
  expect(changed.body).toMatchObject({ eventTypes: ["incident.moved", "why.added"], enabled: false, url: "https://93.184.215.14/hindsight" });
  const stale = await admin("PATCH", "/webhooks/endpoints/{endpointId}", { endpointId: id }, { body: { description: "Old" }, headers: { "If-Match": `"${made.body.endpoint.version}"` } });
  expect(stale.status).toBe(409);
  expect(stale.body.current).toMatchObject({ id, enabled: false });
  const rotated = await admin("POST", "/webhooks/endpoints/{endpointId}/secret-rotations", { endpointId: id });
  expect(rotated.body.secret).not.toBe(made.body.secret);
  expect(rotated.body.endpoint.previousSecretUntil).not.toBeNull();
  expect((await admin("GET", "/webhooks/endpoints")).body.items.map((e: Json) => e.id)).toContain(id);

  const member = await addMember(page);
  const memberPage = await pageFor(browser, member);
  const memberApi = client(await makeToken(memberPage, "hooks", "Read and change"));
  await memberPage.context().close();
  expect((await memberApi("GET", "/webhooks/endpoints")).status).toBe(403);
  expect((await memberApi("DELETE", "/webhooks/endpoints/{endpointId}", { endpointId: id })).status).toBe(403);
  expect((await admin("DELETE", "/webhooks/endpoints/{endpointId}", { endpointId: id })).status).toBe(204);
  expect((await admin("GET", "/webhooks/endpoints/{endpointId}", { endpointId: id })).status).toBe(404);
});

test("request bodies held at once are bounded: past the bound a body is refused, and taken again once they go", async () => {
  const { hostname, port } = new URL(BASE_URL);
  // Forty clients each send most of a 1 MB body and stop: 40 MB would be held without a bound.
  const stalled = await Promise.all(
    Array.from({ length: 40 }, async () => {
      const socket = net.createConnection({ host: hostname, port: Number(port) });
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.on("error", () => {});
      socket.write(`POST /api/v1/incidents HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1048000\r\n\r\n`);
      socket.write(Buffer.alloc(1_000_000, 0x20));
      return socket;
    }),
  );
  // Larger than the room any one of them leaves: refused while they hold it.
  const probe = () => fetch(`${BASE_URL}/api/v1/incidents`, { method: "POST", headers: { "Content-Type": "application/json" }, body: " ".repeat(1_040_000) });
  await expect.poll(async () => (await probe()).status).toBe(503);
  const refused = await probe();
  expect(refused.headers.get("retry-after")).toBe("5");
  for (const socket of stalled) socket.destroy();
  // Their room is given back as they close: the next body is read (and, without a token, refused for that).
  await expect.poll(async () => (await probe()).status).toBe(401);
});
