import { createCookie, createCookieSessionStorage, redirect, type SessionStorage } from "@remix-run/node";
import { env, sessionSecret } from "./env.server";
import { isAdmin } from "~/models/authorization";
import { SESSION_DAYS, accountIdFor, createSession, endSession, userForSession, type SessionOrigin, type User } from "~/models/user.server";

function secure() {
  return env().APP_URL.startsWith("https://") || env().TRUST_PROXY !== "false";
}

let sessionCookie: ReturnType<typeof createCookie> | undefined;
function cookie() {
  sessionCookie ??= createCookie("hs_session", {
    httpOnly: true,
    sameSite: "lax",
    secure: secure(),
    path: "/",
    maxAge: SESSION_DAYS * 86_400,
    secrets: [sessionSecret()],
  });
  return sessionCookie;
}

// A browser that signed in to an account keeps a signed list of those accounts for a year: it
// is spared the account's ceiling on failed sign-ins, which strangers can raise
// (docs/decisions/0001-sign-in-throttling.md). Its path is "/": with JavaScript the sign-in
// form posts to /signin.data, which a cookie for /signin is not sent to.
const KNOWN_DEVICE_DAYS = 365;
const KNOWN_ACCOUNTS_KEPT = 10;
let deviceCookie: ReturnType<typeof createCookie> | undefined;
function knownDeviceCookie() {
  deviceCookie ??= createCookie("hs_device", {
    httpOnly: true,
    sameSite: "lax",
    secure: secure(),
    path: "/",
    maxAge: KNOWN_DEVICE_DAYS * 86_400,
    secrets: [sessionSecret()],
  });
  return deviceCookie;
}

async function knownAccounts(request: Request): Promise<number[]> {
  const value: unknown = await knownDeviceCookie().parse(request.headers.get("Cookie"));
  return Array.isArray(value) ? value.filter((id): id is number => Number.isInteger(id)) : [];
}

/** Whether this browser signed in to the account with this email before. */
export async function isKnownDevice(request: Request, email: string): Promise<boolean> {
  const known = await knownAccounts(request);
  if (known.length === 0) return false;
  const id = await accountIdFor(email);
  return id !== undefined && known.includes(id);
}

type FlashData = { message: string };
let flashStorage: SessionStorage<Record<string, never>, FlashData> | undefined;
function flashes() {
  flashStorage ??= createCookieSessionStorage<Record<string, never>, FlashData>({
    cookie: { name: "hs_flash", httpOnly: true, sameSite: "lax", secure: secure(), path: "/", secrets: [sessionSecret()] },
  });
  return flashStorage;
}

/** The token of the request's session, to tell it among the person's sessions. */
export async function sessionToken(request: Request): Promise<string | undefined> {
  const header = request.headers.get("Cookie");
  return header ? sessionTokenOfHeader(header) : undefined;
}

// A page's loaders all ask who is signed in; a GET looks it up once. A POST looks again in each
// loader after its action, which may have changed the answer.
const usersOfRequests = new WeakMap<Request, Promise<User | undefined>>();

export function getUser(request: Request): Promise<User | undefined> {
  if (request.method !== "GET" && request.method !== "HEAD") return lookUpUser(request);
  let user = usersOfRequests.get(request);
  if (!user) usersOfRequests.set(request, (user = lookUpUser(request)));
  return user;
}

/** Who the request's session belongs to now, looked up again each time (a stream that stays open asks more than once). */
export function signedInNow(request: Request): Promise<User | undefined> {
  return lookUpUser(request);
}

async function lookUpUser(request: Request): Promise<User | undefined> {
  const token = await sessionToken(request);
  return token ? userForSession(token) : undefined;
}

/**
 * Who a Cookie header signs in, when the page it asks for may come from the page cache
 * (page-cache.server.ts): undefined for no one, and for a browser holding a one-time message,
 * which the page shows once and then clears with a cookie.
 */
export async function cachedPageViewer(header: string | undefined): Promise<User | undefined> {
  if (!header) return undefined;
  if (header.includes("hs_flash=")) {
    const flash = await flashes().getSession(header);
    if (flash.has("message")) return undefined;
  }
  const token = await sessionTokenOfHeader(header);
  return token ? userForSession(token) : undefined;
}

/**
 * Session tokens of the last Cookie headers first seen (short ones only), the signature checked
 * once for each: a browser sends the same header page after page, and checking it costs more than
 * the rest of serving a kept page. Whether the session is still one is asked of the database
 * every time.
 */
const tokensOfHeaders = new Map<string, string | null>();
const HEADERS_REMEMBERED = 1000;

async function sessionTokenOfHeader(header: string): Promise<string | undefined> {
  const known = tokensOfHeaders.get(header);
  if (known !== undefined) return known ?? undefined;
  const value: unknown = await cookie().parse(header);
  const token = typeof value === "string" ? value : null;
  if (header.length <= 1024) {
    if (tokensOfHeaders.size >= HEADERS_REMEMBERED) tokensOfHeaders.delete(tokensOfHeaders.keys().next().value!);
    tokensOfHeaders.set(header, token);
  }
  return token ?? undefined;
}

/** The signed-in user, or a redirect to sign in that comes back here afterwards. */
export async function requireUser(request: Request): Promise<User> {
  const user = await getUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/" ? "/signin" : `/signin?redirectTo=${encodeURIComponent(back)}`);
}

export async function requireAdmin(request: Request): Promise<User> {
  const user = await requireUser(request);
  if (!isAdmin(user)) throw new Response("Only administrators can open this page.", { status: 403 });
  return user;
}

/**
 * Starts a fresh session (a new id at every sign-in), remembers this browser as one the person
 * signed in on, and redirects. The redirect is made first, so an address that cannot be sent
 * fails before a session exists.
 */
export async function startSession(
  request: Request,
  userId: number,
  how: { method: SessionOrigin["method"]; address: string },
  to: string,
  message?: string,
) {
  const response = redirect(to);
  const origin = { ...how, userAgent: request.headers.get("User-Agent") ?? "" };
  response.headers.append("Set-Cookie", await cookie().serialize(await createSession(userId, origin)));
  const known = [userId, ...(await knownAccounts(request)).filter((id) => id !== userId)].slice(0, KNOWN_ACCOUNTS_KEPT);
  response.headers.append("Set-Cookie", await knownDeviceCookie().serialize(known));
  if (message) response.headers.append("Set-Cookie", await flashCookie(message));
  return response;
}

export async function signOut(request: Request) {
  const token = await sessionToken(request);
  if (token) await endSession(token);
  return redirect("/signin", {
    headers: { "Set-Cookie": await cookie().serialize("", { maxAge: 0 }) },
  });
}

async function flashCookie(message: string) {
  const session = await flashes().getSession();
  session.flash("message", message);
  return flashes().commitSession(session);
}

/** Post/Redirect/Get with a one-time message shown on the next page. */
export async function redirectWithFlash(to: string, message: string) {
  return redirect(to, { headers: { "Set-Cookie": await flashCookie(message) } });
}

export async function readFlash(request: Request): Promise<{ message?: string; setCookie?: string }> {
  const session = await flashes().getSession(request.headers.get("Cookie"));
  const message = session.get("message");
  if (typeof message !== "string") return {};
  return { message, setCookie: await flashes().commitSession(session) };
}

