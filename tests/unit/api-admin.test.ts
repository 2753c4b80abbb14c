import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { createAction } from "~/models/action.server";
import { createApiToken, holderOfToken } from "~/models/api-token.server";
import { addCategory, CATEGORY_LIMIT, listCategories } from "~/models/category.server";
import { getSettings } from "~/models/settings.server";
import { getUser, type User } from "~/models/user.server";
import { apiClient } from "./api-client";
import { freshDatabase } from "./helpers";

// Administration through the API: each operation answers as the admin pages do, refuses members
// (403) and read-only tokens, and stores what the pages would store. Every answer is held to the
// OpenAPI document by apiClient.

beforeEach(async () => {
  await freshDatabase();
});

let made = 0;
/** A client with a new token of the person's: the API's rate limits count per token and persist within this file. */
async function as(user: User, scope: "read" | "write" = "write") {
  made += 1;
  const { token } = await createApiToken(user, { name: `admin test ${made}`, scope, expiresInDays: null });
  return apiClient(token);
}

const ifMatch = (version: number) => ({ headers: { "If-Match": `"${version}"` } });

describe("people through the API", () => {
  it("an admin lists, adds, changes and invites again; the set-password link never appears in an answer", async () => {
    const admin = await createUser({ role: "admin", name: "Grace Admin" });
    await createUser({ name: "Ada Member", email: "ada@example.com" });
    const api = await as(admin);

    const listed = await api("GET", "/admin/people");
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { email: string }) => p.email)).toContain("ada@example.com");
    expect(listed.body.nextCursor).toBeNull();

    const added = await api("POST", "/admin/people", {}, { body: { name: "Linus New", email: "Linus@Example.com", team: "Kernel", role: "member" } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ person: { name: "Linus New", email: "linus@example.com", team: "Kernel", role: "member", hasPassword: false }, invitation: { via: "password-link", emailedTo: "linus@example.com" } });
    expect(added.headers.get("location")).toBe(added.body.person.links.self);
    expect(JSON.stringify(added.body)).not.toContain("set-password");
    // The link went by email, where the browser's invitation puts it too.
    const emails = await db().select().from(schema.outbox).where(eq(schema.outbox.kind, "invitation")).all();
    expect(emails).toHaveLength(1);
    expect(emails[0].text).toContain("/set-password/");
    const id = added.body.person.id as number;

    const duplicate = await api("POST", "/admin/people", {}, { body: { name: "Linus Again", email: "linus@example.com", role: "member" } });
    expect(duplicate.status).toBe(409);
    const bad = await api("POST", "/admin/people", {}, { body: { name: "", email: "not an email", role: "owner" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(["#/email", "#/name", "#/role"]);

    const changed = await api("PATCH", "/admin/people/{userId}", { userId: id }, { body: { role: "admin" } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: "Linus New", team: "Kernel", role: "admin" });
    expect((await getUser(id))?.role).toBe("admin");
    const selfDemotion = await api("PATCH", "/admin/people/{userId}", { userId: admin.id }, { body: { role: "member" } });
    expect(selfDemotion.status).toBe(400);
    expect(selfDemotion.body.errors).toEqual([{ pointer: "#/role", detail: "You cannot take away your own admin role." }]);

    const again = await api("POST", "/admin/people/{userId}/invitations", { userId: id });
    expect(again.status).toBe(201);
    expect(JSON.stringify(again.body)).not.toContain("set-password");
    expect(await db().select().from(schema.outbox).where(eq(schema.outbox.kind, "invitation")).all()).toHaveLength(2);
    // One unused link per person: the new one replaced the first.
    expect(await db().select().from(schema.passwordTokens).where(eq(schema.passwordTokens.userId, id)).all()).toHaveLength(1);

    expect((await api("GET", "/admin/people/{userId}", { userId: 999 })).status).toBe(404);
  });

  it("removing a person hands their unfinished actions over; they and their tokens stop working", async () => {
    const admin = await createUser({ role: "admin" });
    const leaving = await createUser({ name: "Leaving Person" });
    const taking = await createUser({ name: "Taking Person" });
    const incident = await createIncident(admin);
    await createAction(admin, incident.id, null, actionFields(leaving.id, { title: "Rotate the keys" }));
    const { token: leavingToken } = await createApiToken(leaving, { name: "their script", scope: "read", expiresInDays: null });
    const api = await as(admin);

    const preview = await api("GET", "/admin/people/{userId}/removal", { userId: leaving.id });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ person: { name: "Leaving Person" }, openCount: 1, openActions: [{ title: "Rotate the keys", incident: "INC-1" }] });

    expect((await api("POST", "/admin/people/{userId}/removal", { userId: admin.id }, { body: { handTo: null } })).status).toBe(400);
    const refused = await api("POST", "/admin/people/{userId}/removal", { userId: leaving.id }, { body: { handTo: "someone" } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toEqual({ pointer: "#/handTo", detail: "Choose someone from the list, or nobody." });

    const removed = await api("POST", "/admin/people/{userId}/removal", { userId: leaving.id }, { body: { handTo: taking.id } });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ name: "Leaving Person", handedOver: 1, handedTo: "Taking Person" });
    const [action] = await db().select().from(schema.actions).all();
    expect(action.ownerId).toBe(taking.id);
    expect(await getUser(leaving.id)).toBeUndefined();
    expect(await holderOfToken(leavingToken)).toBeUndefined();
    expect((await api("GET", "/admin/people/{userId}", { userId: leaving.id })).status).toBe(404);
  });

  it("members are refused every administration operation, and a read-only token every change", async () => {
    const admin = await createUser({ role: "admin" });
    const member = await createUser();
    const api = await as(member);
    for (const [method, path, body] of [
      ["GET", "/admin/people", undefined],
      ["POST", "/admin/people", { name: "X", email: "x@example.com", role: "admin" }],
      ["PATCH", `/admin/people/{userId}`, { role: "admin" }],
      ["GET", "/admin/categories", undefined],
      ["POST", "/admin/categories", { label: "Luck" }],
      ["GET", "/admin/settings", undefined],
      ["PATCH", "/admin/settings", { reminderHour: 3 }],
      ["GET", "/digests/next", undefined],
      ["POST", "/digests", {}],
      ["GET", "/digests", undefined],
      ["GET", "/admin/deploy-gate/policies", undefined],
      ["POST", "/admin/deploy-gate/policies", { service: "checkout", minSeverity: "SEV2" }],
      ["GET", "/admin/deploy-gate/repositories", undefined],
      ["PUT", "/admin/deploy-gate/repositories", { repositories: "" }],
      ["GET", "/admin/outbox", undefined],
      ["POST", "/admin/outbox/deliveries", undefined],
      ["GET", "/admin/tokens", undefined],
      ["GET", "/admin/sign-in", undefined],
      ["PATCH", "/admin/sign-in", { passwordSignIn: "everyone" }],
      ["GET", "/webhooks/settings", undefined],
      ["PUT", "/webhooks/settings", { allowPrivate: true }],
    ] as const) {
      const answer = await api(method, path, { userId: member.id }, { body });
      expect(answer.status, `${method} ${path}`).toBe(403);
    }
    // The member's own role is unchanged, and nothing was added.
    expect((await getUser(member.id))?.role).toBe("member");
    expect((await listCategories()).map((c) => c.label)).not.toContain("Luck");

    const reader = await as(admin, "read");
    expect((await reader("GET", "/admin/people")).status).toBe(200);
    const write = await reader("POST", "/admin/categories", {}, { body: { label: "Luck" } });
    expect(write.status).toBe(403);
    expect(write.body.title).toBe("Token may only read");
  });
});

