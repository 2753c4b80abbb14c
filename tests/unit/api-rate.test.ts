import { beforeEach, describe, expect, it } from "vitest";
import { createUser } from "../../db/factories";
import { API_RATE_PER_MINUTE, API_RATE_PER_PERSON, API_WRITES_PER_MINUTE, operation, router, serveApi } from "~/lib/api.server";
import { API } from "~/lib/api/openapi.server";
import { createApiToken } from "~/models/api-token.server";
import type { User } from "~/models/user.server";
import { freshDatabase, stopTheClock } from "./helpers";

// The API's rates are counted in the database, by token and by person: each test's fresh database
// starts with no counts.

beforeEach(async () => {
  await freshDatabase();
  stopTheClock();
});

const ORIGIN = "http://hindsight.test";

async function tokenFor(user: User, scope: "read" | "write" = "write") {
  return (await createApiToken(user, { name: `${scope} token`, scope, expiresInDays: null })).token;
}

describe("the API's rates", () => {
  it("limit each token's rate and say when to come back", async () => {
    const ada = await createUser();
    const token = await tokenFor(ada, "read");
    const tight = router([
      operation({ id: "ping", method: "GET", path: "/ping", tag: "Test", summary: "Ping", scope: "read", responses: {}, run: async () => ({ body: "pong" }) }),
    ]);
    let last: Response | undefined;
    // The limit is per minute; one more than it is refused.
    for (let i = 0; i <= Number(process.env.API_RATE_PER_MINUTE ?? 600); i++) {
      last = await serveApi(tight, new Request(`${ORIGIN}/api/v1/ping`, { headers: { Authorization: `Bearer ${token}` } }), "10.0.0.9", ORIGIN);
      if (last.status !== 200) break;
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Another token of the same person has its own allowance.
    const other = await tokenFor(ada, "read");
    expect((await serveApi(tight, new Request(`${ORIGIN}/api/v1/ping`, { headers: { Authorization: `Bearer ${other}` } }), "10.0.0.9", ORIGIN)).status).toBe(200);
  });

  it("limit one person's requests over all their tokens", async () => {
    const ben = await createUser();
    const count = Math.ceil(API_RATE_PER_PERSON / API_RATE_PER_MINUTE) + 1;
    const tokens = await Promise.all(Array.from({ length: count }, () => tokenFor(ben, "read")));
    const tight = router([
      operation({ id: "ping", method: "GET", path: "/ping", tag: "Test", summary: "Ping", scope: "read", responses: {}, run: async () => ({ body: "pong" }) }),
    ]);
    let answered = 0;
    let last: Response | undefined;
    for (let i = 0; i <= API_RATE_PER_PERSON; i++) {
      last = await serveApi(tight, new Request(`${ORIGIN}/api/v1/ping`, { headers: { Authorization: `Bearer ${tokens[i % count]}` } }), "10.0.0.9", ORIGIN);
      if (last.status !== 200) break;
      answered += 1;
    }
    expect(answered).toBe(API_RATE_PER_PERSON);
    expect(last!.status).toBe(429);
    expect(((await last!.json()) as { detail: string }).detail).toContain("Your tokens made");
  });

  it("limit one person's changes over all their tokens", async () => {
    const ada = await createUser({ role: "admin" });
    const tokens = [await tokenFor(ada), await tokenFor(ada)];
    const statuses: number[] = [];
    for (let i = 0; i <= API_WRITES_PER_MINUTE; i++) {
      // An empty body is refused by the checks, after it was counted: cheap to send many.
      const request = new Request(`${ORIGIN}/api/v1/incidents`, { method: "POST", headers: { Authorization: `Bearer ${tokens[i % 2]}`, "Content-Type": "application/json" }, body: "{}" });
      statuses.push((await serveApi(API, request, "10.0.0.9", ORIGIN)).status);
    }
    expect(statuses.slice(0, API_WRITES_PER_MINUTE).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Reading goes on.
    const read = new Request(`${ORIGIN}/api/v1/me`, { headers: { Authorization: `Bearer ${tokens[0]}` } });
    expect((await serveApi(API, read, "10.0.0.9", ORIGIN)).status).toBe(200);
  });
});
