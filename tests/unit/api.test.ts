import { beforeEach, describe, expect, it } from "vitest";
import { createIncident, createUser } from "../../db/factories";
import { serveApi, versionOf } from "~/lib/api.server";
import { API } from "~/lib/api/openapi.server";
import { db, schema } from "~/lib/db.server";
import { createApiToken, holderOfToken, noteTokenUse, listLiveTokens, listOwnTokens, revokeApiToken, API_TOKEN_LIMITS } from "~/models/api-token.server";
import { LimitReached, NotFound } from "~/models/errors";
import { removeUser, type User } from "~/models/user.server";
import { caught, freshDatabase } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

const ORIGIN = "http://hindsight.test";

function call(token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const request = new Request(`${ORIGIN}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return serveApi(API, request, "10.0.0.9", ORIGIN);
}

async function tokenFor(user: User, scope: "read" | "write" = "write", expiresInDays: number | null = null) {
  return (await createApiToken(user, { name: `${scope} token`, scope, expiresInDays })).token;
}

describe("personal API tokens", () => {
  it("are shown once, kept only as a hash, and name their owner and scope", async () => {
    const ada = await createUser({ name: "Ada" });
    const { token, apiToken } = await createApiToken(ada, { name: "deploy pipeline", scope: "read", expiresInDays: 30 });
    expect(token).toMatch(/^hs_[\w-]{43}$/);
    expect(apiToken).toMatchObject({ name: "deploy pipeline", scope: "read", prefix: token.slice(0, 10), ownerName: "Ada", revokedAt: null, lastUsedAt: null });
    const stored = await db().select().from(schema.apiTokens).all();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await holderOfToken(token))?.user.id).toBe(ada.id);
    expect((await holderOfToken(token))?.scope).toBe("read");
  });

  it("note when they were last used for an answered request, at most once a minute", async () => {
    const ada = await createUser();
    const token = await tokenFor(ada);
    const t0 = new Date("2026-12-01T10:00:00.000Z");
    await noteTokenUse((await holderOfToken(token, t0))!, t0);
    await noteTokenUse((await holderOfToken(token))!, new Date(t0.getTime() + 30_000));
    expect((await listOwnTokens(ada))[0].lastUsedAt).toBe(t0.toISOString());
    const later = new Date(t0.getTime() + 61_000);
    await noteTokenUse((await holderOfToken(token))!, later);
    expect((await listOwnTokens(ada))[0].lastUsedAt).toBe(later.toISOString());
    // A refused request notes nothing.
    const fresh = await tokenFor(ada, "read");
    expect((await call(fresh, "POST", "/incidents", {})).status).toBe(403);
    expect((await listOwnTokens(ada))[0].lastUsedAt).toBeNull();
    expect((await call(fresh, "GET", "/me")).status).toBe(200);
    expect((await listOwnTokens(ada))[0].lastUsedAt).not.toBeNull();
  });

  it("that ended are kept a while for their owner's list, then go as new ones are made", async () => {
    const ada = await createUser();
    const t0 = new Date("2026-01-01T10:00:00.000Z");
    const later = (days: number) => new Date(t0.getTime() + days * 86_400_000);
    // One that expires in 30 days, and one revoked at once.
    await createApiToken(ada, { name: "expiring", scope: "read", expiresInDays: 30 }, t0);
    const { apiToken: revoked } = await createApiToken(ada, { name: "revoked", scope: "read", expiresInDays: null }, t0);
    await revokeApiToken(ada, revoked.id, t0);
    // 60 days on, both ended less than 90 days ago: kept.
    await createApiToken(ada, { name: "second", scope: "read", expiresInDays: null }, later(60));
    expect((await listOwnTokens(ada)).map((t) => t.name)).toEqual(["second", "revoked", "expiring"]);
    // 100 days on, the revoked one ended over 90 days ago and goes; the expired one ended 70 days ago and stays.
    await createApiToken(ada, { name: "third", scope: "read", expiresInDays: null }, later(100));
    expect((await listOwnTokens(ada)).map((t) => t.name)).toEqual(["third", "second", "expiring"]);
    // Made and revoked over and over, only the latest that ended are kept.
    for (let i = 0; i < API_TOKEN_LIMITS.endedKept + 5; i++) {
      const { apiToken } = await createApiToken(ada, { name: `loop ${i}`, scope: "read", expiresInDays: null }, later(101));
      await revokeApiToken(ada, apiToken.id, later(101));
    }
    await createApiToken(ada, { name: "last", scope: "read", expiresInDays: null }, later(101));
    const names = (await listOwnTokens(ada)).map((t) => t.name);
    expect(names.filter((n) => n.startsWith("loop"))).toHaveLength(API_TOKEN_LIMITS.endedKept);
    // The working ones all stay; the expired one was the oldest that ended, so it went.
    expect(names.filter((n) => !n.startsWith("loop"))).toEqual(["last", "third", "second"]);
  });

  it("stop working when revoked, expired, or their owner is removed", async () => {
    const admin = await createUser({ role: "admin" });
    const ada = await createUser();
    const now = new Date();
    const revoked = await tokenFor(ada);
    const expiring = await tokenFor(ada, "read", 1);
    const kept = await tokenFor(ada);
    const [revokedRow] = (await listOwnTokens(ada)).slice(-1);
    await revokeApiToken(ada, revokedRow.id);
    expect(await holderOfToken(revoked)).toBeUndefined();
    expect(await holderOfToken(expiring, new Date(now.getTime() + 86_400_000 + 1000))).toBeUndefined();
    expect(await holderOfToken(expiring, now)).toBeDefined();
    expect(await holderOfToken(kept)).toBeDefined();
    await removeUser(admin, ada.id);
    expect(await holderOfToken(kept)).toBeUndefined();
    expect((await call(kept, "GET", "/me")).status).toBe(401);
  });

  it("are revoked by their owner or an admin, and are nobody else's business", async () => {
    const admin = await createUser({ role: "admin" });
    const ada = await createUser();
    const bob = await createUser();
    await tokenFor(ada);
    const [row] = await listOwnTokens(ada);
    expect(await caught(() => revokeApiToken(bob, row.id))).toBeInstanceOf(NotFound);
    expect((await listLiveTokens(admin)).map((t) => t.id)).toEqual([row.id]);
    await caught(() => listLiveTokens(ada));
    expect((await revokeApiToken(admin, row.id)).revokedAt).not.toBeNull();
    expect(await listLiveTokens(admin)).toEqual([]);
  });

  it(`are at most ${API_TOKEN_LIMITS.perPerson} working ones per person`, async () => {
    const ada = await createUser();
    for (let i = 0; i < API_TOKEN_LIMITS.perPerson; i++) await tokenFor(ada);
    expect(await caught(() => tokenFor(ada))).toBeInstanceOf(LimitReached);
    await revokeApiToken(ada, (await listOwnTokens(ada))[0].id);
    await expect(tokenFor(ada)).resolves.toMatch(/^hs_/);
  });
});

describe("the API's requests", () => {
  it("need a token: no cookie, no other scheme", async () => {
    const response = await call(undefined, "GET", "/me", undefined, { Cookie: "hs_session=anything" });
    expect(response.status).toBe(401);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="hindsight"');
    expect(await response.json()).toMatchObject({ status: 401, title: "Token needed" });
    expect((await call("hs_unknown", "GET", "/me")).headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("with a read token may read and not write", async () => {
    const ada = await createUser({ role: "admin" });
    const read = await tokenFor(ada, "read");
    expect((await call(read, "GET", "/me")).status).toBe(200);
    const refused = await call(read, "POST", "/incidents", { title: "x" });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
  });

  it("answer a stale write with 409 and the incident as it is now", async () => {
    const ada = await createUser({ role: "admin" });
    const incident = await createIncident(ada);
    const token = await tokenFor(ada);
    const path = `/incidents/${incident.reference}`;
    expect((await call(token, "PATCH", path, { title: "No version" })).status).toBe(428);
    const first = await call(token, "PATCH", path, { title: "Renamed once" }, { "If-Match": `"${incident.version}"` });
    expect(first.status).toBe(200);
    expect(first.headers.get("ETag")).toBe(`"${incident.version + 1}"`);
    const stale = await call(token, "PATCH", path, { title: "Renamed from the old version" }, { "If-Match": `"${incident.version}"` });
    expect(stale.status).toBe(409);
    const problem = (await stale.json()) as { type: string; current: { title: string; version: number } };
    expect(problem.type).toBe("tag:hindsight,2026:conflict");
    expect(problem.current).toMatchObject({ title: "Renamed once", version: incident.version + 1 });
  });

  it("refuse bad input with one problem shape: fields, JSON, media type, size, address", async () => {
    const ada = await createUser({ role: "admin" });
    const token = await tokenFor(ada);
    const invalid = await call(token, "POST", "/incidents", { title: "", severity: "SEV9", startedAt: "yesterday", visibility: "org", facilitatorId: ada.id });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { errors: { pointer: string; detail: string }[] };
    expect(body.errors.map((e) => e.pointer).sort()).toEqual(["#/severity", "#/startedAt", "#/title"]);
    expect(body.errors.find((e) => e.pointer === "#/title")?.detail).toBe("Give the incident a title.");
    expect((await call(token, "POST", "/incidents", "{not json")).status).toBe(400);
    expect((await call(token, "POST", "/incidents", "title=x", { "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(415);
    expect((await call(token, "POST", "/incidents", JSON.stringify({ title: "x".repeat(300 * 1024) }))).status).toBe(413);
    expect((await call(token, "GET", "/incidents/INC-abc")).status).toBe(404);
    expect((await call(token, "GET", "/nowhere")).status).toBe(404);
    const wrongMethod = await call(token, "DELETE", "/incidents");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("Allow")).toBe("GET, POST");
    expect((await call(token, "GET", "/incidents?cursor=bogus")).status).toBe(400);
    expect((await call(token, "PATCH", "/incidents/INC-1", { title: "x" }, { "If-Match": "*" })).status).toBe(400);
  });

  it("reads a token's restricted incidents as the browser does", async () => {
    const admin = await createUser({ role: "admin" });
    const ada = await createUser();
    const hidden = await createIncident(admin, { visibility: "restricted" });
    const open = await createIncident(admin, { visibility: "org" });
    const token = await tokenFor(ada, "read");
    expect((await call(token, "GET", `/incidents/${hidden.reference}`)).status).toBe(404);
    expect((await call(token, "GET", `/incidents/${hidden.reference}/whys`)).status).toBe(404);
    expect((await call(token, "GET", `/incidents/${open.reference}`)).status).toBe(200);
    const list = (await (await call(token, "GET", "/incidents")).json()) as { items: { reference: string }[] };
    expect(list.items.map((i) => i.reference)).toEqual([open.reference]);
  });

  it("read If-Match as the ETag gave it", () => {
    expect(versionOf('"7"')).toBe(7);
    expect(versionOf('W/"7"')).toBe(7);
    expect(versionOf("7")).toBe(7);
    expect(versionOf(null)).toBeUndefined();
    expect(versionOf('"7", "8"')).toBe("unreadable");
  });
});

describe("the API's bounds", () => {
  it("refuse a body of too many values before checking any, and list at most 20 field errors", async () => {
    const ada = await createUser({ role: "admin" });
    const token = await tokenFor(ada);
    const many = { title: "x", severity: "SEV1", startedAt: "2026-11-05T10:00:00Z", visibility: "org", facilitatorId: ada.id, services: Array.from({ length: 100_000 }, () => 1) };
    const refused = await call(token, "POST", "/incidents", many);
    expect(refused.status).toBe(413);
    expect((await refused.json()) as { detail: string }).toMatchObject({ detail: expect.stringContaining("2,000 values") });
    const deep = "[".repeat(50_000) + "]".repeat(50_000);
    expect((await call(token, "POST", "/incidents", deep)).status).toBe(413);
    const errors = await call(token, "PUT", "/incidents/INC-1/people", { facilitatorId: ada.id, participantIds: Array.from({ length: 1_500 }, () => -1) });
    expect(errors.status).toBe(400);
    expect(((await errors.json()) as { errors: unknown[] }).errors).toHaveLength(20);
  });

  it("refuse a cursor with a number no list reaches", async () => {
    const ada = await createUser();
    const token = await tokenFor(ada, "read");
    const forged = Buffer.from(JSON.stringify({ offset: 1e20 })).toString("base64url");
    expect((await call(token, "GET", `/actions?cursor=${forged}`)).status).toBe(400);
  });
});

describe("the OpenAPI document's address", () => {
  it("answers the document written once, and 304 to a reader that has it", async () => {
    const { loader } = await import("~/routes/api.v1.openapi[.]json");
    const ask = (headers: Record<string, string> = {}) => loader({ request: new Request(`${ORIGIN}/api/v1/openapi.json`, { headers }), params: {}, context: { clientAddress: "10.0.0.9" } }) as Response;
    const first = ask();
    expect(first.status).toBe(200);
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect(((await first.json()) as { openapi: string }).openapi).toBe("3.1.0");
    expect(ask().headers.get("ETag")).toBe(etag);
    const again = ask({ "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });
});
