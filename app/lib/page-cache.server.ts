import crypto from "node:crypto";
import { matchRoutes } from "@remix-run/react";
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
 * The header by which the renderer marks a page that may be kept: its value is the page's nonce
 * and the id of the person it was rendered for. Lower case, as Headers names it; server.js never
 * sends it.
 */
export const KEEP_HEADER = "x-hindsight-page-cache";

/** Where a page may be kept, and under what it stays true. */
export type PageSlot = { place: string; version: string };

/** A page as sent: its status, headers and body. */
export type PageAnswer = { status: 200 | 304; headers: [string, string][]; body: Buffer | undefined; etag: string };

type Kept = { version: string; headers: [string, string][]; parts: Buffer[]; etag: string; bytes: number };

/** The routes of the server build, as Remix gives them (the fields read here). */
export type BuildRoutes = Record<string, { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean; module: { handle?: unknown } }>;

/** How many paths' answers to "may a page here be kept" are remembered, and the longest remembered. */
const PATHS_REMEMBERED = 1000;
const PATH_REMEMBERED_CHARS = 512;

/**
 * Whether a page whose matched routes have these `handle` exports may be kept: there are some,
 * and every one says so (`handle = { pageCache: true }`). The renderer asks it of the page it
 * rendered, the server of the address before looking a page up.
 */
export function keepableRoutes(handles: unknown[]): boolean {
  return handles.length > 0 && handles.every((handle) => (handle as { pageCache?: unknown } | undefined)?.pageCache === true);
}

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
 * The page cache of a server build: which addresses may have a kept page (those whose every
 * route says so, matched as Remix matches them), where a GET's page is kept, and the kept pages.
 */
export function pageCacheOf(routes: BuildRoutes) {
  type Branch = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children: Branch[] };
  const branches = (parentId: string | undefined): Branch[] =>
    Object.values(routes)
      .filter((route) => route.parentId === parentId)
      .map((route) => ({ id: route.id, path: route.path, index: route.index, caseSensitive: route.caseSensitive, children: branches(route.id) }));
  const tree = branches(undefined);
  // Matching ranks every route each time: the answers for the last paths first asked are
  // remembered (short ones only: a path may be as long as a request line).
  const answers = new Map<string, boolean>();
  const mayBeKept = (pathname: string) => {
    // The data of a navigation in the browser (single fetch) is never kept: only document loads are.
    if (pathname.endsWith(".data")) return false;
    let answer = answers.get(pathname);
    if (answer === undefined) {
      const matches = matchRoutes(tree as Parameters<typeof matchRoutes>[0], pathname) ?? [];
      answer = keepableRoutes(matches.map((match) => routes[match.route.id ?? ""]?.module.handle));
      if (pathname.length <= PATH_REMEMBERED_CHARS) {
        if (answers.size >= PATHS_REMEMBERED) answers.delete(answers.keys().next().value!);
        answers.set(pathname, answer);
      }
    }
    return answer;
  };
  return {
    mark: KEEP_HEADER,
    /**
     * Where the page a GET of `address` (path and query) is kept for this viewer; undefined when
     * no page of the address may be kept, or the lookup failed (the render then meets the same
     * failure and answers it as it answers any).
     */
    async slot(address: string, cookie: string | undefined): Promise<PageSlot | undefined> {
      if (!mayBeKept(address.split("?")[0])) return undefined;
      return pageSlot(address, cookie).catch(() => undefined);
    },
    kept: keptPage,
    keep: keepPage,
  };
}

/**
 * Where the page a GET asks for is kept for this viewer, and the version it must have been
 * rendered under; undefined when it may not come from the cache (no one signed in, a one-time
 * message waiting, the cache off).
 */
export async function pageSlot(path: string, cookie: string | undefined): Promise<PageSlot | undefined> {
  if (limitBytes() === 0 || !cookie?.includes("hs_session=")) return undefined;
  // The version first: a change made while the viewer is looked up is then after it.
  const version = `${await changeVersion()} ${Math.floor(Date.now() / 60_000)}`;
  const viewer = await cachedPageViewer(cookie);
  if (!viewer) return undefined;
  return { place: `${viewer.id} ${path}`, version };
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
 * gives it back as it is to be sent; undefined for any other page, and for one too large to keep,
 * which is sent as rendered (never copied here).
 */
export function keepPage(
  slot: PageSlot,
  rendered: { status: number; headers: [string, string][]; body: Buffer },
  ifNoneMatch: string | undefined,
): PageAnswer | undefined {
  const [nonce, viewer] = rendered.headers.find(([name]) => name.toLowerCase() === KEEP_HEADER)?.[1].split(" ") ?? [];
  if (!nonce || rendered.status !== 200 || rendered.headers.some(([name]) => name.toLowerCase() === "set-cookie")) return undefined;
  // Rendered for the person the place is theirs: checked, not assumed.
  if (slot.place.slice(0, slot.place.indexOf(" ")) !== viewer) return undefined;
  // What was kept at this place before goes, whether this page is kept or not.
  forget(slot.place);
  const bytes = rendered.body.length + slot.place.length * 2 + 512;
  const room = limitBytes();
  if (bytes > room / 4) return undefined;
  const parts = cut(rendered.body, Buffer.from(nonce));
  const hash = crypto.createHash("sha256");
  for (const part of parts) hash.update(part);
  const page: Kept = {
    version: slot.version,
    headers: rendered.headers.filter(([name]) => name.toLowerCase() !== KEEP_HEADER).map(([name, value]) => [name, value.split(nonce).join("\0")]),
    parts,
    // Weak: the same page compressed or not is the same to the browser.
    etag: `W/"${hash.digest("base64url").slice(0, 27)}"`,
    bytes,
  };
  kept.set(slot.place, page);
  keptBytes += page.bytes;
  for (const [place] of kept) {
    if (keptBytes <= room) break;
    forget(place);
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

function forget(place: string) {
  const page = kept.get(place);
  if (!page) return;
  kept.delete(place);
  keptBytes -= page.bytes;
}

/** The pieces of `body` around each occurrence of `nonce` (views of it, not copies). */
function cut(body: Buffer, nonce: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(nonce); at !== -1; at = body.indexOf(nonce, from)) {
    parts.push(body.subarray(from, at));
    from = at + nonce.length;
  }
  parts.push(body.subarray(from));
  return parts;
}

/** Whether an If-None-Match header names this ETag (weak comparison, as for GET). */
function matches(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(etag));
}

function answer(page: Kept, ifNoneMatch: string | undefined): PageAnswer {
  // Browsers keep the page and ask each time whether it is still the same.
  const caching: [string, string][] = [
    ["ETag", page.etag],
    ["Cache-Control", "private, no-cache"],
  ];
  if (ifNoneMatch && matches(ifNoneMatch, page.etag)) {
    // The browser shows the page it has, under the headers it came with (its nonce and policy among them).
    return { status: 304, headers: caching, body: undefined, etag: page.etag };
  }
  const nonce = crypto.randomBytes(16).toString("base64");
  const spliced = Buffer.from(nonce);
  return {
    status: 200,
    headers: [...page.headers.map(([name, value]): [string, string] => [name, value.split("\0").join(nonce)]), ...caching],
    // One buffer, written at once: a copy costs less than a write per piece.
    body: Buffer.concat(page.parts.flatMap((part, i) => (i === 0 ? [part] : [spliced, part]))),
    etag: page.etag,
  };
}
