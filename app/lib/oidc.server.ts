import * as client from "openid-client";
import { createCookie, redirect } from "@remix-run/node";
import { env, sessionSecret } from "./env.server";
import { perKeyRate, type RateLimit } from "~/models/rate.server";

// Sign-in with the company's OpenID Connect provider: the authorization code flow with PKCE,
// `state` and `nonce`, kept between the two legs in a signed, short-lived cookie. openid-client
// does the protocol and its checks (issuer, audience, signature, expiry, nonce); this module
// keeps the pending sign-ins and says in plain words why one was refused.
// docs/decisions/0027-sign-in-with-the-identity-provider.md

/** The provider's path back to Hindsight: the redirect URL to register with the provider. */
export const CALLBACK_PATH = "/signin/sso/callback";

export function callbackUrl(): string {
  return `${env().APP_URL}${CALLBACK_PATH}`;
}

/** What the provider says about the person, once verified. */
export type ProviderClaims = {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  /** Undefined when the provider sent no groups claim. */
  groups?: string[];
};

/** Why a sign-in through the provider was refused, in words for the person and a reason for tests and logs. */
export class ProviderSignInError extends Error {
  constructor(
    message: string,
    readonly reason: "unavailable" | "state" | "refused-at-provider" | "code" | "nonce" | "expired" | "unverifiable",
  ) {
    super(message);
    this.name = "ProviderSignInError";
  }
}

type Pending = { state: string; nonce: string; verifier: string; redirectTo: string; expires: number };

/** A sign-in must come back within this long; the cookie and each pending sign-in in it say so. */
const PENDING_MINUTES = 10;
/** Sign-ins started in other tabs that are kept, so that each tab can finish its own. */
const PENDING_KEPT = 3;
/** The longest address a sign-in comes back to; a longer one comes back to the start page. */
const MAX_REDIRECT_LENGTH = 1000;

let pendingCookie: ReturnType<typeof createCookie> | undefined;
function cookie() {
  const secure = env().APP_URL.startsWith("https://") || env().TRUST_PROXY !== "false";
  // Over HTTPS the __Host- prefix keeps a sibling subdomain from setting it (and so from having a
  // browser finish someone else's sign-in); the prefix needs the path "/".
  pendingCookie ??= createCookie(secure ? "__Host-hs_oidc" : "hs_oidc", {
    httpOnly: true,
    // Sent with the provider's top-level redirect back (a GET navigation), never with other sites' requests.
    sameSite: "lax",
    secure,
    path: secure ? "/" : "/signin/sso",
    maxAge: PENDING_MINUTES * 60,
    secrets: [sessionSecret()],
  });
  return pendingCookie;
}

async function pendingSignIns(request: Request, now: number): Promise<Pending[]> {
  const value: unknown = await cookie().parse(request.headers.get("Cookie"));
  if (!Array.isArray(value)) return [];
  return value.filter(
    (p): p is Pending =>
      typeof p === "object" && p !== null && typeof p.state === "string" && typeof p.nonce === "string" && typeof p.verifier === "string" && typeof p.redirectTo === "string" && typeof p.expires === "number" && p.expires > now,
  );
}

/** The Set-Cookie header that forgets the sign-in the request answers, keeping those other tabs began. */
export async function forgetAnsweredSignIn(request: Request): Promise<string> {
  const state = new URL(request.url).searchParams.get("state");
  return await keepOnly((await pendingSignIns(request, Date.now())).filter((p) => p.state !== state));
}

