import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createUser } from "../../db/factories";
import { forgetKeptPages, KEEP_HEADER, keepPage, keptPage, keptPages, pageCacheOf, pageSlot, type BuildRoutes, type PageAnswer, type PageSlot } from "~/lib/page-cache.server";
import { db, schema } from "~/lib/db.server";
import { redirectWithFlash } from "~/lib/session.server";
import { updateProfile } from "~/models/user.server";
import { freshDatabase, sessionCookie, stopTheClock } from "./helpers";

// The page cache (app/lib/page-cache.server.ts): a rendered page kept for the person who asked,
// served again with a nonce of its own while the database is unchanged, and to no one else.

const NONCE = "rendered+nonce/of24chars=";

/** A page as the renderer gives one it marked: its nonce in its policy and its scripts. */
function rendered(text: string, extra: [string, string][] = [], status = 200, viewer = userId) {
  const html = `<!DOCTYPE html><html><body><p>${text}</p><script nonce="${NONCE}">go()</script></body></html>`;
  return {
    status,
    headers: [["content-type", "text/html; charset=utf-8"], ["content-security-policy", `script-src 'self' 'nonce-${NONCE}'`], [KEEP_HEADER, `${NONCE} ${viewer}`], ...extra] as [string, string][],
    body: Buffer.from(html),
  };
}

const header = (answer: { headers: [string, string][] }, name: string) => answer.headers.find(([n]) => n.toLowerCase() === name)?.[1];
const text = (answer: PageAnswer) => answer.body!.toString("utf8");
const nonceOf = (answer: PageAnswer) => /nonce="([^"]+)"/.exec(text(answer))![1];

let cookie: string;
let userId: number;

beforeEach(async () => {
  await freshDatabase();
  forgetKeptPages();
  const user = await createUser({ name: "Avery" });
  userId = user.id;
  cookie = await sessionCookie(user.id);
});

afterEach(() => {
  delete process.env.PAGE_CACHE_MB;
});

describe("where a page may be kept", () => {
  it("is one person's page at one address, under the database's version and the minute", async () => {
    stopTheClock(new Date("2026-12-05T10:00:10Z"));
    const slot = (await pageSlot("/incidents/INC-1", cookie))!;
    expect(slot.place).toBe(`${userId} /incidents/INC-1`);
    expect((await pageSlot("/incidents/INC-1?tab=2", cookie))!.place).not.toBe(slot.place);
    expect((await pageSlot("/incidents/INC-1", cookie))!.version).toBe(slot.version);

    // Any committed change moves the version on: the page kept before is not served after it.
    await updateProfile({ id: userId }, { name: "Avery Quinn", team: "" });
    expect((await pageSlot("/incidents/INC-1", cookie))!.version).not.toBe(slot.version);

    // So does the next minute, for what time alone changes (a due date passing).
    const now = (await pageSlot("/incidents/INC-1", cookie))!.version;
    stopTheClock(new Date("2026-12-05T10:01:00Z"));
    expect((await pageSlot("/incidents/INC-1", cookie))!.version).not.toBe(now);
  });

  it("is nowhere for no one signed in, a session that is not one, a one-time message, or the cache off", async () => {
    expect(await pageSlot("/incidents", undefined)).toBeUndefined();
    expect(await pageSlot("/incidents", "hs_session=forged")).toBeUndefined();
    const flash = (await redirectWithFlash("/incidents", "Saved.")).headers.getSetCookie()[0].split(";")[0];
    expect(await pageSlot("/incidents", `${cookie}; ${flash}`)).toBeUndefined();
    process.env.PAGE_CACHE_MB = "0";
    expect(await pageSlot("/incidents", cookie)).toBeUndefined();
    delete process.env.PAGE_CACHE_MB;

    // A session that ended is no one's, though its cookie was read before.
    expect(await pageSlot("/incidents", cookie)).toBeDefined();
    await db().delete(schema.sessions);
    expect(await pageSlot("/incidents", cookie)).toBeUndefined();
  });
});