describe("cause categories through the API", () => {
  it("are added, renamed and merged as on the Categories page, within their limit", async () => {
    const admin = await createUser({ role: "admin" });
    const api = await as(admin);
    const added = await api("POST", "/admin/categories", {}, { body: { label: "Vendor outage" } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ slug: "vendor-outage", label: "Vendor outage", whyCount: 0 });
    expect((await api("POST", "/admin/categories", {}, { body: { label: "vendor OUTAGE" } })).body.errors).toEqual([
      { pointer: "#/label", detail: "There is already a category called “vendor OUTAGE”." },
    ]);

    const renamed = await api("PATCH", "/admin/categories/{slug}", { slug: "vendor-outage" }, { body: { label: "Third-party outage" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ slug: "vendor-outage", label: "Third-party outage" });
    expect((await api("PATCH", "/admin/categories/{slug}", { slug: "no-such" }, { body: { label: "X" } })).status).toBe(404);

    const [other] = (await listCategories()).filter((c) => c.slug !== "vendor-outage");
    const merge = await api("POST", "/admin/categories/{slug}/merges", { slug: "vendor-outage" }, { body: { into: other.slug } });
    expect(merge.status).toBe(200);
    expect(merge.body).toMatchObject({ moved: 0, into: { slug: other.slug } });
    const listed = await api("GET", "/admin/categories");
    expect(listed.body.items.map((c: { slug: string }) => c.slug)).not.toContain("vendor-outage");

    for (let n = (await listCategories()).length; n < CATEGORY_LIMIT; n++) await addCategory(admin, `Category ${n}`);
    const full = await api("POST", "/admin/categories", {}, { body: { label: "One too many" } });
    expect(full.status).toBe(422);
    expect((await listCategories()).length).toBe(CATEGORY_LIMIT);
  });
});

describe("settings through the API", () => {
  it("are read with what the environment sets, and changed a few at a time with the page's rules", async () => {
    const admin = await createUser({ role: "admin" });
    const api = await as(admin);
    const before = await getSettings();
    const read = await api("GET", "/admin/settings");
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ reminderHour: before.reminderHour, timeZone: before.timeZone, environment: { digestTo: expect.any(Array) } });

    const changed = await api("PATCH", "/admin/settings", {}, { body: { timeZone: "Europe/Berlin", duePolicy: { SEV1: { P1: 2 } }, digestTo: ["everyone@example.com"] } });
    expect(changed.status).toBe(200);
    const after = await getSettings();
    expect(after.timeZone).toBe("Europe/Berlin");
    expect(after.duePolicy.SEV1.P1).toBe(2);
    expect(after.duePolicy.SEV1.P2).toBe(before.duePolicy.SEV1.P2);
    expect(after.digestTo).toEqual(["everyone@example.com"]);
    expect(after.reminderHour).toBe(before.reminderHour);
    expect(changed.body.duePolicy.SEV1.P1).toBe(2);

    const refused = await api("PATCH", "/admin/settings", {}, { body: { timeZone: "Mars/Olympus", duePolicy: { SEV2: { P3: 0 } }, reminderHour: 24 } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: "#/timeZone", detail: "Enter a time zone like Europe/Berlin or America/New_York." },
        { pointer: "#/duePolicy/SEV2/P3", detail: "At least 1 day." },
        { pointer: "#/reminderHour", detail: "From 0 to 23." },
      ]),
    );
    expect((await getSettings()).timeZone).toBe("Europe/Berlin");
    // What only the environment sets is not taken from a body.
    await api("PATCH", "/admin/settings", {}, { body: { environment: { digestTo: ["leak@example.com"] } } });
    expect((await api("GET", "/admin/settings")).body.environment.digestTo).not.toContain("leak@example.com");
  });
});