function isLoopback(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

let discovered: { key: string; at: number; config: Promise<client.Configuration> } | undefined;
const REDISCOVER_AFTER_MS = 24 * 60 * 60_000;
/** After a failed discovery, sign-ins are refused at once for this long rather than each waiting on the provider again. */
const RETRY_DISCOVERY_AFTER_MS = 60_000;
/** How long one request to the provider may take. */
const PROVIDER_TIMEOUT_SECONDS = 5;
/** Answers to sign-ins (callbacks) one client address may send in a minute: each costs a request to the provider. */
const ANSWERS_PER_MINUTE = 60;
let answersFrom: RateLimit<string> | undefined;

/**
 * A state is answered once, so a replayed answer never reaches the provider, whichever instance
 * it is sent to: answering takes the state's one place in a limit of one per sign-in lifetime,
 * counted in the database. The sliding estimate keeps the place taken for at least a whole
 * window after the answer (app/models/rate.server.ts), by when the sign-in has expired anyway. Only a keyed
 * hash of the state is stored.
 */
let answeredStates: RateLimit<string> | undefined;
function takeState(state: string): Promise<boolean> {
  return (answeredStates ??= perKeyRate<string>("oidc-state", 1, PENDING_MINUTES * 60_000, { hashed: true })).take(state);
}

/** Sign-ins waiting on the provider at once; more are refused at once (the provider is slow or down). */
const WAITING_AT_ONCE = 4;
let waiting = 0;

/**
 * Runs one step that waits on the provider, if few enough already wait: a slow provider then
 * costs a few requests, never the server's time for everyone.
 */
async function onProvider<T>(step: () => Promise<T>): Promise<T> {
  if (waiting >= WAITING_AT_ONCE) throw new ProviderSignInError("Too many sign-ins are waiting on the identity provider. Try again in a minute; admins can sign in with their password.", "unavailable");
  waiting += 1;
  try {
    return await step();
  } finally {
    waiting -= 1;
  }
}

/** The provider's metadata, discovered once a day (a failed discovery is tried again a minute later). */
async function configuration(): Promise<client.Configuration> {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } = env();
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) throw new ProviderSignInError("Sign-in with an identity provider is not configured.", "unavailable");
  const key = `${OIDC_ISSUER} ${OIDC_CLIENT_ID} ${OIDC_CLIENT_SECRET}`;
  if (!discovered || discovered.key !== key || Date.now() - discovered.at > REDISCOVER_AFTER_MS) {
    const issuer = new URL(OIDC_ISSUER);
    // Plain http only to a provider on this machine (a test provider, or one behind a local proxy).
    const options = { timeout: PROVIDER_TIMEOUT_SECONDS, ...(isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : {}) };
    const config = client.discovery(issuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, undefined, options);
    const entry = { key, at: Date.now(), config };
    discovered = entry;
    config.catch((error: unknown) => {
      console.error("The identity provider's discovery failed:", error instanceof Error ? error.message : error);
      // Remembered for a minute, then tried afresh.
      setTimeout(() => {
        if (discovered === entry) discovered = undefined;
      }, RETRY_DISCOVERY_AFTER_MS).unref();
    });
  }
  try {
    return await discovered.config;
  } catch {
    throw new ProviderSignInError("Hindsight cannot reach the identity provider right now. Try again in a few minutes; admins can sign in with their password.", "unavailable");
  }
}

/** Whether the provider answers its discovery document now, for the admins' page: null when it does, else why not. */
export async function providerProblem(): Promise<string | null> {
  try {
    await configuration();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Sends the browser to the provider, remembering this sign-in (and up to two others begun in other tabs). */
export async function beginProviderSignIn(request: Request, redirectTo: string): Promise<Response> {
  // Callers share one discovery (at most one request to the provider, 5 s): nothing to cap here.
  const config = await configuration();
  const now = Date.now();
  // A long address to come back to would make the cookie too large for browsers to keep.
  const back = redirectTo.length > MAX_REDIRECT_LENGTH ? "/" : redirectTo;
  const pending: Pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), redirectTo: back, expires: now + PENDING_MINUTES * 60_000 };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(),
    scope: env().OIDC_SCOPES,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: "S256",
  });
  const kept = [pending, ...(await pendingSignIns(request, now))].slice(0, PENDING_KEPT);
  return redirect(url.href, { headers: { "Set-Cookie": await cookie().serialize(kept) } });
}

function refusedAtProvider(code: string, description: string | undefined | null): ProviderSignInError {
  return code === "access_denied"
    ? new ProviderSignInError("The sign-in was cancelled at the identity provider, or it did not allow it.", "refused-at-provider")
    : new ProviderSignInError(`The identity provider refused the sign-in (${(description ?? code).slice(0, 200)}).`, "refused-at-provider");
}

