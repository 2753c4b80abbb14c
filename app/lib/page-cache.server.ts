import crypto from "node:crypto";
import { changeVersion } from "./db.server";
import { env } from "./env.server";
import { cachedPageViewer } from "./session.server";

// Rendered once, served many times: a page is kept as rendered for the person who asked, and
// served again to them, ahead of the framework (server.js), while nothing it shows can have
// changed. docs/decisions/0037-page-cache.md
//
// - What may be kept: a page whose every route says so (`handle: { pageCache: true }`), as
//   rendered with status 200 and no cookie to set (app/entry.server.tsx marks it).
// - Whose it is: one person's. Pages show who is looking (the header, what they may change), so a
//   page kept for one is never served to another, whatever their permissions.
// - For how long: while the database's change version (db.server.ts, changeVersion) is the one
//   read before it was rendered, which every committed change moves on, in any process; and
//   within the minute it was rendered, for what time alone changes (a due date passing).
// - Its nonce: each answer gets its own. The page is kept cut at its nonce and joined with a new
//   one, in its body and its Content-Security-Policy.
// - Repeat visits: the page's ETag is a hash of what it shows; a browser that has it gets 304.

/**
 * The header by which the renderer marks a page that may be kept: its value is the page's nonce.
 * Lower case, as Headers names it; server.js never sends it.
 */
export const KEEP_HEADER = "x-hindsight-page-cache";

/** Where a page may be kept, and under what it stays true. */
export type PageSlot = { place: string; version: string };

/** A page as sent: its status, headers and body. */
export type PageAnswer = { status: 200 | 304; headers: [string, string][]; body: string | undefined; etag: string };

type Kept = { version: string; headers: [string, string][]; parts: string[]; etag: string; bytes: number };

/** Kept pages by place, the least recently served first (a Map keeps insertion order). */
const kept = new Map<string, Kept>();
let keptBytes = 0;

/** PAGE_CACHE_MB in bytes, read again only when the setting changes (tests change it; reading all settings each request costs). */
let limit: { setting: string | undefined; bytes: number } | undefined;
function limitBytes(): number {
  const setting = process.env.PAGE_CACHE_MB;
  if (!limit || limit.setting !== setting) limit = { setting, bytes: env().PAGE_CACHE_MB * 1024 * 1024 };
  return limit.bytes;
}

/**
 * Where the page a GET asks for is kept for this viewer, and the version it must have been
 * rendered under; undefined when it may not come from the cache (no one signed in, a one-time
 * message waiting, the cache off).
 */
export async function pageSlot(path: string, cookie: string | undefined): Promise<PageSlot | undefined> {
  if (limitBytes() === 0) return undefined;
  const viewer = await cachedPageViewer(cookie);
  if (!viewer) return undefined;
  const minute = Math.floor(Date.now() / 60_000);
  return { place: `${viewer.id} ${path}`, version: `${await changeVersion()} ${minute}` };
}

/** The page kept at `slot`, with a new nonce; 304 when the browser's ETag is the page's own. */
export function keptPage(slot: PageSlot, ifNoneMatch: string | undefined): PageAnswer | undefined {
  const page = kept.get(slot.place);
  if (!page || page.version !== slot.version) return undefined;
  // Served: it becomes the most recently used.
  kept.delete(slot.place);
  kept.set(slot.place, page);
  return answer(page, ifNoneMatch);
}

/**
 * Keeps a page the renderer marked as one that may be kept (KEEP_HEADER, carrying its nonce), and
 * gives it back as it is to be sent; undefined for any other page, sent as rendered.
 */
export function keepPage(
  slot: PageSlot,
  rendered: { status: number; headers: [string, string][]; body: Buffer },
  ifNoneMatch: string | undefined,
): PageAnswer | undefined {
  const nonce = rendered.headers.find(([name]) => name.toLowerCase() === KEEP_HEADER)?.[1];
  if (!nonce || rendered.status !== 200 || rendered.headers.some(([name]) => name.toLowerCase() === "set-cookie")) return undefined;
  const html = rendered.body.toString("utf8");
  const headers = rendered.headers.filter(([name]) => name.toLowerCase() !== KEEP_HEADER);
  const page: Kept = {
    version: slot.version,
    headers: headers.map(([name, value]) => [name, value.split(nonce).join("\0")]),
    parts: html.split(nonce),
    etag: `"${crypto.createHash("sha256").update(html.split(nonce).join("")).digest("base64url").slice(0, 27)}"`,
    bytes: rendered.body.length * 2 + 512,
  };
  const room = limitBytes();
  // What was kept at this place before goes, whether this page is kept or not.
  const before = kept.get(slot.place);
  if (before) keptBytes -= before.bytes;
  kept.delete(slot.place);
  if (page.bytes <= room / 4) {
    kept.set(slot.place, page);
    keptBytes += page.bytes;
    for (const [place, oldest] of kept) {
      if (keptBytes <= room) break;
      kept.delete(place);
      keptBytes -= oldest.bytes;
    }
  }
  return answer(page, ifNoneMatch);
}

/** What is kept now: how many pages, and their size (tests, the benchmark). */
export function keptPages(): { pages: number; bytes: number } {
  return { pages: kept.size, bytes: keptBytes };
}

/** Forgets every kept page (tests). */
export function forgetKeptPages(): void {
  kept.clear();
  keptBytes = 0;
}

function answer(page: Kept, ifNoneMatch: string | undefined): PageAnswer {
  // Browsers keep the page and ask each time whether it is still the same.
  const caching: [string, string][] = [
    ["ETag", page.etag],
    ["Cache-Control", "private, no-cache"],
  ];
  if (ifNoneMatch && ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === page.etag)) {
    // The browser shows the page it has, under the headers it came with (its nonce and policy among them).
    return { status: 304, headers: caching, body: undefined, etag: page.etag };
  }
  const nonce = crypto.randomBytes(16).toString("base64");
  return {
    status: 200,
    headers: [...page.headers.map(([name, value]): [string, string] => [name, value.split("\0").join(nonce)]), ...caching],
    body: page.parts.join(nonce),
    etag: page.etag,
  };
}