describe("sign-in settings and webhook addresses through the API", () => {
  it("are read and changed as on the Sign-in and Webhooks pages, with the same rules", async () => {
    const admin = await createUser({ role: "admin" });
    const api = await as(admin);
    const read = await api("GET", "/admin/sign-in");
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ passwordSignIn: "everyone", providerDomains: [], provider: { configured: false, clientId: null } });
    expect(JSON.stringify(read.body)).not.toMatch(/secret/i);

    // Some fields at a time; lists as lists or as the page's text.
    const changed = await api("PATCH", "/admin/sign-in", {}, { body: { providerName: "Okta", providerDomains: ["Company.com", "@eu.company.com"] } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ providerName: "Okta", providerDomains: ["company.com", "eu.company.com"], passwordSignIn: "everyone", membersSignedOut: 0 });
    const typed = await api("PATCH", "/admin/sign-in", {}, { body: { providerAdminGroups: "hindsight-admins\nsre-leads" } });
    expect(typed.body).toMatchObject({ providerName: "Okta", providerAdminGroups: ["hindsight-admins", "sre-leads"], providerDomains: ["company.com", "eu.company.com"] });

    // Passwords off for members needs a provider: refused, naming the field, nothing saved.
    const refused = await api("PATCH", "/admin/sign-in", {}, { body: { passwordSignIn: "admins" } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: "#/passwordSignIn", detail: expect.stringContaining("Configure the identity provider first") })]);
    expect((await getSettings()).passwordSignIn).toBe("everyone");
    const bad = await api("PATCH", "/admin/sign-in", {}, { body: { providerDomains: "not a domain" } });
    expect(bad.status).toBe(400);

    expect((await api("GET", "/webhooks/settings")).body).toEqual({ allowPrivate: false });
    expect((await api("PUT", "/webhooks/settings", {}, { body: { allowPrivate: true } })).body).toEqual({ allowPrivate: true });
    expect((await getSettings()).webhooksAllowPrivate).toBe(true);
    expect((await api("PUT", "/webhooks/settings", {}, { body: { allowPrivate: "yes" } })).status).toBe(400);
  });
});