/** Why openid-client refused the provider's answer, in the person's words. */
function explain(error: unknown): ProviderSignInError {
  if (error instanceof ProviderSignInError) return error;
  if (error instanceof client.AuthorizationResponseError) return refusedAtProvider(error.error, error.error_description);
  if (error instanceof client.ResponseBodyError && error.error === "invalid_grant") {
    return new ProviderSignInError("This sign-in answer was already used or has expired: the identity provider refused its code. Start again.", "code");
  }
  // openid-client's messages are generic; its codes, and the claim its cause names, say what failed.
  const code = error instanceof client.ClientError ? error.code : undefined;
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const detail = cause instanceof Error ? cause.message : "";
  if (code === "OAUTH_INVALID_RESPONSE" && detail.includes('"state"')) {
    return new ProviderSignInError("This sign-in did not start in this browser (its state did not match). Start again.", "state");
  }
  if (code === "OAUTH_JWT_CLAIM_COMPARISON_FAILED" && detail.includes('"nonce"')) {
    return new ProviderSignInError("The identity provider's answer was not made for this sign-in (its nonce did not match). Start again.", "nonce");
  }
  if (code === "OAUTH_JWT_TIMESTAMP_CHECK_FAILED") {
    return new ProviderSignInError("The identity provider's ID token has expired or is not valid yet. Check that this server's clock is right, then start again.", "expired");
  }
  // Only the code and messages: the cause may carry the person's claims, which logs do not keep.
  console.error(`A sign-in through the identity provider could not be verified: ${code ?? "no code"}: ${error instanceof Error ? error.message : String(error)} (${detail})`);
  return new ProviderSignInError("Hindsight could not verify the identity provider's answer. Start again; if it happens again, tell a Hindsight admin.", "unverifiable");
}

function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "string") return [value];
  return undefined;
}

/**
 * Finishes a sign-in when the provider sends the browser back: finds the sign-in this browser
 * began with the same state, exchanges the code (with its PKCE verifier) and verifies the ID
 * token and its nonce. Returns the verified claims, where to go next, and the cookie that
 * forgets this sign-in, which is used once.
 */
export async function completeProviderSignIn(request: Request, address: string): Promise<{ claims: ProviderClaims; redirectTo: string; setCookie: string }> {
  const now = Date.now();
  const params = new URL(request.url).searchParams;
  const pendings = await pendingSignIns(request, now);
  const pending = pendings.find((p) => p.state === params.get("state"));
  try {
    // Only an answer to a sign-in this browser began is read at all: a link anyone can make must
    // not put its words on Hindsight's page.
    if (!pending) throw new ProviderSignInError("This sign-in did not start in this browser, or it took longer than 10 minutes (its state did not match). Start again.", "state");
    if (params.has("error")) throw refusedAtProvider(params.get("error") ?? "", params.get("error_description"));
    // A replay is refused first, costing nothing: only answers that will reach the provider count
    // against the address (which many people behind one company address share).
    if (!(await takeState(pending.state))) {
      throw new ProviderSignInError("This sign-in answer was already used or has expired. Start again.", "code");
    }
    if (!(await (answersFrom ??= perKeyRate<string>("oidc-answers", ANSWERS_PER_MINUTE, 60_000, { hashed: true })).take(address))) throw new ProviderSignInError("Too many sign-in answers from your address. Wait a minute, then start again.", "unavailable");
    return await onProvider(() => finish(params, pending, pendings));
  } catch (error) {
    throw explain(error);
  }
}

async function finish(params: URLSearchParams, pending: Pending, pendings: Pending[]): Promise<{ claims: ProviderClaims; redirectTo: string; setCookie: string }> {
  const config = await configuration();
  // The URL the provider redirected to, as registered: behind a proxy the request's own URL may differ.
  const current = new URL(callbackUrl());
  current.search = params.toString();
  const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
  const idClaims = tokens.claims();
  if (!idClaims) throw new ProviderSignInError("The identity provider sent no ID token.", "unverifiable");
  let claims: Record<string, unknown> = { ...idClaims };
  const groupsClaim = env().OIDC_GROUPS_CLAIM;
  // Some providers put the email or the groups only in userinfo.
  if ((claims.email === undefined || claims[groupsClaim] === undefined) && config.serverMetadata().userinfo_endpoint) {
    const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    claims = { ...info, ...claims, [groupsClaim]: claims[groupsClaim] ?? info[groupsClaim] };
  }
  const forget = pendings.filter((p) => p !== pending);
  return {
    claims: {
      issuer: idClaims.iss,
      subject: idClaims.sub,
      email: typeof claims.email === "string" ? claims.email : undefined,
      emailVerified: claims.email_verified === true || claims.email_verified === "true",
      name: typeof claims.name === "string" ? claims.name : undefined,
      groups: stringList(claims[groupsClaim]),
    },
    redirectTo: pending.redirectTo,
    setCookie: await keepOnly(forget),
  };
}

async function keepOnly(pendings: Pending[]): Promise<string> {
  return await cookie().serialize(pendings, pendings.length === 0 ? { maxAge: 0 } : {});
}