describe("a kept page", () => {
  it("is served to the same person, unchanged, with a nonce of its own each time in its body and its policy", async () => {
    const slot = (await pageSlot("/incidents/INC-1", cookie))!;
    const first = keepPage(slot, rendered("Why did the deploy fail?"), undefined)!;
    expect(first.status).toBe(200);
    expect(header(first, KEEP_HEADER)).toBeUndefined();
    const again = keptPage(slot, undefined)!;
    const third = keptPage(slot, undefined)!;
    const nonces = [first, again, third].map(nonceOf);
    expect(new Set([NONCE, ...nonces]).size).toBe(4);
    for (const answer of [again, third]) {
      expect(text(answer)).toBe(text(first).replaceAll(nonceOf(first), nonceOf(answer)));
      expect(text(answer)).toContain("<p>Why did the deploy fail?</p>");
      expect(text(answer)).not.toContain(NONCE);
      expect(header(answer, "content-security-policy")).toBe(`script-src 'self' 'nonce-${nonceOf(answer)}'`);
      expect(header(answer, "cache-control")).toBe("private, no-cache");
      expect(answer.etag).toBe(first.etag);
    }
  });

  it("answers 304 to a browser that has it, and 200 again once it changed", async () => {
    const slot = (await pageSlot("/incidents/INC-1", cookie))!;
    const { etag } = keepPage(slot, rendered("one"), undefined)!;
    expect(etag).toMatch(/^W\/"[\w-]{27}"$/);
    const unchanged = keptPage(slot, `W/"other", ${etag}`)!;
    expect(unchanged.status).toBe(304);
    expect(keptPage(slot, "*")!.status).toBe(304);
    expect(keptPage(slot, etag.slice(2))!.status).toBe(304);
    expect(keptPage(slot, 'W/"other"')!.status).toBe(200);
    expect(unchanged.body).toBeUndefined();
    expect(header(unchanged, "etag")).toBe(etag);

    const changed = keepPage(slot, rendered("two"), etag)!;
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(etag);
  });

  it("is not served under another version, at another address, or to anyone else", async () => {
    const slot = (await pageSlot("/incidents/INC-1", cookie))!;
    keepPage(slot, rendered("what Avery may see"), undefined);
    expect(keptPage({ ...slot, version: `${slot.version}x` }, undefined)).toBeUndefined();
    expect(keptPage({ ...slot, place: `${userId} /incidents/INC-2` }, undefined)).toBeUndefined();
    const other = await createUser({ name: "Blake" });
    const theirs = (await pageSlot("/incidents/INC-1", await sessionCookie(other.id)))!;
    expect(theirs.place).not.toBe(slot.place);
    expect(keptPage(theirs, undefined)).toBeUndefined();
  });

  it("is kept only when the renderer marked it, whole (200), with no cookie to set", async () => {
    const slot: PageSlot = (await pageSlot("/incidents", cookie))!;
    const unmarked = rendered("a");
    unmarked.headers = unmarked.headers.filter(([name]) => name !== KEEP_HEADER);
    expect(keepPage(slot, unmarked, undefined)).toBeUndefined();
    expect(keepPage(slot, rendered("b", [], 404), undefined)).toBeUndefined();
    expect(keepPage(slot, rendered("c", [["set-cookie", "hs_flash=; Path=/"]]), undefined)).toBeUndefined();
    // Rendered for someone else than the person the place is for: never kept there.
    expect(keepPage(slot, rendered("d", [], 200, userId + 1), undefined)).toBeUndefined();
    expect(keptPages().pages).toBe(0);
  });

  it("holds pages up to its size, dropping the least recently served first, and one page per person and address", async () => {
    process.env.PAGE_CACHE_MB = "1";
    const big = "x".repeat(140_000); // about 140 KB kept
    const slots: PageSlot[] = [];
    for (let i = 0; i < 8; i++) slots.push((await pageSlot(`/incidents/INC-${i}`, cookie))!);
    for (const slot of slots.slice(0, 7)) keepPage(slot, rendered(big), undefined);
    expect(keptPages().pages).toBe(7);
    keptPage(slots[0], undefined); // the first is now the most recently served
    keepPage(slots[7], rendered(big), undefined);
    expect(keptPages().bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(keptPage(slots[0], undefined)).toBeDefined();
    expect(keptPage(slots[1], undefined)).toBeUndefined();
    expect(keptPage(slots[7], undefined)).toBeDefined();

    // Kept again at the same place, a page replaces the one before.
    const pages = keptPages().pages;
    keepPage(slots[7], rendered("small"), undefined);
    expect(keptPages().pages).toBe(pages);

    // One page larger than a quarter of the room is sent as rendered, never kept, and the page
    // kept at its place before goes.
    expect(keepPage(slots[6], rendered("y".repeat(270_000)), undefined)).toBeUndefined();
    expect(keptPage(slots[6], undefined)).toBeUndefined();
  });
});

describe("which addresses may have a kept page", () => {
  // Routes as the server build gives them: the layout, pages below it, one that says nothing.
  const route = (id: string, parentId: string | undefined, path: string | undefined, pageCache: boolean | undefined, index = false) => ({
    id,
    parentId,
    path,
    index,
    module: { handle: pageCache === undefined ? undefined : { pageCache } },
  });
  const routes: BuildRoutes = Object.fromEntries(
    [
      route("root", undefined, "", true),
      route("routes/incidents._index", "root", "incidents", true, true),
      route("routes/incidents.$ref", "root", "incidents/:ref", true),
      route("routes/incidents.$ref._index", "routes/incidents.$ref", undefined, true, true),
      route("routes/incidents.$ref.history", "routes/incidents.$ref", "history", undefined),
      route("routes/actions", "root", "actions", false),
    ].map((r) => [r.id, r]),
  );

  it("are those whose every route says so, matched as Remix matches them; the others are not even looked up", async () => {
    const cache = pageCacheOf(routes);
    expect(await cache.slot("/incidents/INC-1", cookie)).toMatchObject({ place: `${userId} /incidents/INC-1` });
    expect(await cache.slot("/incidents?status=open", cookie)).toMatchObject({ place: `${userId} /incidents?status=open` });
    for (const address of ["/incidents/INC-1/history", "/actions", "/no-such-page", "/incidents/INC-1/history?x=1", "/incidents/INC-1.data", "/incidents.data?status=open"]) {
      expect(await cache.slot(address, cookie), address).toBeUndefined();
    }
  });

  it("has no slot when looking it up fails: the render meets the failure and answers it", async () => {
    const cache = pageCacheOf(routes);
    await freshDatabase().then(async (database) => {
      const { closeDatabase } = await import("~/lib/db.server");
      await closeDatabase(database);
    });
    expect(await cache.slot("/incidents/INC-1", cookie)).toBeUndefined();
  });
});