describe("the digest through the API", () => {
  it("is previewed, sent exactly once, and read back", async () => {
    const admin = await createUser({ role: "admin" });
    const api = await as(admin);
    const nobody = await api("POST", "/digests", {}, { body: {} });
    expect(nobody.status).toBe(200);
    expect(nobody.body).toMatchObject({ outcome: "no-recipients", links: { digest: null } });

    await api("PATCH", "/admin/settings", {}, { body: { digestTo: ["everyone@example.com"] } });
    const incident = await createIncident(admin, { title: "Queue stalled", summaryMd: "The queue stalled." });
    await addWhyTree(admin, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on queue depth.", noActionReason: "Done in the response." }]);
    await advanceTo(admin, incident.id, "published");
    const preview = await api("GET", "/digests/next");
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ span: { seq: 1 }, covered: 1, lists: ["everyone@example.com"] });
    expect(preview.body.email.text).toContain("Queue stalled");

    const sent = await api("POST", "/digests", {}, { body: { span: preview.body.span } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ seq: 1, outcome: "queued", queued: 1 });
    expect(sent.headers.get("location")).toBe(sent.body.links.digest);
    const twice = await api("POST", "/digests", {}, { body: { span: preview.body.span } });
    expect(twice.body).toMatchObject({ seq: 1, outcome: "already-sent" });
    expect(await db().select().from(schema.digests).all()).toHaveLength(1);

    const listed = await api("GET", "/digests");
    expect(listed.body.items).toMatchObject([{ seq: 1, covered: 1 }]);
    const one = await api("GET", "/digests/{seq}", { seq: 1 });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ items: [{ reference: incident.reference, title: "Queue stalled" }], deliveries: [{ recipients: "everyone@example.com" }] });
    expect((await api("GET", "/digests/{seq}", { seq: 2 })).status).toBe(404);
    const member = await as(await createUser());
    expect((await member("GET", "/digests/{seq}", { seq: 1 })).status).toBe(403);
  });
});

describe("the deploy gate's policies and repositories through the API", () => {
  it("are added, changed from the version read, deleted, and mapped", async () => {
    const admin = await createUser({ role: "admin" });
    const api = await as(admin);
    const created = await api("POST", "/admin/deploy-gate/policies", {}, { body: { service: "Checkout", minSeverity: "SEV2", analysisHours: 48 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true, version: 1 });
    const id = created.body.id as number;
    expect((await api("POST", "/admin/deploy-gate/policies", {}, { body: { service: "checkout", minSeverity: "SEV1" } })).status).toBe(409);

    const read = await api("GET", "/admin/deploy-gate/policies/{policyId}", { policyId: id });
    expect(read.headers.get("etag")).toBe('"1"');
    const changed = await api("PATCH", "/admin/deploy-gate/policies/{policyId}", { policyId: id }, { body: { minSeverity: "SEV1" }, ...ifMatch(1) });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ minSeverity: "SEV1", analysisHours: 48, version: 2 });
    const stale = await api("PATCH", "/admin/deploy-gate/policies/{policyId}", { policyId: id }, { body: { analysisHours: 12 }, ...ifMatch(1) });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ minSeverity: "SEV1", analysisHours: 48, version: 2 });
    expect((await api("PATCH", "/admin/deploy-gate/policies/{policyId}", { policyId: id }, { body: { analysisHours: 12 } })).status).toBe(428);
    const holdsNothing = await api("PATCH", "/admin/deploy-gate/policies/{policyId}", { policyId: id }, { body: { analysisHours: null, holdOnOverdueP1: false }, ...ifMatch(2) });
    expect(holdsNothing.status).toBe(400);
    expect(holdsNothing.body.errors[0].pointer).toBe("#/analysisHours");

    expect((await api("DELETE", "/admin/deploy-gate/policies/{policyId}", { policyId: id })).status).toBe(204);
    expect((await api("GET", "/admin/deploy-gate/policies")).body.items).toEqual([]);

    const saved = await api("PUT", "/admin/deploy-gate/repositories", {}, { body: { repositories: "Acme/Storefront = checkout\nacme/api: Payments API" } });
    expect(saved.status).toBe(200);
    expect(saved.body.mapping).toEqual({ "acme/storefront": "checkout", "acme/api": "payments-api" });
    const wrong = await api("PUT", "/admin/deploy-gate/repositories", {}, { body: { repositories: "acme/storefront checkout" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ pointer: "#/repositories" });
    expect((await api("GET", "/admin/deploy-gate/repositories")).body.repositories).toBe("acme/api = payments-api\nacme/storefront = checkout");
  });
});

describe("the outbox and everyone's tokens through the API", () => {
  it("lists the outbox, tries a failed email again, and refuses what cannot be retried", async () => {
    const admin = await createUser({ role: "admin" });
    const api = await as(admin);
    const [failed] = await db()
      .insert(schema.outbox)
      .values({ key: "test:failed", kind: "reminder", recipients: "ada@example.com", subject: "Your actions", text: "Hello", html: "<p>Hello</p>", status: "failed", attempts: 10, lastError: "550 no such user" })
      .returning()
      .all();
    const listed = await api("GET", "/admin/outbox");
    expect(listed.status).toBe(200);
    expect(listed.body.items).toMatchObject([{ id: failed.id, status: "failed", attempts: 10, lastError: "550 no such user", key: "" }]);
    expect(JSON.stringify(listed.body)).not.toContain("<p>Hello</p>");

    const retried = await api("POST", "/admin/outbox/{messageId}/retries", { messageId: failed.id });
    expect(retried.status).toBe(200);
    const row = await db().select().from(schema.outbox).where(eq(schema.outbox.id, failed.id)).get();
    expect(row!.attempts).toBeLessThan(10);
    expect((await api("POST", "/admin/outbox/{messageId}/retries", { messageId: 999 })).status).toBe(404);
    expect((await api("POST", "/admin/outbox/{messageId}/replays", { messageId: failed.id })).status).toBe(404);
    expect((await api("POST", "/admin/outbox/deliveries")).status).toBe(200);
  });

  it("lists every working token and revokes anyone's; a member revokes only their own", async () => {
    const admin = await createUser({ role: "admin" });
    const member = await createUser({ name: "Script Owner" });
    const other = await createUser();
    const { token, apiToken } = await createApiToken(member, { name: "nightly export", scope: "read", expiresInDays: null });
    const api = await as(admin);
    const listed = await api("GET", "/admin/tokens");
    expect(listed.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: apiToken.id, name: "nightly export", owner: { id: member.id, name: "Script Owner" } })]));
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const stranger = await as(other);
    expect((await stranger("DELETE", "/admin/tokens/{tokenId}", { tokenId: apiToken.id })).status).toBe(404);
    expect(await holderOfToken(token)).toBeDefined();
    const revoked = await api("DELETE", "/admin/tokens/{tokenId}", { tokenId: apiToken.id });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(await holderOfToken(token)).toBeUndefined();
    expect((await apiClient(token)("GET", "/me")).status).toBe(401);
  });
});
